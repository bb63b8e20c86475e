/**
 * An administrator's view of one user and the actions taken from it: the profile with the plan,
 * the live browser sessions and linked sign-in providers; signing one session out; refunding one
 * of the user's own invoices. Every one of them is audited with the administrator as actor and the
 * user as subject, so it shows in the user's history on the console.
 */
import { AppError } from '../domain/errors.ts';
import type { IdentityUser } from '../ports/identity.ts';
import { audit } from './audit.ts';
import { listInvoices, refundInvoice, subscriptionView } from './billing.service.ts';
import type { Deps, RequestMeta } from './deps.ts';
import { syncProfile } from './profiles.ts';
import { listSessions, revokeSession } from './sessions.service.ts';

async function userOrNotFound(deps: Deps, userId: string): Promise<IdentityUser> {
  const user = await deps.identity.adminGetUser(userId);
  if (!user) throw new AppError('NOT_FOUND', 'No such user.');
  return user;
}

export async function userDetail(deps: Deps, actorId: string, userId: string, meta: RequestMeta) {
  const user = await userOrNotFound(deps, userId);
  const profile = (await deps.store.profiles.get(userId)) ?? (await syncProfile(deps, user));
  const [subscription, sessions, identities] = await Promise.all([
    subscriptionView(deps, profile),
    listSessions(deps, userId),
    deps.store.identities.listForUser(userId),
  ]);
  await audit(deps, { type: 'admin.user.viewed', actorId, subjectId: userId, ip: meta.ip });
  return {
    user,
    profile,
    subscription,
    sessions: [...sessions].sort((a, b) => b.lastSeenAt - a.lastSeenAt),
    identities,
  };
}

/** The user's invoices, newest first (from the billing provider). */
export async function userInvoices(deps: Deps, userId: string) {
  await userOrNotFound(deps, userId);
  return listInvoices(deps, userId);
}

export async function signOutUserSession(
  deps: Deps,
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
  deps: Deps,
  actorId: string,
  userId: string,
  input: { invoiceId: string; amount?: number },
  meta: RequestMeta,
) {
  const invoices = await userInvoices(deps, userId);
  if (!invoices.some((i) => i.id === input.invoiceId)) {
    throw new AppError('NOT_FOUND', 'This user has no such invoice.');
  }
  return refundInvoice(deps, actorId, { ...input, userId }, meta);
}
