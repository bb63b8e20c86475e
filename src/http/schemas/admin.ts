/**
 * Schemas of the administrator's view of one user (GET /api/admin/users/:id and what hangs off it).
 * Records a user also sees of themselves (subscription, invoices, linked accounts) use the very
 * schemas of the user's own routes, so the console shows exactly what the user is shown.
 */
import { Type } from 'typebox';
import { InvoicesAnswer, RefundBody, SubscriptionAnswer } from './billing.ts';
import { NullableString } from './common.ts';
import { IdentitiesAnswer } from './oauth.ts';
import { AddressOut, AdminUser, AuditList } from './users.ts';

export const AdminSession = Type.Object(
  {
    id: Type.String(),
    device: Type.String({ description: 'The browser’s user agent' }),
    ip: Type.String(),
    created_at: Type.String(),
    last_seen_at: Type.String(),
  },
  { additionalProperties: false },
);

export const AdminUserDetail = Type.Object(
  {
    user: Type.Object(
      {
        ...AdminUser.properties,
        phone_number: NullableString(),
        address: Type.Optional(AddressOut),
        has_password: Type.Boolean({ description: 'False for an account made by social sign-in' }),
        updated_at: Type.String(),
      },
      { additionalProperties: false },
    ),
    subscription: SubscriptionAnswer,
    sessions: Type.Array(AdminSession, { description: 'Browser sessions still live, newest first' }),
    identities: IdentitiesAnswer.properties.identities,
    activity: Type.Object(
      { events: AuditList.properties.events, users: AuditList.properties.users },
      {
        additionalProperties: false,
        description:
          "The user's last 20 events (administrators' looks at the account left out); all of them: GET /api/admin/audit?subject_id=:id",
      },
    ),
  },
  { additionalProperties: false },
);

export const AdminInvoices = Type.Object(
  {
    invoices: InvoicesAnswer.properties.invoices,
    refunded: Type.Record(Type.String(), Type.Integer(), {
      description:
        'By invoice id: how much was refunded through Gatehouse (smallest currency unit); refunds made elsewhere are not counted',
    }),
  },
  { additionalProperties: false },
);

export const UserSessionParams = Type.Object({
  id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,128}$' }),
  session: Type.String({ pattern: '^[A-Za-z0-9_-]{16}$' }),
});

/** A refund of one of this user's invoices: the same body as POST /api/admin/refunds. */
export const UserRefundBody = RefundBody;
