/**
 * Composition, continued: the billing adapter the configuration asks for, and the prices of the
 * paid plans on it. Stripe's SDK loads only when chosen; the simulator's pages come back on their
 * own (ports/dev-billing.ts), never on the billing port services receive.
 */
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createSimulatorBilling } from '../adapters/billing/simulator/simulator-billing.ts';
import type { Config } from '../config/config.ts';
import { ConfigError } from '../config/settings.ts';
import { PAID_PLANS, type PaidPlan, type PlanTable, planDefinition } from '../domain/plans.ts';
import type { Billing } from '../ports/billing.ts';
import type { BillingSimulator } from '../ports/dev-billing.ts';
import type { Secrets } from '../ports/secrets.ts';
import type { Logger } from '../services/deps.ts';

/**
 * The billing adapter: Stripe when BILLING=stripe (or unset with a STRIPE_SECRET_KEY), else the
 * offline simulator. The simulator signs and verifies its own events, with STRIPE_WEBHOOK_SECRET
 * when it is set (tests sign events of their own with it), else a secret made fresh per process.
 */
export async function createBilling(
  config: Config,
  plans: PlanTable,
  secrets: Secrets,
  dataDir: string,
  log: Logger,
  clock: () => number,
): Promise<{
  billing: Billing & { close?(): void };
  simulator?: BillingSimulator;
  prices: Record<PaidPlan, string>;
}> {
  const secretKey = await secrets.get('STRIPE_SECRET_KEY');
  const webhookSecret = await secrets.get('STRIPE_WEBHOOK_SECRET');
  const mode = config.billing ?? (secretKey ? 'stripe' : 'simulator');
  if (mode === 'stripe') {
    const need = (name: string, value: string | undefined): string => {
      if (!value) throw new ConfigError(name, 'is required with BILLING=stripe');
      return value;
    };
    const prices = {
      basic: need('STRIPE_PRICE_BASIC', config.stripePriceBasic),
      premium: need('STRIPE_PRICE_PREMIUM', config.stripePricePremium),
    };
    const base = config.stripeApiBase ? new URL(config.stripeApiBase) : null;
    const { createStripeBilling } = await import('../adapters/billing/stripe/stripe-billing.ts');
    const billing = createStripeBilling({
      secretKey: need('STRIPE_SECRET_KEY', secretKey),
      webhookSecret: need('STRIPE_WEBHOOK_SECRET', webhookSecret),
      ...(base
        ? {
            api: {
              host: base.hostname,
              port: Number(base.port || (base.protocol === 'https:' ? 443 : 80)),
              protocol: base.protocol === 'https:' ? ('https' as const) : ('http' as const),
            },
          }
        : {}),
      clock,
      log,
    });
    return { billing, prices };
  }
  const prices: Record<PaidPlan, string> = { basic: 'price_sim_basic', premium: 'price_sim_premium' };
  // The simulator's pages go in Deps on their own: the billing port given to services has none.
  const { simulator, ...billing } = createSimulatorBilling({
    file: join(dataDir, 'billing-simulator.db'),
    webhookSecret: webhookSecret || `whsec_sim_${randomBytes(24).toString('base64url')}`,
    pagesUrl: `${config.appOrigin}/billing/simulator`,
    prices: PAID_PLANS.map((id) => {
      const plan = planDefinition(plans, id);
      return {
        id: prices[id],
        name: plan.name,
        amount: plan.price,
        currency: plans.currency,
        interval: plan.interval,
      };
    }),
    clock,
    log,
    retrySpeedup: config.simulatorRetrySpeedup,
  });
  return { billing, simulator, prices };
}
