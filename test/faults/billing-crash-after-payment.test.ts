/**
 * Fault: the server is killed (SIGKILL) right after customers pay on the billing simulator, before
 * the payment's events reach the webhook route. Before issue 17 the events lived in memory and
 * died with the process: the simulator said "active", the app "trial", for good (3 of 3). Now the
 * events are stored with the payment and delivered after the restart, and the restart reconciles
 * pending checkouts with the provider. Ends with the consistency audit: every customer's stored
 * billing state equals the provider's, each with one live subscription.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { compose } from '../../src/composition.ts';
import { loadConfig } from '../../src/config/config.ts';
import { freePort, waitFor } from '../helpers/kit.ts';
import { PASSWORD } from '../helpers/users.ts';
import { auditBilling } from './billing-audit.ts';

const CUSTOMERS = 3;

async function start(dataDir: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    env: {
      ...process.env,
      PORT: String(port),
      APP_ORIGIN: `http://localhost:${port}`,
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      PASSWORD_HASH_COST: '10',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  child.stderr?.on('data', (d) => (err += d));
  const health = () =>
    fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.ok,
      () => false,
    );
  await waitFor(health, { what: 'the server to answer /health', timeoutMs: 60_000, intervalMs: 100 }).catch(
    (e: Error) => {
      child.kill('SIGKILL');
      throw new Error(`${e.message}; its stderr: ${err}`);
    },
  );
  return child;
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));

async function customer(origin: string, n: number) {
  const email = `crash.${process.pid}.${n}@example.test`;
  const json = { 'content-type': 'application/json' };
  await fetch(`${origin}/api/auth/signup`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  const code = await waitFor(
    async () => {
      const mail = (await (await fetch(`${origin}/api/dev/mail`)).json()) as {
        messages: { to: string; text: string }[];
      };
      return /\b(\d{6})\b/.exec(mail.messages.find((m) => m.to === email)?.text ?? '')?.[1];
    },
    { what: `the confirmation code mailed to ${email}`, intervalMs: 50 },
  );
  const confirmed = await fetch(`${origin}/api/auth/confirm`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ email, confirmation_code: code }),
  });
  assert.equal(confirmed.status, 200);
  const signin = await fetch(`${origin}/api/auth/signin`, {
    method: 'POST',
    headers: json,
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  const auth = {
    ...json,
    authorization: `Bearer ${((await signin.json()) as { access_token: string }).access_token}`,
  };
  const me = (await (await fetch(`${origin}/api/users/me`, { headers: auth })).json()) as { user_id: string };
  const opened = await fetch(`${origin}/api/billing/checkout`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ plan: n % 2 ? 'premium' : 'basic' }),
  });
  const url = ((await opened.json()) as { url: string }).url;
  return { auth, userId: me.user_id, url, plan: n % 2 ? 'premium' : 'basic' };
}

test('kill -9 right after paying: after the restart every payment shows, and the app agrees with the provider', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gh-fault-billing-'));
  t.after(() => rmSync(dataDir, { recursive: true, force: true }));
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  let server = await start(dataDir, port);
  t.after(() => server.kill('SIGKILL'));
  const customers = [];
  for (let n = 0; n < CUSTOMERS; n++) customers.push(await customer(`http://127.0.0.1:${port}`, n));

  // Pay every checkout at once, and kill the server the moment the last payment is answered.
  const paid = await Promise.all(
    customers.map((c) =>
      fetch(c.url.replace(origin, `http://127.0.0.1:${port}`), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
        body: 'outcome=pay',
        redirect: 'manual',
      }),
    ),
  );
  server.kill('SIGKILL');
  await exited(server);
  for (const res of paid) assert.equal(res.status, 303);

  // What the crash left: every subscription exists at the provider; the events still to deliver are on disk.
  const sim = new Database(join(dataDir, 'billing-simulator.db'), { readonly: true });
  const live = (
    sim.prepare("SELECT count(*) AS n FROM subscriptions WHERE status = 'active'").get() as { n: number }
  ).n;
  const pending = (
    sim.prepare("SELECT count(*) AS n FROM events WHERE state = 'pending'").get() as { n: number }
  ).n;
  sim.close();
  assert.equal(live, CUSTOMERS);
  t.diagnostic(`events pending at the kill: ${pending}`);

  server = await start(dataDir, port);
  // GET /api/users/me never asks the provider: what it shows, the restart delivered or reconciled.
  const shown = async (c: Awaited<ReturnType<typeof customer>>) =>
    (
      (await (await fetch(`http://127.0.0.1:${port}/api/users/me`, { headers: c.auth })).json()) as {
        plan: string;
      }
    ).plan;
  for (const c of customers) {
    await waitFor(async () => (await shown(c)) === c.plan, {
      what: `${c.userId} to show the plan paid for (${c.plan})`,
      timeoutMs: 20_000,
      intervalMs: 100,
    });
  }
  server.kill('SIGTERM');
  await exited(server);

  const quiet = { info() {}, warn() {}, error() {} };
  const composition = await compose(loadConfig({ DATA_DIR: dataDir, APP_ORIGIN: origin }), quiet, {});
  try {
    const records = [];
    for (const c of customers) {
      const r = await composition.deps.store.billing.get(c.userId);
      assert.ok(r, `${c.userId} has a billing record`);
      records.push(r);
    }
    assert.deepEqual(
      await auditBilling({ billing: composition.deps.billing, prices: composition.deps.prices, records }),
      [],
    );
  } finally {
    await composition.close();
  }
});
