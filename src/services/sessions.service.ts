/**
 * Browser sessions: an opaque 256-bit cookie value whose SHA-256 is the store key, so a leaked
 * store does not leak live cookies. A session has an absolute and an idle lifetime, is void once
 * the user's revocation mark passes its creation, and is always created new at sign-in (a value
 * planted before sign-in is never adopted). With a provider whose user operations need the user's
 * own token (Cognito), the session keeps its sign-in's refresh token, sealed under the cookie
 * (session-idp-token.ts); otherwise that token is revoked at once.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { IdentityUser, Tokens } from '../ports/identity.ts';
import type { SessionRecord } from '../ports/store.ts';
import { audit } from './audit.ts';
import type { Deps, RequestMeta } from './deps.ts';
import { waitPastMark } from './revocation.ts';
import { revokeSessionIdpToken, sealIdpToken, sessionsKeepIdpToken } from './session-idp-token.ts';

const TOUCH_EVERY_MS = 60_000;

export const hashSessionId = (value: string): string => createHash('sha256').update(value).digest('hex');

/** Creates a session for a user who just proved who they are; returns the cookie value. */
export async function createSession(
  deps: Deps,
  user: IdentityUser,
  tokens: Tokens | null,
  meta: RequestMeta,
): Promise<{ cookieValue: string; session: SessionRecord }> {
  // The browser never sees tokens. The refresh family the sign-in opened is closed at once, unless
  // the provider's user operations need it: then the session keeps it, sealed (session-idp-token.ts).
  const keep = tokens !== null && sessionsKeepIdpToken(deps);
  if (tokens && !keep) await deps.identity.revokeRefreshToken(tokens.refreshToken);
  await waitPastMark(deps, user.userId);
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

/** The live session behind a cookie value, or null (unknown, expired, idle or revoked). */
export async function resolveSession(deps: Deps, cookieValue: string): Promise<SessionRecord | null> {
  if (cookieValue.length !== 43) return null;
  const idHash = hashSessionId(cookieValue);
  const session = await deps.store.sessions.get(idHash);
  if (!session) return null;
  const now = deps.clock();
  if (session.expiresAt <= now || session.lastSeenAt + deps.config.sessionIdleTtl * 1000 <= now) {
    await deps.store.sessions.delete(idHash);
    return null;
  }
  const mark = await deps.store.revocations.get(session.userId);
  if (mark !== null && session.createdAt <= mark) return null;
  // Idle time is tracked to the minute, so most requests cost no write.
  if (now - session.lastSeenAt > TOUCH_EVERY_MS) await deps.store.sessions.touch(idHash, now);
  return session;
}

/**
 * resolveSession answered without I/O when the store can (see Store.peek); undefined when it
 * cannot, or when the session is due a write (expired, idle, or its last-seen time due a touch):
 * the caller then awaits resolveSession.
 */
export function resolveSessionNow(
  deps: Deps,
  cookieValue: string,
  /** hashSessionId(cookieValue), when the caller has it already. */
  idHash?: string,
): SessionRecord | null | undefined {
  if (cookieValue.length !== 43) return null;
  const peek = deps.store.peek;
  const session = peek?.session(idHash ?? hashSessionId(cookieValue));
  if (!peek || !session) return undefined;
  const now = deps.clock();
  if (
    session.expiresAt <= now ||
    session.lastSeenAt + deps.config.sessionIdleTtl * 1000 <= now ||
    now - session.lastSeenAt > TOUCH_EVERY_MS
  ) {
    return undefined;
  }
  const mark = peek.revocation(session.userId);
  if (mark === undefined) return undefined;
  return mark !== null && session.createdAt <= mark ? null : session;
}

export async function endSession(
  deps: Deps,
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

export async function listSessions(deps: Deps, userId: string): Promise<SessionRecord[]> {
  const now = deps.clock();
  const mark = await deps.store.revocations.get(userId);
  return (await deps.store.sessions.listForUser(userId)).filter(
    (s) =>
      s.expiresAt > now &&
      s.lastSeenAt + deps.config.sessionIdleTtl * 1000 > now &&
      (mark === null || s.createdAt > mark),
  );
}

/** Signs one of the user's devices out; `actorId` when someone else does it (an administrator). */
export async function revokeSession(
  deps: Deps,
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
