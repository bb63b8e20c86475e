/**
 * /api/admin/users/:id and what hangs off it: one user as the console shows them (profile, plan,
 * sessions, linked providers), their invoices, signing one of their sessions out, and refunding one
 * of their invoices. Admin only, like the rest of /api/admin: admin.routes.ts registers these inside
 * its admin scope (admin-kit.ts), whose guard they rely on. An unknown user is 404.
 */
import { Type } from 'typebox';
import {
  refundUserInvoice,
  signOutUserSession,
  userDetail,
  userInvoices,
} from '../../services/admin-users.ts';
import { meta } from '../plugins/auth.ts';
import { AdminInvoices, AdminUserDetail, UserRefundBody, UserSessionParams } from '../schemas/admin.ts';
import { RefundAnswer } from '../schemas/billing.ts';
import { UserIdParams } from '../schemas/users.ts';
import { actor, adminUserOut, eventOut, peopleOf } from './admin-kit.ts';
import { identityOut, invoiceOut, providerNames, refundOut, sessionOut } from './outputs.ts';
import type { App, RouteOptions } from './route-kit.ts';

export async function adminUserRoutes(app: App, { deps }: RouteOptions) {
  const tags = ['Administration'];

  app.get(
    '/users/:id',
    {
      schema: {
        tags,
        summary:
          'One user: profile, plan and subscription, live sessions, linked sign-in providers, recent events',
        description: 'Invoices: GET /api/admin/users/:id/invoices.',
        params: UserIdParams,
        response: { 200: AdminUserDetail },
      },
    },
    async (request) => {
      const d = await userDetail(deps, actor(request), request.params.id, meta(request));
      const names = providerNames(deps);
      return {
        user: {
          ...adminUserOut(d),
          phone_number: d.profile.phoneNumber,
          ...(d.profile.address ? { address: d.profile.address } : {}),
          has_password: d.user.hasPassword,
          updated_at: d.profile.updatedAt,
        },
        subscription: d.subscription,
        sessions: d.sessions.map(sessionOut),
        identities: d.identities.map((l) => identityOut(l, names)),
        activity: { events: d.activity.map(eventOut), users: await peopleOf(deps, d.activity) },
      };
    },
  );

  app.get(
    '/users/:id/invoices',
    {
      schema: {
        tags,
        summary: "The user's invoices, newest first, from the billing provider, with what was refunded",
        params: UserIdParams,
        response: { 200: AdminInvoices },
      },
    },
    async (request) => {
      const { invoices, refunded } = await userInvoices(deps, request.params.id);
      return { invoices: invoices.map(invoiceOut), refunded };
    },
  );

  app.delete(
    '/users/:id/sessions/:session',
    {
      schema: {
        tags,
        summary: 'Sign one of the user’s devices out (its session ends at once)',
        params: UserSessionParams,
        response: { 204: Type.Null() },
      },
    },
    async (request, reply) => {
      const { id, session } = request.params;
      await signOutUserSession(deps, actor(request), id, session, meta(request));
      return reply.status(204).send(null);
    },
  );

  app.post(
    '/users/:id/refunds',
    {
      schema: {
        tags,
        summary: "Refund one of the user's invoices, in full or in part",
        description:
          'The invoice must be one of this user’s (else 404). `amount` in the smallest currency unit; omitted, the whole payment.',
        params: UserIdParams,
        body: UserRefundBody,
        response: { 200: RefundAnswer },
      },
    },
    async (request) => {
      const refund = await refundUserInvoice(
        deps,
        actor(request),
        request.params.id,
        {
          invoiceId: request.body.invoice_id,
          ...(request.body.amount ? { amount: request.body.amount } : {}),
        },
        meta(request),
      );
      return refundOut(refund);
    },
  );
}
