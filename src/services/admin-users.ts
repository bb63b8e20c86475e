/**
 * An administrator's view of one user and the actions taken from it: the profile with the plan,
 * the live browser sessions and linked sign-in providers; signing one session out; refunding one
 * of the user's own invoices. Every one of them is audited with the administrator as actor and the
 * user as subject, so it shows in the user's history on the console.
 */
import { AppError } from '../domain/errors.ts';
import type { IdentityProvider, IdentityUser } from '../ports/identity.ts';
import type { Store } from '../ports/store.ts';
import { type AuditDeps, audit } from './audit.ts';
import { type BillingDeps, listInvoices, refundInvoice, subscriptionView } from './billing.ts';
import type { RequestMeta } from './deps.ts';
import { type ProfilesDeps, syncProfile } from './profiles.ts';
import { listSessions, revokeSession, type SessionsDeps } from './sessions.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type AdminUsersDeps = {
  readonly identity: Pick<IdentityProvider, 'adminGetUser'>;
  readonly store: Pick<Store, 'audit' | 'identities' | 'users'>;
} & AuditDeps &
  BillingDeps &
  ProfilesDeps &
  SessionsDeps;

async function userOrNotFound(deps: AdminUsersDeps, userId: string): Promise<IdentityUser> {
  const user = await deps.identity.adminGetUser(userId);
  if (!user) throw new AppError('NOT_FOUND', 'No such user.');
  return user;
}

/** Events about the user shown with their account: administrators' looks at it are left out. */
const RECENT = 20;

export async function userDetail(deps: AdminUsersDeps, actorId: string, userId: string, meta: RequestMeta) {
  const user = await userOrNotFound(deps, userId);
  // One read: the profile and the billing state are the one user record.
  const record = await deps.store.users.get(userId);
  const profile = record.profile ?? (await syncProfile(deps, user));
  const [subscription, sessions, identities, history] = await Promise.all([
    subscriptionView(deps, { profile, billing: record.billing }),
    listSessions(deps, userId),
    deps.store.identities.listForUser(userId),
    deps.store.audit.list({ subjectId: userId, limit: RECENT * 2 }),
  ]);
  await audit(deps, { type: 'admin.user.viewed', actorId, subjectId: userId, ip: meta.ip });
  return {
    user,
    profile,
    plan: subscription.plan,
    subscription,
    sessions: [...sessions].sort((a, b) => b.lastSeenAt - a.lastSeenAt),
    identities,
    activity: history.items.filter((e) => !e.type.startsWith('admin.')).slice(0, RECENT),
  };
}

/**
 * The user's invoices, newest first (from the billing provider), and how much of each was refunded
 * through Gatehouse (by invoice id), so a refund can start from what is left.
 */
export async function userInvoices(deps: AdminUsersDeps, userId: string) {
  await userOrNotFound(deps, userId);
  const [invoices, refunds] = await Promise.all([
    listInvoices(deps, userId),
    deps.store.audit.list({ subjectId: userId, type: 'billing.refund.created', limit: 100 }),
  ]);
  const refunded: Record<string, number> = {};
  for (const { detail } of refunds.items) {
    if (typeof detail.invoice_id === 'string' && typeof detail.amount === 'number')
      refunded[detail.invoice_id] = (refunded[detail.invoice_id] ?? 0) + detail.amount;
  }
  return { invoices, refunded };
}

export async function signOutUserSession(
  deps: AdminUsersDeps,
  actorId: string,
  userId: string,
  sessionId: string,
  meta: RequestMeta,
): Promise<void> {
  await userOrNotFound(deps, userId);
  if (!(await revokeSession(deps, userId, sessionId, meta, actorId))) {
    throw new AppError('NOT_FOUND', 'No such session: it may have ended already.');
  }
}

/** Refunds one of the user's invoices: an invoice of anyone else is NOT_FOUND here. */
export async function refundUserInvoice(
  deps: AdminUsersDeps,
  actorId: string,
  userId: string,
  input: { invoiceId: string; amount?: number },
  meta: RequestMeta,
) {
  await userOrNotFound(deps, userId);
  const invoices = await listInvoices(deps, userId);
  if (!invoices.some((i) => i.id === input.invoiceId)) {
    throw new AppError('NOT_FOUND', 'This user has no such invoice.');
  }
  return refundInvoice(deps, actorId, { ...input, userId }, meta);
}
