/** /api/billing: plans, checkout and portal links, the subscription, invoices. */
import {
  listInvoices,
  listPlans,
  openPortal,
  startCheckout,
  subscriptionView,
} from '../../services/billing.service.ts';
import { meta } from '../plugins/auth.ts';
import {
  CheckoutBody,
  InvoicesAnswer,
  PlansAnswer,
  SubscriptionAnswer,
  UrlAnswer,
} from '../schemas/billing.ts';
import { type App, type RouteOptions, signedIn, signedInUser } from './route-kit.ts';

export async function billingRoutes(app: App, { deps }: RouteOptions) {
  const profileOf = (request: Parameters<typeof signedInUser>[0]) => signedInUser(request).profile;

  app.get(
    '/plans',
    {
      schema: {
        tags: ['Billing'],
        summary: 'The plans on offer, with prices and features (public)',
        response: { 200: PlansAnswer },
      },
    },
    async () => ({ plans: listPlans(deps) }),
  );

  app.post(
    '/checkout',
    {
      preParsing: app.authenticate,
      schema: {
        security: signedIn,
        tags: ['Billing'],
        summary: 'A checkout page for a paid plan (Stripe Checkout, or the local simulator)',
        description:
          'The plan changes only when the verified webhook arrives, never on the redirect back. 409 CONFLICT when a subscription exists: use the portal.',
        body: CheckoutBody,
        response: { 200: UrlAnswer },
      },
    },
    async (request) => startCheckout(deps, profileOf(request), request.body.plan, meta(request)),
  );

  app.post(
    '/portal',
    {
      preParsing: app.authenticate,
      schema: {
        security: signedIn,
        tags: ['Billing'],
        summary: 'The billing portal: change plan, cancel, payment methods, invoices',
        response: { 200: UrlAnswer },
      },
    },
    async (request) => {
      const { url } = await openPortal(deps, profileOf(request));
      return { url };
    },
  );

  app.get(
    '/subscription',
    {
      preParsing: app.authenticate,
      schema: {
        security: signedIn,
        tags: ['Billing'],
        summary: 'The current plan and subscription status; poll it after checkout',
        response: { 200: SubscriptionAnswer },
      },
    },
    async (request) => subscriptionView(deps, signedInUser(request)),
  );

  app.get(
    '/invoices',
    {
      preParsing: app.authenticate,
      schema: {
        security: signedIn,
        tags: ['Billing'],
        summary: 'Invoices, newest first',
        response: { 200: InvoicesAnswer },
      },
    },
    async (request) => {
      const invoices = await listInvoices(deps, profileOf(request).userId);
      return {
        invoices: invoices.map((i) => ({
          id: i.id,
          number: i.number,
          status: i.status,
          amount_due: i.amountDue,
          amount_paid: i.amountPaid,
          currency: i.currency,
          created_at: new Date(i.created * 1000).toISOString(),
          hosted_invoice_url: i.hostedInvoiceUrl,
          invoice_pdf: i.invoicePdf,
        })),
      };
    },
  );
}
