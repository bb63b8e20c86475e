/** /api/billing: plans, checkout and portal links, the subscription, invoices. */
import {
  listInvoices,
  listPlans,
  openPortal,
  startCheckout,
  subscriptionView,
} from '../../services/billing.service.ts';
import { getProfile } from '../../services/users.service.ts';
import { meta } from '../plugins/auth.ts';
import {
  CheckoutBody,
  InvoicesAnswer,
  PlansAnswer,
  SubscriptionAnswer,
  UrlAnswer,
} from '../schemas/billing.ts';
import { invoiceOut } from './outputs.ts';
import { type App, type RouteOptions, signedIn } from './route-kit.ts';

export async function billingRoutes(app: App, { deps }: RouteOptions) {
  const profileOf = async (request: {
    principal: { userId: string } | null;
    profile: import('../../ports/store.ts').Profile | null;
  }) =>
    request.profile ??
    (await getProfile(deps, (request.principal as NonNullable<typeof request.principal>).userId));

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
    async (request) => startCheckout(deps, await profileOf(request), request.body.plan, meta(request)),
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
      const { url } = await openPortal(deps, await profileOf(request));
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
    async (request) => subscriptionView(deps, await profileOf(request)),
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
      const invoices = await listInvoices(deps, (await profileOf(request)).userId);
      return { invoices: invoices.map(invoiceOut) };
    },
  );
}
