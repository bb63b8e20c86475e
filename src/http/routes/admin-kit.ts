/**
 * What the /api/admin route files share: the admin scope (the signed-in scope with the admin-only
 * guard right after authentication, before the body is parsed, so a non-admin learns nothing but
 * 403), the acting administrator, and how users and audit events are shown.
 */
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.ts';
import type { AuditEvent } from '../../ports/store.ts';
import type { AdminUser } from '../../services/admin.ts';
import type { Deps } from '../../services/deps.ts';
import { callerId, principalOf, signedInRoutes } from '../signed-in.ts';
import type { App } from './route-kit.ts';

/** The acting administrator's user id. */
export const actor = callerId;

async function requireAdmin(request: FastifyRequest): Promise<void> {
  if (!principalOf(request).groups.includes('admin')) {
    throw new AppError('FORBIDDEN', 'This needs the admin role.');
  }
}

/** The scope of every /api/admin route: signed in, then in the admin group, before the body is read. */
export const adminScope = (app: App, routes: (scope: App) => Promise<void>) =>
  signedInRoutes(app, routes, { guard: requireAdmin });

/** A user as the admin lists show them, with the plan their billing state gives. */
export const adminUserOut = ({ profile: p, plan }: AdminUser) => ({
  user_id: p.userId,
  email: p.email,
  name: p.name,
  enabled: p.enabled,
  email_verified: p.emailVerified,
  mfa_enabled: p.mfaEnabled,
  groups: [...p.groups],
  plan,
  created_at: p.createdAt,
});

export const eventOut = (e: AuditEvent) => ({
  id: e.id,
  at: e.at,
  type: e.type,
  actor_id: e.actorId,
  subject_id: e.subjectId,
  ip: e.ip,
  outcome: e.outcome,
  detail: e.detail,
});

/**
 * The people a page of events names (actors and subjects), by id, so the console can write
 * "Grace disabled ada@example.com" instead of ids. A deleted account is simply absent.
 */
export async function peopleOf(deps: Deps, events: readonly AuditEvent[]) {
  const ids = [...new Set(events.flatMap((e) => [e.actorId, e.subjectId]).filter((id) => id !== null))];
  const profiles = await Promise.all(ids.map((id) => deps.store.profiles.get(id)));
  return Object.fromEntries(
    profiles.filter((p) => p !== null).map((p) => [p.userId, { email: p.email, name: p.name }]),
  );
}
