/**
 * The server as a process: first start creates DATA_DIR and a signing key, a restart keeps the
 * key, the dev outbox refuses to face real users (beyond loopback, or NODE_ENV=production) unless
 * ALLOW_DEV_OUTBOX=1, which starts with a warning, and SIGTERM shuts down cleanly.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, waitFor } from '../helpers/kit.ts';

async function start(
  env: Record<string, string>,
  entry: readonly string[] = ['--import', 'tsx', 'src/server.ts'],
): Promise<{ child: ChildProcess; output: () => string; port: number }> {
  const port = await freePort();
  const child = spawn(process.execPath, [...entry], {
    env: { ...process.env, PORT: String(port), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  // A busy machine (the whole suite beside it) can take tens of seconds to load tsx and start.
  const health = () =>
    fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
  await waitFor(health, { what: 'the server to answer /health', timeoutMs: 60_000, intervalMs: 100 }).catch(
    (err: Error) => {
      child.kill('SIGKILL');
      throw new Error(`${err.message}; its output: ${out}`);
    },
  );
  return { child, output: () => out, port };
}

const stop = (child: ChildProcess) =>
  new Promise<number | null>((resolve) => {
    child.on('exit', (code) => resolve(code));
    child.kill('SIGTERM');
  });

test('first start creates DATA_DIR and a key; the key survives a restart; SIGTERM exits 0', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'gh-proc-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const dataDir = join(root, 'nested', 'data');
  const first = await start({ DATA_DIR: dataDir });
  assert.ok(existsSync(join(dataDir, 'identity.db')));
  assert.equal(statSync(dataDir).mode & 0o077, 0, 'DATA_DIR is private to its owner');
  const kid1 = (await (await fetch(`http://127.0.0.1:${first.port}/.well-known/jwks.json`)).json()).keys[0]
    .kid;
  assert.equal(await stop(first.child), 0);
  const second = await start({ DATA_DIR: dataDir });
  const kids = (await (await fetch(`http://127.0.0.1:${second.port}/.well-known/jwks.json`)).json()).keys.map(
    (k: { kid: string }) => k.kid,
  );
  assert.deepEqual(kids, [kid1]);
  assert.doesNotMatch(second.output(), /dev mail outbox is the mail adapter/);
  assert.equal(await stop(second.child), 0);
});

test('the banner names the address actually served: PORT alone, or PORT=0 (a free port)', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'gh-proc-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const banner = (output: string) =>
    output
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { msg: string; port?: number })
      .find((l) => l.msg.startsWith('Gatehouse is '));
  const s = await start({ DATA_DIR: join(root, 'data') });
  assert.equal(
    banner(s.output())?.msg,
    `Gatehouse is ready at http://localhost:${s.port} (API docs at http://localhost:${s.port}/docs)`,
  );
  assert.equal(await stop(s.child), 0);

  // PORT=0: the port is chosen before the app is built, so the origin and the banner name it.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, PORT: '0', DATA_DIR: join(root, 'data') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  t.after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  // A busy machine (the whole suite beside it) can take tens of seconds to load tsx and start.
  const line = await waitFor(() => banner(out), { what: 'the banner', timeoutMs: 60_000 }).catch(
    () => undefined,
  );
  assert.ok(line?.port && line.port > 0, out);
  assert.equal(
    line.msg,
    `Gatehouse is ready at http://localhost:${line.port} (API docs at http://localhost:${line.port}/docs)`,
  );
  const me = await fetch(`http://127.0.0.1:${line.port}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin: `http://127.0.0.1:${line.port}` },
    body: JSON.stringify({ email: 'nobody@example.test', password: 'not the password of anyone here' }),
  });
  assert.equal(me.status, 401, 'the loopback origins follow the port chosen (401: wrong password, not 403)');
  assert.equal(await stop(child), 0);
});

test('beyond loopback the banner names both the socket and APP_ORIGIN', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'gh-proc-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const s = await start({
    DATA_DIR: join(root, 'data'),
    HOST: '0.0.0.0',
    APP_ORIGIN: 'https://app.example.com',
    ALLOW_DEV_OUTBOX: '1',
  });
  assert.match(
    s.output(),
    new RegExp(
      `"msg":"Gatehouse is listening on http://0\\.0\\.0\\.0:${s.port}, for APP_ORIGIN https://app\\.example\\.com \\(API docs at https://app\\.example\\.com/docs\\)"`,
    ),
  );
  assert.equal(await stop(s.child), 0);
});

/** Runs the server until it exits by itself (or 20 s); its exit code and everything it wrote. */
function runToExit(env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
      env: { ...process.env, PORT: '0', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (d) => (stderr += d));
    // The start refuses within a second on an idle machine; under a full suite, tsx alone takes tens.
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stderr });
    });
  });
}

test('the dev outbox refuses to face real users: beyond loopback or in production, one line naming MAIL', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'gh-proc-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const cases = [
    [{ HOST: '0.0.0.0' }, /the server listens on 0\.0\.0\.0/],
    [{ HOST: '127.0.0.1', NODE_ENV: 'production' }, /NODE_ENV is production/],
  ] as const;
  for (const [env, why] of cases) {
    const { code, stderr } = await runToExit({ DATA_DIR: join(root, 'data'), NODE_ENV: '', ...env });
    assert.equal(code, 2, stderr);
    const lines = stderr.trim().split('\n');
    assert.equal(lines.length, 1, stderr);
    assert.match(
      lines[0] ?? '',
      /^Configuration error: MAIL: is outbox \(the dev outbox: no mail leaves this server\)/,
    );
    assert.match(lines[0] ?? '', why);
    assert.match(lines[0] ?? '', /Set MAIL=smtp or MAIL=ses, or ALLOW_DEV_OUTBOX=1/);
  }
  assert.equal(existsSync(join(root, 'data')), false, 'refused before any data was written');
});

