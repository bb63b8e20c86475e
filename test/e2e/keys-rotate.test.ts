/**
 * `npm run keys:rotate` against the data folder of a running app: the app starts signing with the
 * new key, publishes both, and tokens signed before the rotation keep working until they expire.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { decodeProtectedHeader } from 'jose';
import { build } from '../helpers/build.ts';
import { bearer, signIn, tokenUser } from '../helpers/users.ts';

test('keys:rotate adds a key that a running server picks up; old tokens keep verifying', async (t) => {
  let now = Date.now();
  const b = await build(t, {}, () => now);
  const { email, tokens } = await tokenUser(b);
  const oldKid = decodeProtectedHeader(tokens.access_token).kid;

  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/rotate-keys.ts'], {
    env: { ...process.env, DATA_DIR: b.dataDir },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(run.status, 0, run.stderr);
  const newKid = /New signing key (\S+) is active/.exec(run.stdout)?.[1];
  assert.ok(newKid && newKid !== oldKid, run.stdout);
  assert.match(run.stdout, new RegExp(`Retired .*${oldKid}`));

  now += 6_000; // the server re-reads its key table every few seconds
  const kids = (await b.app.inject({ url: '/.well-known/jwks.json' }))
    .json()
    .keys.map((k: { kid: string }) => k.kid);
  assert.deepEqual(kids.sort(), [oldKid, newKid].sort());
  assert.equal(
    (await b.app.inject({ url: '/api/users/me', headers: bearer(tokens.access_token) })).statusCode,
    200,
  );
  const fresh = await signIn(b, email);
  assert.equal(decodeProtectedHeader(fresh.access_token).kid, newKid);
  assert.equal(
    (await b.app.inject({ url: '/api/users/me', headers: bearer(fresh.access_token) })).statusCode,
    200,
  );
});

test('keys:rotate stops with one line on a bad setting', () => {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/rotate-keys.ts'], {
    env: { ...process.env, ACCESS_TOKEN_TTL_SECONDS: 'soon' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(run.status, 2);
  assert.match(run.stderr.trim(), /^Configuration error: ACCESS_TOKEN_TTL_SECONDS: /);
});
