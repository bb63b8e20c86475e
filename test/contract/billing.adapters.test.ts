/** The billing contract against both adapters: Stripe (on the fake Stripe) and the simulator. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createSimulatorBilling } from '../../src/adapters/billing/simulator/simulator-billing.ts';
import { createStripeBilling } from '../../src/adapters/billing/stripe/stripe-billing.ts';
import { startFakeStripe } from '../fakes/stripe-server.ts';
import { billingContract } from './billing.contract.ts';

const SECRET = 'whsec_contract_secret_0123456789';
const quiet = { warn() {}, error() {} };

billingContract('stripe (fake Stripe)', async () => {
  const fake = await startFakeStripe();
  const billing = createStripeBilling({
    secretKey: fake.secretKey,
    webhookSecret: SECRET,
    api: fake.api,
    log: quiet,
  });
  return {
    billing,
    webhookSecret: SECRET,
    prices: ['price_basic', 'price_premium'],
    async subscribe(customer, userId, priceId) {
      const subscriptionId = fake.addSubscription({
        customer,
        priceId,
        userId,
        status: 'active',
        currentPeriodEnd: Math.floor(Date.now() / 1000) + 30 * 86_400,
      });
      const amount = priceId === 'price_premium' ? 2900 : 900;
      const { invoiceId } = fake.addInvoice({ customer, amount, subscription: subscriptionId });
      return { subscriptionId, invoiceId, amount };
    },
    async failRenewal(customer, subscriptionId) {
      (fake.state.subscriptions.get(subscriptionId) as { status: string }).status = 'past_due';
      return fake.addInvoice({ customer, amount: 900, status: 'open', subscription: subscriptionId })
        .invoiceId;
    },
    cleanup: () => fake.close(),
  };
});

let seeds = 0;
billingContract('simulator', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'gatehouse-sim-'));
  const billing = createSimulatorBilling({
    file: join(dir, 'sim.db'),
    webhookSecret: SECRET,
    pagesUrl: 'http://localhost:3000/billing/simulator',
    prices: [
      { id: 'price_sim_basic', name: 'Basic', amount: 900, currency: 'usd', interval: 'month' },
      { id: 'price_sim_premium', name: 'Premium', amount: 2900, currency: 'usd', interval: 'month' },
    ],
    log: quiet,
  });
  const sim = billing.simulator;
  if (!sim) throw new Error('the simulator has its pages');
  // The simulator announces what it does as signed events; the contract reads ids from them.
  const events: { type: string; data: { object: { id: string; amount_paid?: number } } }[] = [];
  sim.setDelivery(async (payload) => {
    events.push(JSON.parse(payload));
    return 200;
  });
  return {
    billing,
    webhookSecret: SECRET,
    prices: ['price_sim_basic', 'price_sim_premium'],
    async subscribe(customerId, userId, priceId) {
      const session = await billing.createCheckoutSession(
        { customerId, priceId, userId, successUrl: 'http://x/ok', cancelUrl: 'http://x/no' },
        `seed-${customerId}-${priceId}-${++seeds}`,
      );
      const before = events.length;
      await sim.completeCheckout(session.id, 'pay');
      await sim.idle();
      const fresh = events.slice(before);
      const sub = fresh.find((e) => e.type === 'customer.subscription.created')?.data.object;
      const invoice = fresh.find((e) => e.type === 'invoice.paid')?.data.object;
      if (!sub || !invoice) throw new Error('paying did not announce a subscription and an invoice');
      return { subscriptionId: sub.id, invoiceId: invoice.id, amount: invoice.amount_paid ?? 0 };
    },
    async failRenewal(customerId) {
      const { url } = await billing.createPortalSession(
        { customerId, returnUrl: 'http://x/' },
        `fail-${customerId}`,
      );
      const before = events.length;
      await sim.portalAction(String(url.split('/').pop()), { kind: 'fail_renewal' });
      await sim.idle();
      const failed = events.slice(before).find((e) => e.type === 'invoice.payment_failed')?.data.object;
      if (!failed) throw new Error('the failed renewal announced no invoice');
      return failed.id;
    },
    async cleanup() {
      await sim.idle();
      billing.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});