test('with ALLOW_DEV_OUTBOX=1 it starts beyond loopback, and warns that nobody receives mail', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'gh-proc-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const s = await start({ DATA_DIR: join(root, 'data'), HOST: '0.0.0.0', ALLOW_DEV_OUTBOX: '1' });
  const warning = s
    .output()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as { level: number; msg: string })
    .find((l) => /dev mail outbox/.test(l.msg));
  assert.equal(warning?.level, 40);
  assert.match(warning?.msg ?? '', /the server listens on 0\.0\.0\.0: real users will not receive mail/);
  assert.equal(await stop(s.child), 0);
});

test('the built server (what npm start runs) serves the API and its static assets', async (t) => {
  const built = spawnSync(process.execPath, ['scripts/build.mjs'], { encoding: 'utf8', timeout: 60_000 });
  assert.equal(built.status, 0, built.stderr);
  const root = mkdtempSync(join(tmpdir(), 'gh-proc-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const s = await start({ DATA_DIR: join(root, 'data') }, ['dist/server.js']);
  const base = `http://127.0.0.1:${s.port}`;
  const index = await (await fetch(`${base}/`)).text();
  assert.match(index, /<div id="root">/, 'the web app, built by the same script');
  const script = /<script type="module" crossorigin src="(\/assets\/[^"]+\.js)"/.exec(index)?.[1];
  assert.ok(script, `a hashed entry script in ${index}`);
  const js = await fetch(`${base}${script}`);
  assert.equal(js.status, 200);
  assert.equal(js.headers.get('cache-control'), 'public, max-age=31536000, immutable');
  assert.match(String(js.headers.get('content-type')), /^text\/javascript/);
  const map = await fetch(`${base}${script}.map`);
  assert.equal(map.status, 200, 'the source map, read from dist/web on its first request');
  assert.match(String(map.headers.get('content-type')), /^application\/json/);
  assert.equal(((await map.json()) as { version: number }).version, 3);
  const again = await fetch(`${base}${script}.map`);
  assert.equal(again.status, 200, 'and served again from memory');
  await again.arrayBuffer();
  const twoByte = ['dist/server.js', ...readdirSync('dist/chunks').map((f) => `dist/chunks/${f}`)].filter(
    (f) => f.endsWith('.js') && /[\u0100-\uffff]/.test(readFileSync(f, 'utf8')),
  );
  assert.deepEqual(
    twoByte,
    [],
    'a module source with a character above U+00FF costs V8 two bytes per character',
  );
  const signup = await fetch(`${base}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({
      email: 'built@example.test',
      password: 'a common-list check needs the bundled file',
    }),
  });
  assert.equal(signup.status, 202);
  const common = await fetch(`${base}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'built2@example.test', password: '1234567890qwerty' }),
  });
  assert.equal(((await common.json()) as { error: { code: string } }).error.code, 'PASSWORD_TOO_COMMON');
  assert.equal(await stop(s.child), 0);
});

test('a second server on the same DATA_DIR refuses to start', async (t) => {
  const root = mkdtempSync(join(tmpdir(), 'gh-proc-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const first = await start({ DATA_DIR: join(root, 'data') });
  const second = spawnSync(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...process.env, PORT: String(await freePort()), DATA_DIR: join(root, 'data') },
    encoding: 'utf8',
    timeout: 30_000,
  });
  assert.equal(second.status, 1);
  assert.match(second.stderr, /in use by another Gatehouse process: one server per DATA_DIR/);
  assert.equal(await stop(first.child), 0);
});

test('SECRETS=aws with a secret that cannot be read stops the start in one line, naming it', async (t) => {
  const { startFakeSecretsManager } = await import('../fakes/secrets-manager.ts');
  const fake = await startFakeSecretsManager({ secrets: [{ name: 'gatehouse/other', secretString: '{}' }] });
  const root = mkdtempSync(join(tmpdir(), 'gh-proc-'));
  t.after(async () => {
    await fake.close();
    rmSync(root, { recursive: true, force: true });
  });
  const env = {
    ...process.env,
    PORT: String(await freePort()),
    DATA_DIR: join(root, 'data'),
    SECRETS: 'aws',
    AWS_REGION: 'us-east-1',
    SECRETS_ID: 'gatehouse/app',
    SECRETS_ENDPOINT: fake.endpoint,
    AWS_ACCESS_KEY_ID: 'local',
    AWS_SECRET_ACCESS_KEY: 'local',
    // The SDK's notice that its 2027 releases need Node 22, in case this runs on an older Node.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  };
  // spawnSync would block the fake's event loop in this very process: spawn and wait instead.
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => (stderr += d));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  assert.equal(code, 2, stderr);
  const lines = stderr.trim().split('\n');
  assert.deepEqual(lines, [
    'Configuration error: SECRETS_ID: secret "gatehouse/app": it does not exist (check the name or ARN and the region)',
  ]);
  assert.equal(existsSync(join(root, 'data', 'gatehouse.db')), false, 'no database was opened');
});
