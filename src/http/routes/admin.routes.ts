/**
 * /api/admin: users and the audit trail, for the `admin` group only. The group check runs right
 * after authentication, before the body is parsed, so a non-admin learns nothing but 403. Every
 * admin action, reads of users and of the audit trail included, is itself audited.
 */
import { AppError } from '../../domain/errors.ts';
import { deleteAccount } from '../../services/account-deletion.ts';
import { listAudit, listUsers, updateUser } from '../../services/admin.ts';
import { audit } from '../../services/audit.ts';
import { refundInvoice } from '../../services/billing.ts';
import { meta } from '../plugins/auth.ts';
import { RefundAnswer, RefundBody } from '../schemas/billing.ts';
import { Message } from '../schemas/common.ts';
import {
  AdminUser,
  AdminUserList,
  AdminUserPatch,
  AdminUserQuery,
  AuditList,
  AuditQueryParams,
  UserIdParams,
} from '../schemas/users.ts';
import { actor, adminScope, adminUserOut, eventOut, peopleOf } from './admin-kit.ts';
import { adminUserRoutes } from './admin-user.routes.ts';
import { refundOut } from './outputs.ts';
import type { App, RouteOptions } from './route-kit.ts';

export async function adminRoutes(app: App, opts: RouteOptions) {
  const { deps } = opts;
  await adminScope(app, async (scope) => {
    // Not `opts`: it carries this plugin's prefix, which the child would add a second time.
    await scope.register(adminUserRoutes, { deps, verifier: opts.verifier });

    scope.get(
      '/users',
      {
        schema: {
          tags: ['Administration'],
          summary: 'Users, newest first; search matches the start of the email or name',
          querystring: AdminUserQuery,
          response: { 200: AdminUserList },
        },
      },
      async (request) => {
        const { limit = '20', cursor, search, status, group } = request.query;
        const page = await listUsers(deps, {
          limit: Number(limit),
          ...(cursor ? { cursor } : {}),
          ...(search ? { search } : {}),
          ...(status ? { enabled: status === 'enabled' } : {}),
          ...(group ? { group } : {}),
        });
        await audit(deps, {
          type: 'admin.users.viewed',
          actorId: actor(request),
          ip: request.ip,
          detail: { search: search ?? null, status: status ?? null, group: group ?? null },
        });
        return {
          users: page.items.map(adminUserOut),
          ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}),
        };
      },
    );

    scope.patch(
      '/users/:id',
      {
        schema: {
          tags: ['Administration'],
          summary: 'Enable or disable a user, or set their groups (the whole set)',
          description:
            'Disabling ends every session and token of the user at once. Removing a group voids tokens that carried it. You cannot disable yourself or drop your own admin role (409 SELF_LOCKOUT).',
          params: UserIdParams,
          body: AdminUserPatch,
          response: { 200: AdminUser },
        },
      },
      async (request) =>
        adminUserOut(await updateUser(deps, actor(request), request.params.id, request.body, meta(request))),
    );

    scope.delete(
      '/users/:id',
      {
        schema: {
          tags: ['Administration'],
          summary: "Delete a user's account and data (also finishes a deletion that stopped half-way)",
          params: UserIdParams,
          response: { 200: Message },
        },
      },
      async (request) => {
        if (request.params.id === actor(request)) {
          throw new AppError('SELF_LOCKOUT', 'Delete your own account from your profile, not from here.');
        }
        await deleteAccount(deps, actor(request), request.params.id, meta(request));
        return { message: 'The account and its data have been deleted.' };
      },
    );

    scope.get(
      '/audit',
      {
        schema: {
          tags: ['Administration'],
          summary: 'The audit trail, newest first, filtered by type, actor or subject',
          querystring: AuditQueryParams,
          response: { 200: AuditList },
        },
      },
      async (request) => {
        const { limit = '50', cursor, type, actor_id, subject_id } = request.query;
        const page = await listAudit(deps, {
          limit: Number(limit),
          ...(cursor ? { cursor } : {}),
          ...(type ? { type } : {}),
          ...(actor_id ? { actorId: actor_id } : {}),
          ...(subject_id ? { subjectId: subject_id } : {}),
        });
        await audit(deps, {
          type: 'admin.audit.viewed',
          actorId: actor(request),
          ip: request.ip,
          detail: { type: type ?? null, actor_id: actor_id ?? null, subject_id: subject_id ?? null },
        });
        return {
          events: page.items.map(eventOut),
          users: await peopleOf(deps, page.items),
          ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}),
        };
      },
    );

    scope.post(
      '/refunds',
      {
        schema: {
          tags: ['Administration'],
          summary: "Refund an invoice's payment, in full or in part, through the billing provider",
          body: RefundBody,
          response: { 200: RefundAnswer },
        },
      },
      async (request) => {
        const refund = await refundInvoice(
          deps,
          actor(request),
          {
            invoiceId: request.body.invoice_id,
            ...(request.body.amount ? { amount: request.body.amount } : {}),
          },
          meta(request),
        );
        return refundOut(refund);
      },
    );
  });
}
