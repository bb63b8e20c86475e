/** Schemas of /api/billing, the Stripe webhook and the admin refund route. */
import { Type } from 'typebox';
import { Body, NullableString, StringEnum } from './common.ts';
import { INVOICE_ID } from './formats.ts';

const PlanId = StringEnum(['trial', 'basic', 'premium']);

export const PlansAnswer = Type.Object(
  {
    plans: Type.Array(
      Type.Object(
        {
          id: PlanId,
          name: Type.String(),
          price: Type.Integer({ description: 'Smallest currency unit (cents) per interval' }),
          currency: Type.String(),
          interval: StringEnum(['month', 'year']),
          features: Type.Array(Type.String()),
          trial_days: Type.Optional(Type.Integer()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const CheckoutBody = Body({ plan: StringEnum(['basic', 'premium']) });
export const UrlAnswer = Type.Object({ url: Type.String() }, { additionalProperties: false });

export const SubscriptionAnswer = Type.Object(
  {
    plan: PlanId,
    plan_name: Type.String(),
    status: Type.String({
      description: "Stripe's subscription status, or trialing / trial_expired without one",
    }),
    current_period_end: NullableString(),
    cancel_at_period_end: Type.Boolean(),
    trial_ends_at: NullableString(),
    payment_failed: Type.Boolean({
      description: 'The last payment failed and the provider is still retrying',
    }),
    mode: StringEnum(['stripe', 'simulator']),
  },
  { additionalProperties: false },
);

export const InvoicesAnswer = Type.Object(
  {
    invoices: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          number: NullableString(),
          status: Type.String(),
          amount_due: Type.Integer(),
          amount_paid: Type.Integer(),
          currency: Type.String(),
          created_at: Type.String(),
          hosted_invoice_url: NullableString(),
          invoice_pdf: NullableString(),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const RefundBody = Body({
  invoice_id: Type.String({ pattern: INVOICE_ID }),
  amount: Type.Optional(
    Type.Integer({ minimum: 1, description: 'Smallest currency unit; omitted: the whole payment' }),
  ),
});
export const RefundAnswer = Type.Object(
  { refund_id: Type.String(), amount: Type.Integer(), currency: Type.String(), status: Type.String() },
  { additionalProperties: false },
);
export const WebhookAnswer = Type.Object({ received: Type.Literal(true) }, { additionalProperties: false });
