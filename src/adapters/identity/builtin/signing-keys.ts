/**
 * RS256 signing keys of the built-in provider, kept in identity.db. The newest unretired key signs;
 * a rotated-out key is still published (and so still verifies) until every token it signed has
 * expired, then it is deleted and its kid stops working. Another process (npm run keys:rotate) may
 * rotate while the server runs: the server re-reads the table when it changes.
 *
 * The first key is created once, whatever the concurrency: loads in one process share one promise,
 * and the insert happens in an IMMEDIATE transaction that first checks that no active key exists,
 * so another process racing to create one (two first starts, a rotation) cannot add a second.
 */
import { randomUUID } from 'node:crypto';
import {
  createLocalJWKSet,
  exportJWK,
  generateKeyPair,
  importJWK,
  type JSONWebKeySet,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';

type PrivateKey = Awaited<ReturnType<typeof importJWK>>;

import type { Db } from '../../shared/sqlite.ts';

interface KeyRow {
  kid: string;
  private_jwk: string;
  public_jwk: string;
  created_at: number;
  retired_at: number | null;
}

export interface SigningKeys {
  current(): Promise<{ kid: string; key: PrivateKey }>;
  jwks(): Promise<JSONWebKeySet>;
  /** jose's key resolver over jwks(): a rotation by another process is seen within 5 s. */
  readonly verificationKey: JWTVerifyGetKey;
  rotate(): Promise<{ kid: string; retired: string[]; deleted: string[] }>;
}

export async function generateKeyRow(now: number): Promise<KeyRow> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', {
    modulusLength: 2048,
    extractable: true,
  });
  const kid = randomUUID();
  const priv = { ...(await exportJWK(privateKey)), kid, alg: 'RS256', use: 'sig' };
  const pub = { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' };
  return {
    kid,
    private_jwk: JSON.stringify(priv),
    public_jwk: JSON.stringify(pub),
    created_at: now,
    retired_at: null,
  };
}

/** `graceSeconds`: how long a retired key keeps verifying (the longest token lifetime). */
export function createSigningKeys(db: Db, graceSeconds: number, clock: () => number): SigningKeys {
  const all = db.prepare<[], KeyRow>('SELECT * FROM signing_keys ORDER BY created_at DESC, kid');
  const insert = db.prepare(
    'INSERT INTO signing_keys (kid, private_jwk, public_jwk, created_at, retired_at) VALUES (@kid, @private_jwk, @public_jwk, @created_at, @retired_at)',
  );
  const retire = db.prepare('UPDATE signing_keys SET retired_at = ? WHERE retired_at IS NULL AND kid != ?');
  const purge = db.prepare<[number], { kid: string }>(
    'DELETE FROM signing_keys WHERE retired_at IS NOT NULL AND retired_at <= ? RETURNING kid',
  );
  const version = db.prepare<[], { v: string }>(
    "SELECT group_concat(kid || ':' || coalesce(retired_at, ''), ',') AS v FROM signing_keys",
  );
  const hasActive = db.prepare<[], { one: number }>(
    'SELECT 1 AS one FROM signing_keys WHERE retired_at IS NULL LIMIT 1',
  );
  // IMMEDIATE takes the write lock before the check, so two processes cannot both see "none".
  const insertFirst = db.transaction((row: KeyRow) => {
    if (!hasActive.get()) insert.run(row);
  });

  let cachedVersion: string | null = null;
  let checkedAt = 0;
  let signer: { kid: string; key: PrivateKey } | null = null;
  let published: JSONWebKeySet = { keys: [] };
  // One jose key set per published set, so each public key is imported once, not per token.
  let verifier: { of: JSONWebKeySet; set: JWTVerifyGetKey } | null = null;

  const read = async (): Promise<void> => {
    const now = Math.floor(clock() / 1000);
    // Tokens of a key retired longer ago than the grace period have all expired.
    purge.all(now - graceSeconds);
    if (!hasActive.get()) {
      // Generating takes a while (an RSA key pair): the check is repeated inside the transaction.
      insertFirst.immediate(await generateKeyRow(now));
    }
    const rows = all.all();
    const active = rows.find((r) => r.retired_at === null);
    if (!active) throw new Error('no active signing key');
    signer = { kid: active.kid, key: await importJWK(JSON.parse(active.private_jwk) as JWK, 'RS256') };
    published = { keys: rows.map((r) => JSON.parse(r.public_jwk) as JWK) };
    cachedVersion = version.get()?.v ?? '';
    checkedAt = clock();
  };
  // Concurrent callers (the first sign-ins on a fresh data folder) wait for the same load.
  let loading: Promise<void> | null = null;
  const load = (): Promise<void> => {
    loading ??= read().finally(() => {
      loading = null;
    });
    return loading;
  };

  const fresh = async (): Promise<void> => {
    // A cheap look every few seconds for a rotation done by another process.
    if (signer && clock() - checkedAt < 5000) return;
    const v = version.get()?.v ?? '';
    if (!signer || v !== cachedVersion) await load();
    else checkedAt = clock();
  };

  return {
    async current() {
      await fresh();
      if (!signer) throw new Error('signing key not loaded');
      return signer;
    },
    async jwks() {
      await fresh();
      return published;
    },
    async verificationKey(header, token) {
      await fresh();
      if (verifier?.of !== published) verifier = { of: published, set: createLocalJWKSet(published) };
      return verifier.set(header, token);
    },
    async rotate() {
      const now = Math.floor(clock() / 1000);
      const row = await generateKeyRow(now);
      const retiredBefore = all
        .all()
        .filter((r) => r.retired_at === null)
        .map((r) => r.kid);
      const deleted = db.transaction(() => {
        insert.run(row);
        retire.run(now, row.kid);
        return purge.all(now - graceSeconds).map((r) => r.kid);
      })();
      // A load that started before the rotation may have read the old keys: read again after it.
      await loading?.catch(() => undefined);
      await load();
      return { kid: row.kid, retired: retiredBefore, deleted };
    },
  };
}
