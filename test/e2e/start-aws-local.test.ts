/**
 * `npm run start:aws-local` as a newcomer runs it: the stand-ins and the built server start, every
 * adapter answers /ready, a sign-up's code is printed where Cognito would have mailed it, the code
 * confirms the account, sign-in works, and Ctrl-C (SIGINT) stops everything with exit code 0.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { freePort } from '../helpers/kit.ts';
import { PASSWORD } from '../helpers/users.ts';

test('start:aws-local serves the app in AWS mode on local stand-ins and stops cleanly', async (t) => {
  const built = spawnSync(process.execPath, ['scripts/build.mjs'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(built.status, 0, built.stderr);
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/start-aws-local.ts'], {
    env: { ...process.env, PORT: String(port), LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (d) => (output += d));
  child.stderr?.on('data', (d) => (output += d));
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const origin = `http://127.0.0.1:${port}`;
  const until = Date.now() + 90_000;
  let ready: { status?: string; checks?: unknown } = {};
  while (Date.now() < until && ready.status !== 'ready') {
    if (child.exitCode !== null) assert.fail(`start:aws-local exited (${child.exitCode}):\n${output}`);
    ready = await fetch(`${origin}/ready`).then(
      (r) => r.json() as Promise<typeof ready>,
      () => ({}),
    );
    if (ready.status !== 'ready') await new Promise((r) => setTimeout(r, 250));
  }
  assert.deepEqual(ready, { status: 'ready', checks: { identity: 'ok', store: 'ok', blobs: 'ok' } }, output);
  assert.match(output, /\[aws-local\] DynamoDB {2}http:\/\/127\.0\.0\.1:\d+/);

  const post = (path: string, body: object) =>
    fetch(`${origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
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
  const me = await fetch(`${origin}/api/users/me`, { headers: { authorization: `Bearer ${access_token}` } });
  assert.equal(((await me.json()) as { email: string }).email, email);
  const creds = await fetch(`${origin}/api/aws/credentials`, {
    headers: { authorization: `Bearer ${access_token}` },
  });
  assert.equal(creds.status, 200, 'identity-pool credentials through the local fake');

  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  child.kill('SIGINT');
  assert.equal(await exited, 0, output);
});
