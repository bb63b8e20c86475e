/**
 * Administration: listing users and the audit trail, enable/disable and group membership.
 * Disabling ends every session and token of the user at once (SECURITY 27); every change is
 * audited with its actor. An administrator cannot disable themselves or drop their own admin
 * group, so the last administrator cannot lock everyone out by accident.
 */

import { AppError } from '../domain/errors.ts';
import { KNOWN_GROUPS } from '../domain/groups.ts';
import type { Plan } from '../domain/plans.ts';
import type { IdentityProvider } from '../ports/identity.ts';
import type { AuditEvent, AuditQuery, Page, Profile, ProfileQuery, Store } from '../ports/store.ts';
import { type AuditDeps, audit } from './audit.ts';
import type { RequestMeta } from './deps.ts';
import { type EntitlementsDeps, entitlementsOf } from './entitlements.ts';
import { type ProfilesDeps, refreshProfile } from './profiles.ts';
import { type RevocationDeps, revokeEverything } from './revocation.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type AdminDeps = {
  readonly identity: Pick<
    IdentityProvider,
    | 'adminAddUserToGroup'
    | 'adminDisableUser'
    | 'adminEnableUser'
    | 'adminGetUser'
    | 'adminRemoveUserFromGroup'
  >;
  readonly store: Pick<Store, 'audit' | 'billing' | 'profiles'>;
} & AuditDeps &
  EntitlementsDeps &
  ProfilesDeps &
  RevocationDeps;

async function mustExist(deps: AdminDeps, userId: string): Promise<void> {
  if (!(await deps.identity.adminGetUser(userId))) throw new AppError('NOT_FOUND', 'No such user.');
}

export async function setEnabled(
  deps: AdminDeps,
  actorId: string | null,
  userId: string,
  enabled: boolean,
  meta: RequestMeta | null,
): Promise<void> {
  await mustExist(deps, userId);
  if (enabled) {
    await deps.identity.adminEnableUser(userId);
  } else {
    await deps.identity.adminDisableUser(userId);
    await revokeEverything(deps, userId);
  }
  await refreshProfile(deps, userId);
  await audit(deps, {
    type: enabled ? 'user.enabled' : 'user.disabled',
    actorId,
    subjectId: userId,
    ip: meta?.ip ?? null,
  });
}

export async function changeGroup(
  deps: AdminDeps,
  actorId: string | null,
  userId: string,
  group: string,
  action: 'add' | 'remove',
  meta: RequestMeta | null,
): Promise<void> {
  if (!(KNOWN_GROUPS as readonly string[]).includes(group))
    throw new AppError('VALIDATION_FAILED', `Unknown group "${group}".`);
  await mustExist(deps, userId);
  if (action === 'add') await deps.identity.adminAddUserToGroup(userId, group);
  else await deps.identity.adminRemoveUserFromGroup(userId, group);
  // Tokens carry groups: a removal must not linger in tokens issued before it.
  if (action === 'remove') await revokeEverything(deps, userId);
  await refreshProfile(deps, userId);
  await audit(deps, {
    type: action === 'add' ? 'user.group.added' : 'user.group.removed',
    actorId,
    subjectId: userId,
    ip: meta?.ip ?? null,
    detail: { group },
  });
}

/** A user as administrators see them: the profile, with the plan their billing state gives. */
export interface AdminUser {
  readonly profile: Profile;
  readonly plan: Plan;
}

export const withPlan = async (deps: AdminDeps, profile: Profile): Promise<AdminUser> => ({
  profile,
  plan: entitlementsOf(deps, { profile, billing: await deps.store.billing.get(profile.userId) }).plan,
});

export async function listUsers(deps: AdminDeps, query: ProfileQuery): Promise<Page<AdminUser>> {
  const page = await deps.store.profiles.list(query);
  return { ...page, items: await Promise.all(page.items.map((p) => withPlan(deps, p))) };
}

export const listAudit = (deps: AdminDeps, query: AuditQuery): Promise<Page<AuditEvent>> =>
  deps.store.audit.list(query);

/** PATCH /api/admin/users/:id: `groups` is the whole new set; only the differences are applied. */
export async function updateUser(
  deps: AdminDeps,
  actorId: string,
  userId: string,
  change: { enabled?: boolean; groups?: readonly string[] },
  meta: RequestMeta,
): Promise<AdminUser> {
  const user = await deps.identity.adminGetUser(userId);
  if (!user) throw new AppError('NOT_FOUND', 'No such user.');
  const wanted = change.groups === undefined ? undefined : [...new Set(change.groups)];
  for (const g of wanted ?? []) {
    if (!(KNOWN_GROUPS as readonly string[]).includes(g))
      throw new AppError('VALIDATION_FAILED', `Unknown group "${g}".`);
  }
  if (actorId === userId && (change.enabled === false || (wanted && !wanted.includes('admin')))) {
    throw new AppError('SELF_LOCKOUT', 'You cannot disable your own account or remove your own admin role.');
  }
  if (wanted) {
    for (const g of wanted.filter((g) => !user.groups.includes(g)))
      await changeGroup(deps, actorId, userId, g, 'add', meta);
    for (const g of user.groups.filter((g) => !wanted.includes(g)))
      await changeGroup(deps, actorId, userId, g, 'remove', meta);
  }
  if (change.enabled !== undefined && change.enabled !== user.enabled) {
    await setEnabled(deps, actorId, userId, change.enabled, meta);
  }
  const profile = await refreshProfile(deps, userId);
  if (!profile) throw new AppError('NOT_FOUND', 'No such user.');
  return withPlan(deps, profile);
}
