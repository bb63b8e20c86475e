/**
 * Browser sessions: an opaque 256-bit cookie value whose SHA-256 is the store key, so a leaked
 * store does not leak live cookies. A session has an absolute and an idle lifetime, is void once
 * the user's revocation mark passes its creation, and is always created new at sign-in (a value
 * planted before sign-in is never adopted). With a provider whose user operations need the user's
 * own token (Cognito), the session keeps its sign-in's refresh token, sealed under the cookie
 * (session-idp-token.ts); otherwise that token is revoked at once.
 */

import { createHash, randomBytes } from 'node:crypto';
import type { Config } from '../config/config.ts';
import type { IdentityProvider, Tokens } from '../ports/identity.ts';
import type { SessionRecord, Store, UserRecord } from '../ports/store.ts';
import { type AuditDeps, audit } from './audit.ts';
import type { Deps, RequestMeta } from './deps.ts';
import { type RevocationDeps, sessionRevoked, waitPastMark } from './revocation.ts';
import {
  revokeSessionIdpToken,
  type SessionIdpTokenDeps,
  sealIdpToken,
  sessionsKeepIdpToken,
} from './session-idp-token.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type SessionsDeps = Pick<Deps, 'clock'> & {
  readonly identity: Pick<IdentityProvider, 'revokeRefreshToken'>;
  readonly config: Pick<Config, 'sessionIdleTtl' | 'sessionTtl'>;
  readonly store: Pick<Store, 'revocations' | 'sessions' | 'users'>;
} & AuditDeps &
  RevocationDeps &
  SessionIdpTokenDeps;

const TOUCH_EVERY_MS = 60_000;

export const hashSessionId = (value: string): string => createHash('sha256').update(value).digest('hex');

/** Creates a session for a user who just proved who they are; returns the cookie value. */
export async function createSession(
  deps: SessionsDeps,
  user: { readonly userId: string },
  tokens: Tokens | null,
  meta: RequestMeta,
  /** The user's revocation mark, when the caller has just read it. */
  mark?: number | null,
): Promise<{ cookieValue: string; session: SessionRecord }> {
  // The browser never sees tokens. The refresh family the sign-in opened is closed at once, unless
  // the provider's user operations need it: then the session keeps it, sealed (session-idp-token.ts).
  const keep = tokens !== null && sessionsKeepIdpToken(deps);
  if (tokens && !keep) await deps.identity.revokeRefreshToken(tokens.refreshToken);
  await waitPastMark(deps, user.userId, mark);
  const cookieValue = randomBytes(32).toString('base64url');
  const idHash = hashSessionId(cookieValue);
  const now = deps.clock();
  const session: SessionRecord = {
    ...(keep && tokens ? { sealedIdpToken: sealIdpToken(cookieValue, idHash, tokens.refreshToken) } : {}),
    idHash,
    publicId: randomBytes(12).toString('base64url'),
    userId: user.userId,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: now + deps.config.sessionTtl * 1000,
    userAgent: meta.userAgent.slice(0, 256),
    ip: meta.ip,
    csrfToken: randomBytes(24).toString('base64url'),
  };
  await deps.store.sessions.create(session);
  return { cookieValue, session };
}

/** A live session, its user's record as read for the check, and the caller's own read. */
export interface SessionCheck<T> {
  readonly session: SessionRecord;
  readonly user: UserRecord;
  /** What `alongside` started; the caller awaits it, and only once the check has passed. */
  readonly alongside: Promise<T> | undefined;
}

/**
 * The live session behind a cookie value, or null (unknown, expired, idle or revoked). Two reads
 * one after the other: the session, then its user's record with the revocation mark (strongly
 * consistent on every request). `alongside`, a read of the caller's own, starts with the record's
 * read; if the session is refused it is dropped, its outcome unseen.
 */
export async function resolveSession<T = never>(
  deps: SessionsDeps,
  cookieValue: string,
  alongside?: (userId: string) => Promise<T>,
): Promise<SessionCheck<T> | null> {
  if (cookieValue.length !== 43) return null;
  const idHash = hashSessionId(cookieValue);
  const session = await deps.store.sessions.get(idHash);
  if (!session) return null;
  const now = deps.clock();
  if (session.expiresAt <= now || session.lastSeenAt + deps.config.sessionIdleTtl * 1000 <= now) {
    await deps.store.sessions.delete(idHash);
    return null;
  }
  const extra = alongside?.(session.userId);
  extra?.catch(() => undefined);
  // Idle time is tracked to the minute, so most requests cost no write; when one does, it goes
  // beside the record's read rather than after it.
  const touched =
    now - session.lastSeenAt > TOUCH_EVERY_MS ? deps.store.sessions.touch(idHash, now) : undefined;
  const [user] = await Promise.all([deps.store.users.get(session.userId), touched]);
  if (sessionRevoked(user.revokedThrough, session.createdAt)) return null;
  return { session, user, alongside: extra };
}

export async function endSession(
  deps: SessionsDeps,
  session: SessionRecord,
  meta: RequestMeta,
  cookieValue?: string,
): Promise<void> {
  await deps.store.sessions.delete(session.idHash);
  await revokeSessionIdpToken(deps, session, cookieValue);
  await audit(deps, {
    type: 'auth.signout',
    subjectId: session.userId,
    ip: meta.ip,
    detail: { scope: 'session' },
  });
}

export async function listSessions(deps: SessionsDeps, userId: string): Promise<SessionRecord[]> {
  const now = deps.clock();
  const mark = await deps.store.revocations.get(userId);
  return (await deps.store.sessions.listForUser(userId)).filter(
    (s) =>
      s.expiresAt > now &&
      s.lastSeenAt + deps.config.sessionIdleTtl * 1000 > now &&
      !sessionRevoked(mark, s.createdAt),
  );
}

/** Signs one of the user's devices out; `actorId` when someone else does it (an administrator). */
export async function revokeSession(
  deps: SessionsDeps,
  userId: string,
  publicId: string,
  meta: RequestMeta,
  actorId: string = userId,
): Promise<boolean> {
  const deleted = await deps.store.sessions.deleteByPublicId(userId, publicId);
  if (deleted)
    await audit(deps, {
      type: 'session.revoked',
      actorId,
      subjectId: userId,
      ip: meta.ip,
      detail: { session: publicId },
    });
  return deleted;
}
