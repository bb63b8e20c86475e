/**
 * Issue 17, item 2, from outside: a fresh data folder hit by several first sign-ins at once. Each
 * used to generate and insert a signing key (2 to 6 active keys), and tokens signed by a key
 * missing from the verifier's list answered INVALID_TOKEN (3 of 4 in one trial). Now: one key,
 * every token works, before and after a kill -9 and restart.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { audit, Ledger } from './kit/audit.ts';
import { call, callRetrying, outboxCode, PASSWORD, Tally, type User } from './kit/client.ts';
import { localStoredIds, startGatehouse } from './kit/server.ts';

const USERS = 8;

test('eight first sign-ins at once on a fresh data folder: one signing key, every token valid, also after a crash', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gh-first-'));
  let running = await startGatehouse(dataDir);
  t.after(async () => {
    await running.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const origin = () => running.origin;
  const tally = new Tally();

  // Sign-up and confirmation need no signing key: the first sign-ins below are the first users.
  const emails = Array.from({ length: USERS }, (_, i) => `first-${i}-${Date.now()}@example.com`);
  for (const email of emails) {
    assert.equal(
      (await call(origin(), 'POST', '/api/auth/signup', { json: { email, password: PASSWORD } })).status,
      202,
    );
    const code = await outboxCode(origin(), email);
    assert.ok(code);
    const confirmed = await call(origin(), 'POST', '/api/auth/confirm', {
      json: { email, confirmation_code: code },
    });
    assert.equal(confirmed.status, 200);
  }
  const signins = await Promise.all(
    emails.map((email) =>
      call(origin(), 'POST', '/api/auth/signin', { json: { email, password: PASSWORD } }),
    ),
  );
  assert.deepEqual(
    signins.map((s) => s.status),
    emails.map(() => 200),
  );
  const tokens = signins.map((s) => s.body as { access_token: string; refresh_token: string });

  const kids = async () =>
    ((await call(origin(), 'GET', '/.well-known/jwks.json')).body as { keys: { kid: string }[] }).keys.map(
      (k) => k.kid,
    );
  const everyTokenWorks = async () => {
    const answers = await Promise.all(
      tokens.map((tk) => call(origin(), 'GET', '/api/users/me', { token: tk.access_token })),
    );
    assert.deepEqual(
      answers.map((a) => a.status),
      tokens.map(() => 200),
      JSON.stringify(answers.map((a) => a.body)),
    );
    return answers.map((a) => (a.body as { user_id: string }).user_id);
  };
  assert.equal((await kids()).length, 1, 'one signing key');
  const userIds = await everyTokenWorks();
  const headers = tokens.map((tk) =>
    JSON.parse(Buffer.from(tk.access_token.split('.')[0] ?? '', 'base64url').toString()),
  );
  assert.deepEqual(new Set(headers.map((h) => h.kid)), new Set(await kids()), 'every token names that key');

  // A crash and a restart keep the key and the tokens.
  const before = await kids();
  await running.kill();
  running = await startGatehouse(dataDir, { port: running.port });
  assert.deepEqual(await kids(), before);
  await everyTokenWorks();
  const refreshed = await callRetrying(tally, origin(), 'POST', '/api/auth/refresh', {
    json: { refresh_token: tokens[0]?.refresh_token },
  });
  assert.equal(refreshed.status, 200);

  const users: User[] = emails.map((email, i) => ({
    email,
    password: PASSWORD,
    token: tokens[i]?.access_token ?? '',
    refresh: tokens[i]?.refresh_token ?? '',
    userId: userIds[i] ?? '',
  }));
  await audit(tally, origin(), users, new Ledger(), { storedIds: localStoredIds(dataDir) });
});
