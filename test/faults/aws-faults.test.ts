/**
 * Issue 17, item 8: AWS mode under the failures AWS really produces. A fault-injecting proxy
 * stands in front of each stand-in (DynamoDB Local, cognito-local, s3rver) and, at set rates,
 * throttles (ProvisionedThroughputExceeded, ThrottlingException, TooManyRequests, LimitExceeded,
 * SlowDown), fails (500, 503) or never answers, before or after applying the call. Under mixed
 * load from several users every answer must be a success or a 503 with Retry-After (never a 500,
 * never a hang past the adapters' deadlines), and the audit must find every acknowledged write,
 * nothing listed without its bytes, no bytes without a record after collection, and usage equal
 * to the sum of the sizes.
 */
import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { after, before, test } from 'node:test';
import { BUDGETS, deadlineMs } from '../../src/adapters/shared/aws-client.ts';
import { collectOrphanFiles } from '../../src/services/files-collector.ts';
import { type AwsPeers, startAwsPeers } from '../helpers/aws-mode.ts';
import { build } from '../helpers/build.ts';
import { audit, Ledger } from './kit/audit.ts';
import { createUser, Tally, type User } from './kit/client.ts';
import {
  type FaultProxy,
  type FaultRates,
  NO_FAULTS,
  type Service,
  startFaultProxy,
} from './kit/fault-proxy.ts';
import { runLoad } from './kit/load.ts';

const SECONDS = 15;
const OUTAGE_SECONDS = 6;
const RECOVERY_SECONDS = 4;
const OUTAGE: Record<Service, FaultRates> = {
  dynamodb: { throttle: 0.5, error: 0.3, hangBefore: 0, hangAfter: 0 },
  s3: { throttle: 0.5, error: 0.3, hangBefore: 0, hangAfter: 0 },
  cognito: { throttle: 0.5, error: 0.3, hangBefore: 0, hangAfter: 0 },
};
// Cognito is called least (sign-up, confirmation, sign-in, refresh), so it fails more often.
const RATES: Record<Service, FaultRates> = {
  dynamodb: { throttle: 0.03, error: 0.02, hangBefore: 0.005, hangAfter: 0.005 },
  s3: { throttle: 0.04, error: 0.03, hangBefore: 0.01, hangAfter: 0.01 },
  cognito: { throttle: 0.06, error: 0.04, hangBefore: 0.02, hangAfter: 0 },
};

let peers: AwsPeers;
const proxies = {} as Record<Service, FaultProxy>;
before(async () => {
  peers = await startAwsPeers('gatehouse-faults');
  proxies.dynamodb = await startFaultProxy('dynamodb', peers.dynamo.endpoint);
  proxies.cognito = await startFaultProxy('cognito', peers.cognito.endpoint);
  proxies.s3 = await startFaultProxy('s3', peers.s3.endpoint);
});
after(async () => {
  for (const p of Object.values(proxies)) await p.close();
  await peers.close();
});

const setRates = (rates: Record<Service, FaultRates> | null) => {
  for (const [name, p] of Object.entries(proxies)) p.setRates(rates?.[name as Service] ?? NO_FAULTS);
};

