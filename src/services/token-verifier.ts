/**
 * Access-token verification, the same code for the built-in provider and Cognito: RS256 only,
 * against the provider's JWKS, with `iss`, `token_use` = access and `client_id` checked; headers
 * that try to bring their own key (jku, x5u, jwk, x5c) are refused before anything else.
 *
 * A verified token's claims are remembered until its own expiry, so the signature is checked once
 * per token rather than once per request. The cache is keyed by the signature's last characters
 * and a hit counts only if the whole token is the one verified: each request's token is a new
 * string, and hashing all of it for the Map (about 1 KB) cost more than the rest of the cache hit
 * (about 4% of a Bearer request's CPU in a profile); a cryptographic hash cost more still. Nothing
 * about a token is trusted before that check. Revocation is NOT cached: every verification reads
 * the user's record (one strongly consistent read, which also carries the profile and plan the
 * request goes on to need) and its "issued before T is void" mark, so sign-out everywhere takes
 * effect at once, on every instance.
 */
import { decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import { AppError } from '../domain/errors.ts';
import type { IdentityProvider } from '../ports/identity.ts';
import type { Store, UserRecord } from '../ports/store.ts';
import { tokenRevoked } from './revocation.ts';

export interface VerifiedToken {
  readonly userId: string;
  readonly groups: readonly string[];
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
}

/** A verified access token, its user's record as read for the check, and the caller's own read. */
export interface AccessCheck<T> {
  readonly claims: VerifiedToken;
  readonly user: UserRecord;
  /** What `alongside` started; the caller awaits it, and only once the check has passed. */
  readonly alongside: Promise<T> | undefined;
}

export interface TokenVerifier {
  /**
   * The whole check of an access token: shape, header, signature and claims, then the user's
   * record and its revocation mark. Throws INVALID_TOKEN or TOKEN_REVOKED. `alongside`, a read of
   * the caller's own, starts with the record's read once the signature holds (one round trip for
   * both); if the check fails it is dropped, its outcome unseen.
   */
  verifyAccessToken<T = never>(
    token: string,
    alongside?: (userId: string) => Promise<T>,
  ): Promise<AccessCheck<T>>;
  /**
   * An ID token of this provider (the Hosted UI's answer in Cognito mode), checked like an access
   * token but for `aud` = our client id and `token_use` = id; its claims. Never cached.
   */
  verifyIdToken(token: string): Promise<JWTPayload & { sub: string }>;
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{2,2048}\.[A-Za-z0-9_-]{2,8192}\.[A-Za-z0-9_-]{0,1024}$/;
const FORBIDDEN_HEADERS = ['jku', 'x5u', 'jwk', 'x5c', 'x5t', 'crit'];

/** The cache key: the signature's tail, 192 random bits for a token of this provider. */
const cacheKey = (token: string) => token.slice(-32);

const invalid = () => new AppError('INVALID_TOKEN', 'The access token is invalid or has expired.');

export function createTokenVerifier(opts: {
  identity: IdentityProvider;
  store: Store;
  clock: () => number;
  cacheSize?: number;
}): TokenVerifier {
  const { identity, store, clock } = opts;
  const cacheSize = opts.cacheSize ?? 10_000;
  const cache = new Map<string, { token: string; claims: VerifiedToken }>();

  // The provider's key resolver caches and refreshes its keys (jose's JWKS sets): one cache, theirs.
  const verifySignature = async (token: string): Promise<JWTPayload> => {
    const options = { issuer: identity.issuer, algorithms: ['RS256'], currentDate: new Date(clock()) };
    return (await jwtVerify(token, identity.verificationKey, options)).payload;
  };

  /** Shape, header and signature: the checks every token of this provider passes first. */
  const checkedPayload = async (token: string): Promise<JWTPayload> => {
    if (!TOKEN_SHAPE.test(token)) throw invalid();
    try {
      const header = decodeProtectedHeader(token);
      if (header.alg !== 'RS256' || FORBIDDEN_HEADERS.some((h) => h in header)) throw invalid();
      return await verifySignature(token);
    } catch (err) {
      if (err instanceof AppError && err.code !== 'INVALID_TOKEN') throw err;
      throw invalid();
    }
  };

  /** Shape, header, signature and claims, remembered per token string until the token expires. */
  const claimsOf = async (token: string): Promise<VerifiedToken> => {
    const key = cacheKey(token);
    const known = cache.get(key);
    if (known && known.token === token && known.claims.exp * 1000 > clock()) return known.claims;
    // Expired, or another token with the same tail (forged or not): checked in full below.
    if (known) cache.delete(key);
    const payload = await checkedPayload(token);
    const groups = payload['cognito:groups'];
    if (
      payload.token_use !== 'access' ||
      // Cognito access tokens carry no aud; one that names another audience is not for us.
      (payload.aud !== undefined && payload.aud !== identity.clientId) ||
      payload.client_id !== identity.clientId ||
      typeof payload.sub !== 'string' ||
      typeof payload.iat !== 'number' ||
      typeof payload.exp !== 'number' ||
      (groups !== undefined && !(Array.isArray(groups) && groups.every((g) => typeof g === 'string')))
    ) {
      throw invalid();
    }
    const verified = Object.freeze({
      userId: payload.sub,
      groups: Object.freeze([...((groups as string[] | undefined) ?? [])]),
      iat: payload.iat,
      exp: payload.exp,
      jti: typeof payload.jti === 'string' ? payload.jti : '',
    });
    if (cache.size >= cacheSize) {
      const oldest = cache.keys().next().value;
      if (oldest !== undefined) cache.delete(oldest);
    }
    cache.set(key, { token, claims: verified });
    return verified;
  };

  return {
    async verifyAccessToken(token, alongside) {
      const claims = await claimsOf(token);
      const extra = alongside?.(claims.userId);
      // Seen by the caller only if the check passes; until then a failure of it is nobody's.
      extra?.catch(() => undefined);
      const user = await store.users.get(claims.userId);
      if (tokenRevoked(user.revokedThrough, claims.iat)) {
        throw new AppError('TOKEN_REVOKED', 'This token has been revoked. Sign in again.');
      }
      return { claims, user, alongside: extra };
    },
    async verifyIdToken(token) {
      const payload = await checkedPayload(token);
      if (
        payload.token_use !== 'id' ||
        payload.aud !== identity.clientId ||
        typeof payload.sub !== 'string'
      ) {
        throw invalid();
      }
      return payload as JWTPayload & { sub: string };
    },
  };
}
