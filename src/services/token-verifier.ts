/**
 * Access-token verification, the same code for the built-in provider and Cognito: RS256 only,
 * against the provider's JWKS, with `iss`, `token_use` = access and `client_id` checked; headers
 * that try to bring their own key (jku, x5u, jwk, x5c) are refused before anything else.
 *
 * A verified token is remembered until its own expiry, keyed by the whole token (a Map lookup; a
 * cryptographic hash per request cost more than the rest of the check), so the signature is checked
 * once per token rather than once per request. Nothing about a token is trusted before that check. Revocation is NOT cached: every request
 * reads the user's "issued before T is void" mark, so sign-out everywhere takes effect at once.
 */
import { decodeProtectedHeader, type JWTPayload, jwtVerify } from 'jose';
import { AppError } from '../domain/errors.ts';
import type { IdentityProvider } from '../ports/identity.ts';
import type { Store } from '../ports/store.ts';

export interface VerifiedToken {
  readonly userId: string;
  readonly groups: readonly string[];
  readonly iat: number;
  readonly exp: number;
  readonly jti: string;
}

export interface TokenVerifier {
  verifyAccessToken(token: string): Promise<VerifiedToken>;
  /**
   * The same check answered synchronously when it can be: the token was verified before and has
   * not expired, and the store knows the user's revocation mark without I/O. Undefined when it
   * cannot decide that way (the caller then awaits verifyAccessToken); throws TOKEN_REVOKED.
   * `known` is what an earlier call (or verifyAccessToken) returned for this very token string,
   * when the caller has it at hand: it spares the lookup, never the expiry or revocation check.
   */
  verifyNow(token: string, known?: VerifiedToken): VerifiedToken | undefined;
  /** True when the user's revocation mark voids a token issued at `iatSeconds`. */
  isRevoked(userId: string, iatSeconds: number): Promise<boolean>;
  /**
   * An ID token of this provider (the Hosted UI's answer in Cognito mode), checked like an access
   * token but for `aud` = our client id and `token_use` = id; its claims. Never cached.
   */
  verifyIdToken(token: string): Promise<JWTPayload & { sub: string }>;
}

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{2,2048}\.[A-Za-z0-9_-]{2,8192}\.[A-Za-z0-9_-]{0,1024}$/;
const FORBIDDEN_HEADERS = ['jku', 'x5u', 'jwk', 'x5c', 'x5t', 'crit'];

const invalid = () => new AppError('INVALID_TOKEN', 'The access token is invalid or has expired.');

export function createTokenVerifier(opts: {
  identity: IdentityProvider;
  store: Store;
  clock: () => number;
  cacheSize?: number;
}): TokenVerifier {
  const { identity, store, clock } = opts;
  const cacheSize = opts.cacheSize ?? 10_000;
  const cache = new Map<string, VerifiedToken>();

  // The provider's key resolver caches and refreshes its keys (jose's JWKS sets): one cache, theirs.
  const verifySignature = async (token: string): Promise<JWTPayload> => {
    const options = { issuer: identity.issuer, algorithms: ['RS256'], currentDate: new Date(clock()) };
    return (await jwtVerify(token, identity.verificationKey, options)).payload;
  };

  const isRevoked = async (userId: string, iatSeconds: number): Promise<boolean> => {
    const mark = await store.revocations.get(userId);
    return mark !== null && iatSeconds <= Math.floor(mark / 1000);
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

  const revokedError = () => new AppError('TOKEN_REVOKED', 'This token has been revoked. Sign in again.');

  return {
    isRevoked,
    verifyNow(token, known) {
      const verified = known ?? cache.get(token);
      if (!verified || verified.exp * 1000 <= clock()) return undefined;
      const mark = store.peek?.revocation(verified.userId);
      if (mark === undefined) return undefined;
      if (mark !== null && verified.iat <= Math.floor(mark / 1000)) throw revokedError();
      return verified;
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
    async verifyAccessToken(token) {
      let known = cache.get(token);
      if (known && known.exp * 1000 <= clock()) {
        cache.delete(token);
        known = undefined;
      }
      if (!known) {
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
        known = Object.freeze({
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
        cache.set(token, known);
      }
      if (await isRevoked(known.userId, known.iat)) throw revokedError();
      return known;
    },
  };
}
