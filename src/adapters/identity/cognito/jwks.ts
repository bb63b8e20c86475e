/**
 * The user pool's JWKS, cached. What it guarantees: the keys are fetched once and served from
 * memory; they are fetched again when they are older than `maxAgeMs`, or when a caller asks for a
 * kid the cache does not hold (a key Cognito rotated in), but never more than once per
 * `minRefreshMs` for either reason, so tokens with made-up kids cannot turn into a stream of
 * requests to Cognito. Concurrent callers share one fetch. A failed refresh keeps serving the keys
 * already held; only a cache that never loaded answers UNAVAILABLE. Only public members of RSA
 * keys are ever returned.
 */

import type { JSONWebKeySet } from 'jose';
import { AppError } from '../../../domain/errors.ts';
import type { CognitoLog } from './errors.ts';

export type FetchJwks = (uri: string) => Promise<JSONWebKeySet>;

export interface JwksCache {
  /** The keys; with `kid`, refreshed first (within the bound) when that kid is unknown. */
  get(opts?: { kid?: string }): Promise<JSONWebKeySet>;
}

const PUBLIC_RSA_MEMBERS = ['kty', 'kid', 'use', 'alg', 'n', 'e'] as const;

/** Keeps RSA signing keys and only their public members, whatever the endpoint sent. */
function publicOnly(body: unknown): JSONWebKeySet {
  const keys = (body as { keys?: unknown } | null)?.keys;
  if (!Array.isArray(keys)) throw new Error('JWKS without a keys array');
  return {
    keys: keys
      .filter((k): k is Record<string, unknown> => typeof k === 'object' && k !== null && k.kty === 'RSA')
      .map((k) => Object.fromEntries(PUBLIC_RSA_MEMBERS.filter((m) => m in k).map((m) => [m, k[m]]))),
  };
}

export const fetchJwksOverHttp: FetchJwks = async (uri) => {
  const res = await fetch(uri, {
    signal: AbortSignal.timeout(5_000),
    headers: { accept: 'application/json' },
  });
  if (!res.ok) throw new Error(`JWKS endpoint answered ${res.status}`);
  return (await res.json()) as JSONWebKeySet;
};

export function createJwksCache(opts: {
  uri: string;
  fetchJwks: FetchJwks;
  clock: () => number;
  maxAgeMs?: number;
  minRefreshMs?: number;
  log?: CognitoLog;
}): JwksCache {
  const maxAgeMs = opts.maxAgeMs ?? 10 * 60_000;
  const minRefreshMs = opts.minRefreshMs ?? 30_000;
  let keys: JSONWebKeySet | null = null;
  let fetchedAt = 0;
  let lastAttempt = Number.NEGATIVE_INFINITY;
  let inflight: Promise<JSONWebKeySet> | null = null;

  const load = (): Promise<JSONWebKeySet> => {
    if (inflight) return inflight;
    lastAttempt = opts.clock();
    inflight = opts
      .fetchJwks(opts.uri)
      .then((body) => {
        keys = publicOnly(body);
        fetchedAt = opts.clock();
        return keys;
      })
      .finally(() => {
        inflight = null;
      });
    return inflight;
  };

  /** A refresh that must not break callers who already have usable keys. */
  const refreshQuietly = async (held: JSONWebKeySet, reason: string): Promise<JSONWebKeySet> => {
    try {
      return await load();
    } catch (err) {
      opts.log?.warn(
        { reason, error: (err as Error).name },
        'cognito JWKS refresh failed; keeping the cached keys',
      );
      return held;
    }
  };

  return {
    async get(query) {
      if (!keys) {
        try {
          return await load();
        } catch {
          throw new AppError('UNAVAILABLE', 'The signing keys of the user pool cannot be fetched.');
        }
      }
      const now = opts.clock();
      const mayRefresh = now - lastAttempt >= minRefreshMs;
      if (!mayRefresh) return keys;
      if (now - fetchedAt > maxAgeMs) return refreshQuietly(keys, 'age');
      if (query?.kid !== undefined && !keys.keys.some((k) => k.kid === query.kid)) {
        return refreshQuietly(keys, 'unknown kid');
      }
      return keys;
    },
  };
}
