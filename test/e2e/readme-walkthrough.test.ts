/**
 * The README's curl walk-through, run as written against `npm start`'s entry point on a fresh
 * DATA_DIR and a free port. If the README and the server disagree, this fails.
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

test('the README walk-through works as written', async (t) => {
  const curl = spawnSync('curl', ['--version']);
  assert.equal(curl.status, 0, 'curl is needed for this test: apt-get install curl');
  const readme = readFileSync('README.md', 'utf8');
  const block = /<!-- walkthrough:start -->\n```sh\n([\s\S]*?)```\n<!-- walkthrough:end -->/.exec(
    readme,
  )?.[1];
  assert.ok(block, 'README has a walkthrough block');
  assert.match(block, /^B=http:\/\/localhost:3000$/m);

  const dir = mkdtempSync(join(tmpdir(), 'gh-readme-'));
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const server = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      APP_ORIGIN: origin,
      DATA_DIR: join(dir, 'data'),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let serverOut = '';
  server.stdout.on('data', (d) => (serverOut += d));
  server.stderr.on('data', (d) => (serverOut += d));
  t.after(() => {
    server.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  });
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`${origin}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    await new Promise((r) => setTimeout(r, 100));
  }

  const script = block.replace(/^B=http:\/\/localhost:3000$/m, `B=${origin}`);
  const run = spawnSync('bash', ['-euo', 'pipefail', '-c', script], {
    cwd: dir,
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
  assert.match(out, /303 http:\/\/localhost:\d+\/billing\/return\?session_id=cs_test_/);
  assert.match(out, /"plan":"basic","plan_name":"Basic","status":"active"/);
  assert.match(out, /"sessions":\[\{"id":/);
  assert.match(out, /Signed out on every device/);
  assert.match(out, /"code":"TOKEN_REVOKED"/);
  assert.match(out, /"code":"SESSION_EXPIRED"/);
});
