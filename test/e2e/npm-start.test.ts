/**
 * `npm start` is one process for the signals that matter: SIGTERM or SIGINT sent to the npm process
 * itself (what a process manager or `kill <pid>` does) stops the server gracefully. No new
 * connection is taken, the request in flight finishes, the data folder's lock is released (a new
 * server opens the same DATA_DIR), the port is free, and npm exits 0. Before, npm's shell died and
 * left the server running, holding the port and the lock.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, GATEHOUSE_NODE_ARGS, ROOT } from '../../bench/servers.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const health = (port: number) =>
  fetch(`http://127.0.0.1:${port}/health`).then(
    (r) => r.ok,
    () => false,
  );

async function until(what: string, ok: () => Promise<boolean>, output: () => string): Promise<void> {
  for (let i = 0; i < 300; i++) {
    if (await ok()) return;
    await sleep(100);
  }
  throw new Error(`timed out waiting for ${what}:\n${output()}`);
}

function launch(command: string, args: string[], env: Record<string, string>) {
  const child: ChildProcess = spawn(command, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d) => (out += d));
  child.stderr?.on('data', (d) => (out += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { child, exited, output: () => out };
}

/**
 * A sign-up whose body arrives in two parts: in flight from the first byte to the last. `started`
 * resolves once the server has read the headers (its 100 Continue), so the signal that follows
 * finds the request in the server, not in the kernel's queue, however busy the machine.
 */
function slowSignUp(port: number, email: string) {
  const body = JSON.stringify({ email, password: 'a request that is still arriving at shutdown' });
  const req = request({
    host: '127.0.0.1',
    port,
    method: 'POST',
    path: '/api/auth/signup',
    headers: {
      'content-type': 'application/json',
      'content-length': Buffer.byteLength(body),
      expect: '100-continue',
    },
  });
  req.flushHeaders();
  const started = new Promise<void>((resolve) => req.once('continue', () => resolve()));
  const answer = new Promise<{ status: number; body: string }>((resolve, reject) => {
    req.on('response', (res) => {
      let text = '';
      res.on('data', (d) => (text += d));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
    });
    req.on('error', reject);
  });
  void started.then(() => req.write(body.slice(0, 20)));
  return { started, finish: () => req.end(body.slice(20)), answer };
}

for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  test(`${signal} to the npm start process stops the server gracefully and frees port and data folder`, async (t) => {
    const dataDir = mkdtempSync(join(tmpdir(), 'gh-npm-start-'));
    const port = await freePort();
    // Only the port and the data folder differ from a newcomer's `npm start`.
    const npm = launch('npm', ['start'], { PORT: String(port), DATA_DIR: dataDir });
    t.after(() => {
      if (npm.child.exitCode === null && npm.child.signalCode === null) npm.child.kill('SIGKILL');
      rmSync(dataDir, { recursive: true, force: true });
    });
    await until('npm start to serve', () => health(port), npm.output);

    const inFlight = slowSignUp(port, `inflight.${signal.toLowerCase()}@example.test`);
    await inFlight.started; // the server has the headers and waits for the body
    await sleep(100);
    assert.ok(npm.child.kill(signal));
    await until('the listener to close', async () => !(await health(port)), npm.output);
    assert.equal(npm.child.exitCode, null, 'npm waits while a request is in flight');

    inFlight.finish();
    const answer = await inFlight.answer;
    assert.equal(answer.status, 202, `the request in flight finished: ${answer.body}`);
    const exit = await npm.exited;
    assert.deepEqual(exit, { code: 0, signal: null }, npm.output());
    assert.match(npm.output(), new RegExp(`${signal}: stopping; requests in flight finish first`));
    assert.match(npm.output(), /"msg":"Stopped"/);

    // The port is free: this process can listen on it.
    await new Promise<void>((resolve, reject) => {
      const probe = createServer().once('error', reject);
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve()));
    });
    // The data folder's lock is released: a new server opens the same DATA_DIR (while the old one
    // held it, a second server refused to start) and still knows the account signed up in flight.
    const next = await freePort();
    const again = launch(process.execPath, [...GATEHOUSE_NODE_ARGS, 'dist/server.js'], {
      PORT: String(next),
      DATA_DIR: dataDir,
    });
    t.after(() => {
      if (again.child.exitCode === null) again.child.kill('SIGKILL');
    });
    await until('a new server on the same DATA_DIR', () => health(next), again.output);
    const outbox = await fetch(
      `http://127.0.0.1:${next}/api/dev/mail?to=inflight.${signal.toLowerCase()}@example.test`,
    );
    assert.equal(((await outbox.json()) as { messages: unknown[] }).messages.length, 1);
    again.child.kill('SIGTERM');
    assert.equal((await again.exited).code, 0);
  });
}
