/**
 * `npm run start:aws-local` as a newcomer runs it: the stand-ins and the built server start, every
 * adapter answers /ready, a sign-up's code is printed where Cognito would have mailed it, the code
 * confirms the account, sign-in works, and Ctrl-C (SIGINT) stops everything with exit code 0.
 *
 * Every wait is bounded and says what it waited for. The script runs in a process group of its own,
 * and a failed test kills the whole group: killing the script alone left the server, DynamoDB Local
 * and s3rver running with this test's output pipes open, so the test file never ended (a CI hang).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { freePort } from '../helpers/kit.ts';
import { PASSWORD } from '../helpers/users.ts';

/** How long the stand-ins and the server get to answer /ready (DynamoDB Local's JVM is the slow one). */
const READY_WITHIN_MS = 120_000;
/** Any one request to the app: a hung answer fails the test instead of holding it. */
const REQUEST_MS = 15_000;

test('start:aws-local serves the app in AWS mode on local stand-ins and stops cleanly', async (t) => {
  const built = spawnSync(process.execPath, ['scripts/build.mjs'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(built.status, 0, built.stderr);
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start-aws-local.ts'], {
    env: { ...process.env, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  t.after(() => {
    // The whole group: the script, the server and every stand-in it started.
    try {
      if (child.pid) process.kill(-child.pid, 'SIGKILL');
    } catch {
      // Already gone.
    }
    child.stdout?.destroy();
    child.stderr?.destroy();
  });
  const origin = `http://127.0.0.1:${port}`;
  const until = Date.now() + READY_WITHIN_MS;
  let ready: { status?: string; checks?: unknown; checked_at?: string } = {};
  let lastAnswer = 'no answer yet';
  while (ready.status !== 'ready') {
    if (child.exitCode !== null) assert.fail(`start:aws-local exited (${child.exitCode}):\n${output}`);
    if (Date.now() > until) {
      assert.fail(
        `/ready did not answer ready within ${READY_WITHIN_MS / 1000} s; its last answer: ${lastAnswer}\n${output}`,
      );
    }
    ready = await fetch(`${origin}/ready`, { signal: AbortSignal.timeout(REQUEST_MS) }).then(
      async (r) => {
        const body = await r.text();
        lastAnswer = `${r.status} ${body}`;
        return JSON.parse(body) as typeof ready;
      },
      (err: Error) => {
        lastAnswer = `${err.name}: ${err.message}`;
        return {};
      },
    );
    if (ready.status !== 'ready') await new Promise((r) => setTimeout(r, 250));
  }
  const { checked_at, ...rest } = ready;
  assert.deepEqual(rest, { status: 'ready', checks: { identity: 'ok', store: 'ok', blobs: 'ok' } }, output);
  assert.ok(
    Math.abs(Date.parse(String(checked_at)) - Date.now()) < READY_WITHIN_MS,
    `checked_at ${checked_at}`,
  );
  assert.match(output, /\[aws-local\] DynamoDB {2}http:\/\/127\.0\.0\.1:\d+/);

  const post = (path: string, body: object) =>
    fetch(`${origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(REQUEST_MS),
    });
  const email = `newcomer.${Date.now()}@example.test`;
  assert.equal((await post('/api/auth/signup', { email, password: PASSWORD })).status, 202);
  let code: string | undefined;
  for (let i = 0; i < 40 && !code; i++) {
    code = new RegExp(`Cognito would e-mail ${email.replace(/[.]/g, '\\.')} the code (\\d{6})`).exec(
      output,
    )?.[1];
    if (!code) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(code, `the code was printed:\n${output}`);
  assert.equal((await post('/api/auth/confirm', { email, confirmation_code: code })).status, 200);
  const signin = await post('/api/auth/signin', { email, password: PASSWORD });
  assert.equal(signin.status, 200);
  const { access_token } = (await signin.json()) as { access_token: string };
  const me = await fetch(`${origin}/api/users/me`, {
    headers: { authorization: `Bearer ${access_token}` },
    signal: AbortSignal.timeout(REQUEST_MS),
  });
  assert.equal(((await me.json()) as { email: string }).email, email);
  const creds = await fetch(`${origin}/api/aws/credentials`, {
    headers: { authorization: `Bearer ${access_token}` },
    signal: AbortSignal.timeout(REQUEST_MS),
  });
  assert.equal(creds.status, 200, 'identity-pool credentials through the local fake');

  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  const stopped = await Promise.race([
    exited,
    new Promise<'still running'>((resolve) => setTimeout(resolve, 30_000, 'still running').unref()),
  ]);
  assert.equal(stopped, 0, `Ctrl-C stops everything with exit code 0:\n${output}`);
});
