/**
 * Administrative changes to a user: enable/disable and group membership. Disabling ends every
 * session and token of the user at once (SECURITY 27); every change is audited with its actor.
 * The /api/admin routes arrive with the administration issue; confirmation uses addToGroup today.
 */
import { AppError } from '../domain/errors.ts';
import { audit } from './audit.ts';
import type { Deps, RequestMeta } from './deps.ts';
import { refreshProfile } from './profiles.ts';
import { revokeEverything } from './revocation.ts';

export const KNOWN_GROUPS = ['admin', 'user'] as const;

async function mustExist(deps: Deps, userId: string): Promise<void> {
  if (!(await deps.identity.adminGetUser(userId))) throw new AppError('NOT_FOUND', 'No such user.');
}

export async function setEnabled(
  deps: Deps,
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
  deps: Deps,
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
