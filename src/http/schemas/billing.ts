/** Schemas of /api/billing, the Stripe webhook and the admin refund route. */
import { Type } from 'typebox';
import { Body, NullableString, StringEnum } from './common.ts';
import { INVOICE_ID } from './formats.ts';

const PlanId = StringEnum(['free', 'trial', 'basic', 'premium']);
const PaidPlanId = StringEnum(['basic', 'premium']);
const NullablePaidPlan = () =>
  Type.Unsafe<'basic' | 'premium' | null>({ type: ['string', 'null'], enum: ['basic', 'premium', null] });
/** The same schema with a description for the OpenAPI document. */
const described = <T extends object>(schema: T, description: string): T => ({ ...schema, description });

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

export const CheckoutBody = Body({ plan: PaidPlanId });
export const UrlAnswer = Type.Object({ url: Type.String() }, { additionalProperties: false });

export const ChangePlanBody = Body({ plan: PaidPlanId });
export const ChangePlanAnswer = Type.Object(
  {
    plan: PaidPlanId,
    effective: described(
      StringEnum(['now', 'period_end']),
      'now: an upgrade, prorated on the next invoice; period_end: a downgrade, at the renewal',
    ),
    effective_at: NullableString(),
  },
  { additionalProperties: false },
);

export const SubscriptionAnswer = Type.Object(
  {
    plan: PlanId,
    plan_name: Type.String(),
    state: described(
      StringEnum(['trial', 'trial_ended', 'active', 'canceling', 'past_due', 'unpaid', 'ended']),
      'Where the account is: on its trial, the trial ended, paid and renewing, cancelled but paid until the period ends, a payment failed (retrying), unpaid (retries over), or a paid plan ended (free tier)',
    ),
    status: Type.String({
      description: "Stripe's subscription status, or trialing / trial_expired without one",
    }),
    current_period_end: described(
      NullableString(),
      'The renewal (active) or the end of paid access (canceling); null otherwise',
    ),
    cancel_at_period_end: Type.Boolean(),
    scheduled_plan: described(
      NullablePaidPlan(),
      'The plan it switches to at current_period_end (a downgrade), else null',
    ),
    scheduled_plan_name: NullableString(),
    ended_plan: described(NullablePaidPlan(), 'The paid plan that ended (ended, unpaid)'),
    ended_plan_name: NullableString(),
    trial_ends_at: NullableString(),
    payment_failed: Type.Boolean({
      description: 'The last payment failed: the customer should update their payment method',
    }),
    uploads_allowed: Type.Boolean(),
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
          status: described(
            StringEnum(['draft', 'open', 'paid', 'void', 'uncollectible']),
            'void: cancelled, nothing is owed',
          ),
          subscription_id: NullableString(),
          amount_due: Type.Integer(),
          amount_paid: Type.Integer(),
          currency: Type.String(),
          created_at: Type.String(),
          hosted_invoice_url: NullableString(),
          invoice_pdf: NullableString(),
          lines: Type.Array(
            Type.Object(
              {
                description: Type.String(),
                amount: Type.Integer({ description: 'Smallest currency unit; negative for a credit' }),
                proration: Type.Boolean(),
              },
              { additionalProperties: false },
            ),
          ),
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
