/**
 * Issue 7, item 1, as far as it can be checked without a Docker engine: the build stage's own RUN
 * command (taken from the Dockerfile) assembles the runtime files in a temporary folder, and the
 * server started from there the way the image's CMD does answers /health and /, passes the image's
 * HEALTHCHECK command, writes nothing outside DATA_DIR, and exits 0 on SIGTERM.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { after, test } from 'node:test';
import { GATEHOUSE_NODE_ARGS } from '../../bench/servers.ts';
import { freePort } from '../helpers/kit.ts';
import { run } from './tools.ts';

const repo = resolve('.');
const work = mkdtempSync(join(tmpdir(), 'gatehouse-image-'));
after(() => rmSync(work, { recursive: true, force: true }));

const dockerfile = readFileSync('Dockerfile', 'utf8').replace(/\\\n/g, ' ');
const buildRun = /^RUN (node scripts\/build\.mjs .*)$/m.exec(dockerfile)?.[1];

const listFiles = (root: string, dir = root): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    if (e.name === 'node_modules') return [];
    const p = join(dir, e.name);
    return e.isDirectory() ? listFiles(root, p) : [relative(root, p)];
  });

test('the runtime files the Dockerfile assembles start a server that behaves like the image', async () => {
  assert.ok(buildRun, 'the build stage RUNs node scripts/build.mjs and stages /out');
  // The build context, as .dockerignore allows it, with the repo's dependencies.
  const context = join(work, 'context');
  mkdirSync(join(context, 'scripts'), { recursive: true });
  mkdirSync(join(context, 'bench'), { recursive: true });
  for (const f of [
    'package.json',
    'package-lock.json',
    'tsconfig.json',
    'scripts/build.mjs',
    'scripts/rotate-keys.ts',
    'bench/bare-server.ts',
    'vite.config.ts',
  ]) {
    cpSync(f, join(context, f));
  }
  cpSync('src', join(context, 'src'), { recursive: true });
  cpSync('config', join(context, 'config'), { recursive: true });
  cpSync('web', join(context, 'web'), { recursive: true });
  symlinkSync(join(repo, 'node_modules'), join(context, 'node_modules'));
  const out = join(work, 'out');
  const built = await run('bash', ['-euo', 'pipefail', '-c', buildRun.replaceAll('/out', out)], {
    cwd: context,
  });
  assert.equal(built.code, 0, `${built.stdout}\n${built.stderr}`);

  // The final stage: /app holds node_modules, package.json, dist/ and src/'s assets, no TypeScript.
  const before = listFiles(out).sort();
  assert.ok(before.includes('dist/server.js') && before.includes('package.json'));
  assert.ok(before.includes('dist/web/index.html'), 'the web app is built into the image');
  assert.ok(
    before.includes('dist/route-schemas/index.json'),
    'the route schemas are compiled into the image (src/build-schemas.ts)',
  );
  assert.deepEqual(
    before.filter((f) => f.startsWith('src/') && f.endsWith('.ts')),
    [],
  );
  symlinkSync(join(repo, 'node_modules'), join(out, 'node_modules'));

  const port = await freePort();
  const dataDir = join(work, 'data');
  const env = {
    ...process.env,
    NODE_ENV: 'production',
    // The image's own defaults with the embedded adapters: production refuses the dev outbox
    // unless told it is meant (a real deployment sets MAIL=ses or smtp instead).
    ALLOW_DEV_OUTBOX: '1',
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
  };
  const child: ChildProcess = spawn(process.execPath, [...GATEHOUSE_NODE_ARGS, 'dist/server.js'], {
    cwd: out,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout?.on('data', (d) => (log += d));
  child.stderr?.on('data', (d) => (log += d));
  const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  try {
    let up = false;
    for (let i = 0; i < 100 && !up; i++) {
      up = await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      );
      if (!up) await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(up, `no /health within 10 s:\n${log}`);
    const home = await fetch(`http://127.0.0.1:${port}/`);
    assert.equal(home.status, 200, 'the web app is served from the shipped dist/web');
    assert.match(await home.text(), /<div id="root">/);

    const healthcheck = /^HEALTHCHECK .*?CMD (\[.*\])$/m.exec(dockerfile)?.[1];
    assert.ok(healthcheck, 'HEALTHCHECK in exec form');
    const [cmd = '', ...args] = JSON.parse(healthcheck) as string[];
    assert.equal(cmd, 'node');
    const probe = await run(process.execPath, args, { env });
    assert.equal(probe.code, 0, `the HEALTHCHECK command fails: ${probe.stderr}`);
    const down = await run(process.execPath, args, { env: { ...env, PORT: String(await freePort()) } });
    assert.equal(down.code, 1, 'the HEALTHCHECK command fails when nothing answers');

    const started = Date.now();
    child.kill('SIGTERM');
    assert.equal(await exited, 0, `exit code on SIGTERM:\n${log}`);
    assert.ok(Date.now() - started < 10_000, 'stops within 10 s');
  } finally {
    child.kill('SIGKILL');
  }
  assert.deepEqual(listFiles(out).sort(), before, 'nothing written outside DATA_DIR');
  assert.ok(readdirSync(dataDir).length > 0, 'DATA_DIR is where the server keeps its files');
});
