/** /api/billing: plans, checkout and portal links, the subscription, invoices. */
import {
  changePlan,
  listInvoices,
  listPlans,
  openPortal,
  startCheckout,
  subscriptionView,
} from '../../services/billing.ts';
import { meta } from '../plugins/auth.ts';
import {
  ChangePlanAnswer,
  ChangePlanBody,
  CheckoutBody,
  InvoicesAnswer,
  PlansAnswer,
  SubscriptionAnswer,
  UrlAnswer,
} from '../schemas/billing.ts';
import { callerId, callerProfile, callerUser, signedInRoutes } from '../signed-in.ts';
import { invoiceOut } from './outputs.ts';
import type { App, RouteOptions } from './route-kit.ts';

export async function billingRoutes(app: App, { deps }: RouteOptions) {
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

  await signedInRoutes(app, (scope) => {
    scope.post(
      '/checkout',
      {
        schema: {
          tags: ['Billing'],
          summary: 'A checkout page for a paid plan (Stripe Checkout, or the local simulator)',
          description:
            "The plan changes only from the provider's own state (its verified webhook, or the app asking it), never on the redirect back. Opening a checkout expires the ones opened before it. 409 CONFLICT when a subscription exists: change it with POST /api/billing/change-plan.",
          body: CheckoutBody,
          response: { 200: UrlAnswer },
        },
      },
      async (request) => startCheckout(deps, callerProfile(request), request.body.plan, meta(request)),
    );

    scope.post(
      '/change-plan',
      {
        schema: {
          tags: ['Billing'],
          summary: 'Switch the subscription to another paid plan',
          description:
            'An upgrade takes effect now, prorated as Stripe does by default: a credit for the unused time on the old plan and a charge for the rest of the period on the new one, both on the next invoice. A downgrade takes effect when the period ends; choosing the current plan drops a waiting downgrade. 409 CONFLICT without a live subscription, while a payment is failing, or while the subscription is set to end. The plan shown changes when the webhook arrives.',
          body: ChangePlanBody,
          response: { 200: ChangePlanAnswer },
        },
      },
      async (request) => changePlan(deps, callerProfile(request), request.body.plan, meta(request)),
    );

    scope.post(
      '/portal',
      {
        schema: {
          tags: ['Billing'],
          summary: 'The billing portal: change plan, cancel, payment methods, invoices',
          response: { 200: UrlAnswer },
        },
      },
      async (request) => {
        const { url } = await openPortal(deps, callerProfile(request));
        return { url };
      },
    );

    scope.get(
      '/subscription',
      {
        schema: {
          tags: ['Billing'],
          summary: 'The current plan and subscription state; poll it after checkout',
          description:
            'Also compares the stored state with the billing provider at most once a minute per user, so a lost webhook does not leave the page wrong.',
          response: { 200: SubscriptionAnswer },
        },
      },
      async (request) => subscriptionView(deps, callerUser(request), { reconcile: true }),
    );

    scope.get(
      '/invoices',
      {
        schema: {
          tags: ['Billing'],
          summary: 'Invoices, newest first',
          response: { 200: InvoicesAnswer },
        },
      },
      async (request) => {
        const invoices = await listInvoices(deps, callerId(request));
        return { invoices: invoices.map(invoiceOut) };
      },
    );
  });
}
