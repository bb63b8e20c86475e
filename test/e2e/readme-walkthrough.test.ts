/**
 * The README's curl walk-through, run as written against a server started with nothing but PORT
 * (a free one, not 3000) and a fresh DATA_DIR, with the same PORT in the walk-through's shell, as
 * the README tells a reader who changed the port. If the README and the server disagree, this
 * fails; before APP_ORIGIN followed PORT, step 9's checkout URL pointed at :3000 and printed 000.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { settings } from '../../src/config/settings.ts';
import { freePort, waitFor } from '../helpers/kit.ts';

/** The environment without Gatehouse's settings: the server gets PORT and DATA_DIR, nothing else. */
const withoutSettings = (env: NodeJS.ProcessEnv) => {
  const names = new Set(Object.values(settings).map((s) => s.name));
  return Object.fromEntries(Object.entries(env).filter(([name]) => !names.has(name)));
};

test('the README walk-through works as written, on a port other than 3000', async (t) => {
  const curl = spawnSync('curl', ['--version']);
  assert.equal(curl.status, 0, 'curl is needed for this test: apt-get install curl');
  const readme = readFileSync('README.md', 'utf8');
  const block = /<!-- walkthrough:start -->\n```sh\n([\s\S]*?)```\n<!-- walkthrough:end -->/.exec(
    readme,
  )?.[1];
  assert.ok(block, 'README has a walkthrough block');
  assert.match(block, /^B=http:\/\/localhost:\$\{PORT:-3000\}$/m);

  const dir = mkdtempSync(join(tmpdir(), 'gh-readme-'));
  let port = await freePort();
  while (port === 3000) port = await freePort();
  const origin = `http://localhost:${port}`;
  const env = { ...withoutSettings(process.env), PORT: String(port) };
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: { ...env, DATA_DIR: join(dir, 'data') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let serverOut = '';
  server.stdout.on('data', (d) => (serverOut += d));
  server.stderr.on('data', (d) => (serverOut += d));
  t.after(() => {
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });
  await waitFor(
    () =>
      fetch(`${origin}/health`).then(
        (r) => r.ok,
        () => false,
      ),
    // A busy machine (the whole suite beside it) can take tens of seconds to load tsx and start.
    { what: `${origin}/health`, timeoutMs: 60_000, intervalMs: 100 },
  );

  const run = spawnSync('bash', ['-euo', 'pipefail', '-c', block], {
    cwd: dir,
    env,
    encoding: 'utf8',
    timeout: 60_000,
  });
  assert.equal(run.status, 0, `walkthrough failed: ${run.stderr}\n${serverOut}`);
  const out = run.stdout;
  assert.match(out, /"confirmation_required":true/);
  assert.match(out, /Your email address is confirmed/);
  assert.match(out, /"email":"ada@example.com"/);
  assert.match(out, /"message":"Profile saved\."/);
  assert.match(out, /"photo_url":"\/api\/users\/me\/photo\/[A-Za-z0-9_-]+\/256"/);
  assert.match(out, /"content_type":"text\/plain"/);
  assert.match(out, /Notes on the analytical engine/);
  assert.match(out, /^204$/m);
  assert.match(out, /"required_plan":"premium","locked":true/);
  assert.match(out, /"id":"premium","name":"Premium"/);
  assert.match(out, new RegExp(`303 ${origin}/billing/return\\?session_id=cs_test_`));
  assert.match(out, /"plan":"basic","plan_name":"Basic","state":"active","status":"active"/);
  assert.match(out, /"sessions":\[\{"id":/);
  assert.match(out, /Signed out on every device/);
  assert.match(out, /"code":"TOKEN_REVOKED"/);
  assert.match(out, /"code":"SESSION_EXPIRED"/);
});
