/**
 * Deleting an account (DELETE /api/users/me, and DELETE /api/admin/users/:id to finish one that
 * stopped half-way). The order is what keeps a failure safe:
 *
 * 1. Lock: disable the identity and void every session and token. From here nobody can sign in
 *    as this user or act with an old credential, whatever happens next.
 * 2. Data: billing (open checkouts expired, subscriptions cancelled now, the provider's customer
 *    deleted, so nothing bills the account again and its portal links die), file records then
 *    file bytes (a file is never listed without its bytes), then a sweep of the user's blob
 *    prefixes (photos, and any bytes a failure or a crash left without a record), the browser
 *    sessions, the linked social accounts, and the profile last.
 * 3. Identity: deleted only when nothing it owns is left, so no data is ever without an owner.
 *
 * Every step is idempotent and retried (3 tries, backing off) on failures that may pass. If one
 * still fails, the account stays disabled with its remaining data attached, the caller gets 503,
 * and running the deletion again (an administrator's DELETE) resumes where it stopped.
 */

import { AppError, isAppError } from '../domain/errors.ts';
import type { Blobs } from '../ports/blobs.ts';
import type { IdentityProvider } from '../ports/identity.ts';
import type { Store } from '../ports/store.ts';
import { type AuditDeps, audit } from './audit.ts';
import { type BillingDeps, closeBillingForDeletion } from './billing.ts';
import type { Deps, RequestMeta } from './deps.ts';
import { deleteAllFiles, type FilesDeps } from './files.ts';
import { type NoticesDeps, notify } from './notices.ts';
import { type RevocationDeps, revokeEverything } from './revocation.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type AccountDeletionDeps = Pick<Deps, 'log'> & {
  readonly blobs: Pick<Blobs, 'delete' | 'list'>;
  readonly identity: Pick<IdentityProvider, 'adminDeleteUser' | 'adminDisableUser' | 'adminGetUser'>;
  readonly store: Pick<Store, 'identities' | 'profiles' | 'sessions'>;
} & AuditDeps &
  BillingDeps &
  FilesDeps &
  NoticesDeps &
  RevocationDeps;

const RETRIES = [50, 250];

/** Runs fn, retrying on failures that are not the caller's fault (4xx AppErrors are final). */
async function step<T>(deps: AccountDeletionDeps, name: string, fn: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (err) {
      const final = isAppError(err) && err.status < 500;
      const wait = RETRIES[attempt];
      if (final || wait === undefined) {
        deps.log.error({ err, step: name }, 'account deletion stopped');
        if (final) throw err;
        throw new AppError(
          'UNAVAILABLE',
          'The account is locked but not fully deleted yet. Try again in a moment.',
          { cause: err },
        );
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }
}

async function sweepBlobs(deps: AccountDeletionDeps, prefix: string): Promise<void> {
  for (;;) {
    const { keys } = await deps.blobs.list(prefix, { limit: 500 });
    if (keys.length === 0) return;
    for (const key of keys) await deps.blobs.delete(key);
  }
}

export async function deleteAccount(
  deps: AccountDeletionDeps,
  actorId: string,
  userId: string,
  meta: RequestMeta | null,
): Promise<void> {
  const user = await step(deps, 'read identity', () => deps.identity.adminGetUser(userId));
  if (!user) throw new AppError('NOT_FOUND', 'No such user.');

  await step(deps, 'disable identity', () => deps.identity.adminDisableUser(userId));
  await step(deps, 'revoke sessions and tokens', () => revokeEverything(deps, userId));
  await step(deps, 'mark profile disabled', async () => {
    const profile = await deps.store.profiles.get(userId);
    if (profile?.enabled) await deps.store.profiles.put({ ...profile, enabled: false });
  });

  await step(deps, 'close billing', () => closeBillingForDeletion(deps, userId));
  const files = await step(deps, 'delete files', () => deleteAllFiles(deps, userId));
  await step(deps, 'sweep file bytes', () => sweepBlobs(deps, `files/${userId}/`));
  await step(deps, 'delete photos', () => sweepBlobs(deps, `photos/${userId}/`));
  await step(deps, 'delete sessions', () => deps.store.sessions.deleteAllForUser(userId));
  await step(deps, 'delete linked identities', () => deps.store.identities.deleteAllForUser(userId));
  await step(deps, 'delete profile', () => deps.store.profiles.delete(userId));
  await step(deps, 'delete identity', () => deps.identity.adminDeleteUser(userId));

  await audit(deps, {
    type: 'user.deleted',
    actorId,
    subjectId: userId,
    ip: meta?.ip ?? null,
    detail: { files },
  });
  // To the address read before anything was deleted: the account cannot be asked any more.
  await notify(
    deps,
    userId,
    { kind: 'account-deleted', byAdministrator: actorId !== userId },
    { to: user.email },
  );
}
