/**
 * A crash in the middle of a sign-up (issue 17, item 7): the server is killed (SIGKILL) after the
 * account row is written and before the confirmation mail is, so the account exists, unconfirmed,
 * and nobody ever got its code. Its owner, signing up again after the restart, must get a code and
 * be able to confirm and sign in, not only the "already has an account" notice.
 *
 * How the server is held at exactly that point: the dev outbox appends each message to
 * DATA_DIR/outbox.jsonl; replaced by a named pipe nobody reads, the append blocks in its open(),
 * after the identity database has the row. The sign-up may already have answered 202 (mail is
 * handed to delivery without waiting for the transport, services/mail-delivery.ts), but the
 * message is not stored anywhere. The test waits until the row is there, then kills the process.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import {
  freePort,
  GATEHOUSE_ENTRY,
  gatehouseEnv,
  ROOT,
  removeDir,
  type Server,
  sleep,
  spawnServer,
  stopServer,
  tempDir,
  waitFor200,
} from '../../bench/servers.ts';

const PASSWORD = 'a passphrase typed before the crash';
const AGAIN = 'and another one typed after the restart';

async function start(dataDir: string): Promise<Server> {
  const port = await freePort();
  const server = spawnServer('gatehouse', GATEHOUSE_ENTRY, port, {
    ...gatehouseEnv(port, dataDir),
    PASSWORD_HASH_COST: '10',
  });
  await waitFor200(server, '/health', performance.now());
  return server;
}

const post = (server: Server, path: string, body: object) =>
  fetch(`${server.origin}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });

/** The identity database's row for `email`, read beside the running server (WAL allows it). */
function rowOf(dataDir: string, email: string): { status: string } | undefined {
  const file = join(dataDir, 'identity.db');
  if (!existsSync(file)) return undefined;
  const db = new Database(file, { readonly: true });
  try {
    return db.prepare('SELECT status FROM users WHERE email = ?').get(email) as
      | { status: string }
      | undefined;
  } finally {
    db.close();
  }
}

test('killed between the account row and its mail, a sign-up can be made again and confirmed', async (t) => {
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  assert.equal(built.status, 0, built.stderr);
  const dataDir = tempDir('gh-fault-signup-');
  t.after(() => removeDir(dataDir));
  const email = `crash.${Date.now()}@example.test`;

  const first = await start(dataDir);
  t.after(() => stopServer(first));
  const outbox = join(dataDir, 'outbox.jsonl');
  rmSync(outbox, { force: true });
  assert.equal(spawnSync('mkfifo', [outbox]).status, 0, 'mkfifo made the pipe');

  let answered = false;
  const pending = post(first, '/api/auth/signup', { email, password: PASSWORD }).then(
    () => (answered = true),
    () => undefined,
  );
  for (let i = 0; rowOf(dataDir, email) === undefined; i++) {
    assert.ok(i < 500, 'the account row was written');
    await sleep(20);
  }
  assert.equal(rowOf(dataDir, email)?.status, 'UNCONFIRMED');
  await sleep(200);
  first.child.kill('SIGKILL');
  await pending;
  t.diagnostic(`the sign-up had ${answered ? 'answered' : 'not answered'} when the server was killed`);
  await new Promise((r) =>
    first.child.exitCode === null && first.child.signalCode === null ? first.child.once('exit', r) : r(null),
  );
  rmSync(outbox, { force: true });

  // After the restart: the half-made account is there, and its owner signs up once more.
  const second = await start(dataDir);
  t.after(() => stopServer(second));
  assert.equal(rowOf(dataDir, email)?.status, 'UNCONFIRMED', 'the crash left the account half-made');
  const again = await post(second, '/api/auth/signup', { email, password: AGAIN });
  assert.equal(again.status, 202);
  const mail = (await (
    await fetch(`${second.origin}/api/dev/mail?to=${encodeURIComponent(email)}`)
  ).json()) as { messages: { subject: string; text: string }[] };
  const code = mail.messages.map((m) => /\b(\d{6})\b/.exec(m.text)?.[1]).find(Boolean);
  assert.ok(
    code,
    `a confirmation code was mailed, not only a notice: ${mail.messages.map((m) => m.subject).join(' | ')}`,
  );
  const confirmed = await post(second, '/api/auth/confirm', { email, confirmation_code: code });
  assert.equal(confirmed.status, 200, await confirmed.text());
  assert.equal((await post(second, '/api/auth/signin', { email, password: AGAIN })).status, 200);
  assert.equal((await post(second, '/api/auth/signin', { email, password: PASSWORD })).status, 401);
});
