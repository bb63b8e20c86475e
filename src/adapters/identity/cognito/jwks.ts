/**
 * The user pool's JWKS, fetched and cached by jose's createRemoteJWKSet (a maintained cache with
 * the cooldowns we need; nothing of our own on top). What it guarantees: the keys are fetched once
 * and served from memory; fetched again when older than 10 minutes, or when a token names a kid the
 * cache does not hold (a key Cognito rotated in), but an unknown kid refetches at most once per
 * 30 s after a good fetch, so tokens with made-up kids cannot turn into a stream of requests to
 * Cognito; concurrent callers share one fetch. A failed refresh keeps verifying with the keys
 * already held (logged); only a set that never loaded answers UNAVAILABLE. Private members are
 * never used (jose refuses a key set member that is not a public key) nor published.
 */
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  customFetch,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
  errors as joseErrors,
} from 'jose';
import { AppError } from '../../../domain/errors.ts';
import type { CognitoLog } from './errors.ts';

export interface PoolKeys {
  /** Resolves a token's key for jose's jwtVerify (the IdentityProvider's `verificationKey`). */
  readonly verificationKey: JWTVerifyGetKey;
  /** The public RSA keys held, loaded or refreshed first when stale. */
  jwks(): Promise<JSONWebKeySet>;
}

export const JWKS_MAX_AGE_MS = 10 * 60_000;
export const JWKS_COOLDOWN_MS = 30_000;
const PUBLIC_RSA_MEMBERS = ['kty', 'kid', 'use', 'alg', 'n', 'e'] as const;

/** Keeps RSA signing keys and only their public members, whatever the endpoint sent. */
function publicOnly(set: JSONWebKeySet): JSONWebKeySet {
  return {
    keys: set.keys
      .filter((k) => k.kty === 'RSA')
      .map((k) => Object.fromEntries(PUBLIC_RSA_MEMBERS.filter((m) => m in k).map((m) => [m, k[m]]))),
  };
}

/**
 * True for a failure to get the key set (network, timeout, a non-200 or malformed answer), as
 * opposed to a token that no held key matches: only the former may fall back to the held keys.
 */
function isFetchFailure(err: unknown): boolean {
  if (!(err instanceof joseErrors.JOSEError)) return true; // fetch's own TypeError, an abort
  return (
    err instanceof joseErrors.JWKSTimeout ||
    err instanceof joseErrors.JWKSInvalid ||
    err.code === 'ERR_JOSE_GENERIC'
  );
}

const unavailable = () => new AppError('UNAVAILABLE', 'The signing keys of the user pool cannot be fetched.');

export function createPoolKeys(opts: { uri: string; fetch?: typeof fetch; log?: CognitoLog }): PoolKeys {
  const remote = createRemoteJWKSet(new URL(opts.uri), {
    cacheMaxAge: JWKS_MAX_AGE_MS,
    cooldownDuration: JWKS_COOLDOWN_MS,
    timeoutDuration: 5_000,
    ...(opts.fetch ? { [customFetch]: opts.fetch } : {}),
  });
  // jose keeps the last good set when a reload fails: verify with it meanwhile, logged.
  const held = (err: unknown, reason: string): JSONWebKeySet => {
    const set = remote.jwks();
    if (!set) throw unavailable();
    opts.log?.warn(
      { reason, error: (err as Error).name },
      'cognito JWKS refresh failed; keeping the cached keys',
    );
    return set;
  };

  return {
    async verificationKey(header, token) {
      try {
        return await remote(header, token);
      } catch (err) {
        if (!isFetchFailure(err)) throw err;
        return createLocalJWKSet(held(err, remote.fresh ? 'unknown kid' : 'age'))(header, token);
      }
    },
    async jwks() {
      if (!remote.fresh) {
        try {
          await remote.reload();
        } catch (err) {
          return publicOnly(held(err, 'age'));
        }
      }
      const set = remote.jwks();
      if (!set) throw unavailable();
      return publicOnly(set);
    },
  };
}