test(`AWS mode with throttling, 500s and hangs at every service: ${SECONDS} s of mixed load, nothing lost`, async (t) => {
  // The start creates the table and turns its TTL on; both calls are applied and their answers
  // lost, so the SDK's retries find them done ("preexisting table", "already enabled"), which
  // must not stop the start.
  proxies.dynamodb.failNext('CreateTable', 'hangAfter');
  proxies.dynamodb.failNext('UpdateTimeToLive', 'hangAfter');
  const b = await build(
    t,
    peers.settings({
      COGNITO_ENDPOINT: proxies.cognito.endpoint,
      DYNAMODB_ENDPOINT: proxies.dynamodb.endpoint,
      S3_ENDPOINT: proxies.s3.endpoint,
      LOG_LEVEL: 'error',
    }),
  );
  await b.app.listen({ port: 0, host: '127.0.0.1' });
  const origin = `http://127.0.0.1:${(b.app.server.address() as AddressInfo).port}`;
  const tally = new Tally();
  const ledger = new Ledger();

  setRates(RATES);
  // Every kind of fault at least once at each service, whatever the dice say afterwards.
  proxies.dynamodb.queue('hangBefore', 'throttle', 'hangAfter', 'error');
  proxies.s3.queue('throttle', 'hangBefore', 'error', 'hangAfter');
  proxies.cognito.queue('throttle', 'error', 'hangBefore');
  const codeOf = async (email: string) => {
    try {
      return peers.cognito.codeFor(email);
    } catch {
      return null;
    }
  };
  const signingUp = Date.now();
  const users: User[] = await Promise.all(Array.from({ length: 6 }, () => createUser(tally, origin, codeOf)));
  const started = Date.now();
  // Faults at the set rates, then an outage (most calls throttled or failing) that outlasts the
  // adapters' retries, then the set rates again while the services recover.
  const unavailable = () => tally.counts.get('503 UNAVAILABLE') ?? 0;
  let outage503 = 0;
  const phases = setTimeout(() => {
    const before = unavailable();
    setRates(OUTAGE);
    setTimeout(() => {
      outage503 = unavailable() - before;
      setRates(RATES);
    }, OUTAGE_SECONDS * 1000).unref();
  }, SECONDS * 1000).unref();
  t.after(() => clearTimeout(phases));
  const { problems } = await runLoad({
    origin: () => origin,
    users,
    tally,
    ledger,
    until: () => Date.now() > started + (SECONDS + OUTAGE_SECONDS + RECOVERY_SECONDS) * 1000,
    maxFileBytes: 256 * 1024,
    // Some uploads pass S3's 5 MiB part size, so multipart uploads meet the faults too.
    bigFileBytes: 6 * 1024 * 1024,
    weights: { upload: 30, delete: 20, download: 10, list: 10, me: 10, refresh: 20 },
  });

  // The audit sees the services as they are now, without faults; every write in flight has ended.
  setRates(null);
  const loaded = Date.now();
  const faults = Object.fromEntries(Object.entries(proxies).map(([name, p]) => [name, { ...p.stats }]));
  const slowest = Math.max(...tally.latencies);
  t.diagnostic(
    `sign-ups ${Math.round((started - signingUp) / 1000)} s, load ${Math.round((loaded - started) / 1000)} s: ` +
      `${tally.total()} answers (${tally.summary()}), p99 ${Math.round(tally.p99())} ms, slowest ${Math.round(slowest)} ms; ` +
      `${outage503} answered 503 during the outage; faults ${JSON.stringify(faults)}; ` +
      `${ledger.uploaded.size} uploads and ${ledger.deleted.size} deletes acknowledged`,
  );
  assert.deepEqual(problems, []);
  assert.deepEqual(tally.serverErrors(), [], tally.summary());
  for (const [name, s] of Object.entries(faults)) {
    assert.ok(
      s.throttle > 0 && s.error > 0 && s.hangBefore > 0 && (name === 'cognito' || s.hangAfter > 0),
      `${name} met every fault: ${JSON.stringify(s)}`,
    );
  }
  // A request's worst case is a few AWS calls, each bounded by its budget: no answer waits longer.
  assert.ok(slowest < 3 * deadlineMs(BUDGETS.s3), `slowest answer ${Math.round(slowest)} ms`);
  assert.ok(outage503 > 0, 'during the outage, failures outlasted the retries and answered 503');
  assert.ok(ledger.uploaded.size >= 5 && ledger.deleted.size >= 1, 'the load uploaded and deleted');

  const checked = await audit(tally, origin, users, ledger, {
    collect: () => collectOrphanFiles(b.deps, Date.now()),
    storedIds: async (userId) =>
      (await b.deps.blobs.list(`files/${userId}/`)).keys.map((k) => k.split('/').pop() ?? ''),
  });
  t.diagnostic(
    `audit ${Math.round((Date.now() - loaded) / 1000)} s: ${checked.files} files, ${checked.bytes} bytes`,
  );
});
