/**
 * What the /api/admin route files share: the admin-only guard (run right after authentication,
 * before the body is parsed, so a non-admin learns nothing but 403), the acting administrator,
 * and how users and audit events are shown.
 */
import type { FastifyRequest } from 'fastify';
import { AppError } from '../../domain/errors.ts';
import type { Plan } from '../../domain/plans.ts';
import type { AuditEvent, Profile } from '../../ports/store.ts';
import type { Deps } from '../../services/deps.ts';
import { entitlementsOf } from '../../services/entitlements.ts';

export const actor = (request: FastifyRequest) =>
  (request.principal as NonNullable<FastifyRequest['principal']>).userId;

export async function requireAdmin(request: FastifyRequest): Promise<void> {
  if (!request.principal?.groups.includes('admin')) {
    throw new AppError('FORBIDDEN', 'This needs the admin role.');
  }
}

const userOut = (p: Profile, plan: Plan) => ({
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

/** A user as the admin lists show them, with the plan their billing state gives. */
export const adminUserOut = async (deps: Deps, p: Profile) =>
  userOut(p, entitlementsOf(deps, { profile: p, billing: await deps.store.billing.get(p.userId) }).plan);

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
