/**
 * A browser session's own identity-provider token, for providers whose user operations accept only
 * the user's access token (Cognito: AssociateSoftwareToken and VerifySoftwareToken have no admin
 * variant). With such a provider the refresh token of the sign-in that opened the session is kept
 * in the session record, sealed, and traded for a fresh access token whenever one is needed, so a
 * browser can do those operations for the session's whole life, not only the access token's hour.
 *
 * What it guarantees:
 * - The token is sealed with AES-256-GCM under a key derived (HKDF-SHA256) from the session's
 *   cookie value, which the store never holds (it keys sessions by the value's SHA-256). A copy of
 *   the store, a backup of it, or the server's own secrets open nothing: only a request carrying
 *   the cookie does. The session's id hash is the associated data, so a sealed token moved into
 *   another session's record does not open either.
 * - A rotated refresh token replaces the sealed one at once.
 * - When the provider no longer honours the token (expired, revoked) or the session holds none,
 *   the session ends (SESSION_EXPIRED): signing in again gives it a new one.
 * - Neither the token nor an access token made from it reaches the browser or a log.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { AppError } from '../domain/errors.ts';
import type { CallerToken, IdentityProvider } from '../ports/identity.ts';
import type { SessionRecord, Store } from '../ports/store.ts';
import type { Deps, Principal } from './deps.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type SessionIdpTokenDeps = Pick<Deps, 'log'> & {
  readonly identity: Pick<IdentityProvider, 'mode' | 'refresh' | 'revokeRefreshToken'>;
  readonly store: Pick<Store, 'sessions'>;
};

const VERSION = 'v1';
const INFO = 'gatehouse session idp token v1';

/** True when the provider's user operations need the user's own token (see the opening note). */
export const sessionsKeepIdpToken = (deps: SessionIdpTokenDeps): boolean => deps.identity.mode === 'cognito';

const keyOf = (cookieValue: string): Buffer =>
  Buffer.from(hkdfSync('sha256', Buffer.from(cookieValue, 'utf8'), Buffer.alloc(0), INFO, 32));

export function sealIdpToken(cookieValue: string, idHash: string, token: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', keyOf(cookieValue), iv);
  cipher.setAAD(Buffer.from(idHash, 'utf8'));
  const body = Buffer.concat([cipher.update(token, 'utf8'), cipher.final(), cipher.getAuthTag()]);
  return `${VERSION}.${iv.toString('base64url')}.${body.toString('base64url')}`;
}

/** The token, or null when `sealed` does not open with this cookie for this session. */
export function openIdpToken(cookieValue: string, idHash: string, sealed: string): string | null {
  const [version, ivText, bodyText] = sealed.split('.');
  if (version !== VERSION || !ivText || !bodyText) return null;
  const iv = Buffer.from(ivText, 'base64url');
  const body = Buffer.from(bodyText, 'base64url');
  if (iv.length !== 12 || body.length < 17) return null;
  try {
    const decipher = createDecipheriv('aes-256-gcm', keyOf(cookieValue), iv);
    decipher.setAAD(Buffer.from(idHash, 'utf8'));
    decipher.setAuthTag(body.subarray(body.length - 16));
    return Buffer.concat([decipher.update(body.subarray(0, body.length - 16)), decipher.final()]).toString(
      'utf8',
    );
  } catch {
    return null;
  }
}

const sessionEnded = () => new AppError('SESSION_EXPIRED', 'Your session has ended. Sign in again.');

/**
 * A fresh access token of the session's user, from its sealed refresh token. Ends the session and
 * throws SESSION_EXPIRED when there is no usable token.
 */
export async function sessionAccessToken(
  deps: SessionIdpTokenDeps,
  idHash: string,
  cookieValue: string,
): Promise<string> {
  const session = await deps.store.sessions.get(idHash);
  const refreshToken =
    session?.sealedIdpToken === undefined ? null : openIdpToken(cookieValue, idHash, session.sealedIdpToken);
  if (!session || refreshToken === null) {
    if (session) await deps.store.sessions.delete(idHash);
    throw sessionEnded();
  }
  let tokens: Awaited<ReturnType<Deps['identity']['refresh']>>;
  try {
    tokens = await deps.identity.refresh(refreshToken);
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'INVALID_TOKEN') throw err;
    await deps.store.sessions.delete(idHash);
    throw sessionEnded();
  }
  if (tokens.refreshToken !== refreshToken) {
    await deps.store.sessions.setSealedIdpToken(
      idHash,
      sealIdpToken(cookieValue, idHash, tokens.refreshToken),
    );
  }
  return tokens.accessToken;
}

/**
 * What a provider operation that needs the caller's own token gets: a Bearer caller's verified
 * token, or, for a browser session, a way to make one from the session's sealed token (used only
 * if the operation gets that far).
 */
export function callerToken(deps: SessionIdpTokenDeps, principal: Principal): CallerToken {
  if (principal.accessToken) return { accessToken: principal.accessToken };
  const { sessionIdHash, sessionCookie } = principal;
  if (principal.via === 'cookie' && sessionIdHash && sessionCookie && sessionsKeepIdpToken(deps)) {
    return { accessTokenFor: () => sessionAccessToken(deps, sessionIdHash, sessionCookie) };
  }
  return {};
}

/** Ends the provider's side of one session: its kept refresh token is revoked (best effort). */
export async function revokeSessionIdpToken(
  deps: SessionIdpTokenDeps,
  session: SessionRecord,
  cookieValue: string | undefined,
): Promise<void> {
  if (session.sealedIdpToken === undefined || cookieValue === undefined) return;
  const token = openIdpToken(cookieValue, session.idHash, session.sealedIdpToken);
  if (token === null) return;
  // Sign-out must not fail because the provider is slow: the record is gone either way, and with
  // it the only copy of the token.
  await deps.identity.revokeRefreshToken(token).catch((err: unknown) => {
    deps.log.warn({ err: (err as Error).name }, 'revoking a signed-out session’s provider token failed');
  });
}
