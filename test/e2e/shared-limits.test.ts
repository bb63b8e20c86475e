/**
 * Rate limits across instances (issue 16, item 3): two server processes on one DynamoDB table (AWS's
 * DynamoDB Local), as App Runner runs several instances behind one address. One client spreading its
 * sign-in attempts over both gets RATE_LIMIT_AUTH_PER_MINUTE in all, not that many per instance:
 * the credential routes' counters are the limits port's, in the shared table.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
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
import { type DynamoLocal, startDynamoLocal } from '../helpers/dynamodb-local.ts';

const BUDGET = 8;
let dynamo: DynamoLocal;
before(async () => {
  dynamo = await startDynamoLocal();
});
after(() => dynamo.close());

async function start(table: string): Promise<Server> {
  const port = await freePort();
  const dataDir = tempDir('gh-shared-limits-');
  const server = spawnServer('gatehouse', GATEHOUSE_ENTRY, port, {
    ...gatehouseEnv(port, dataDir),
    PASSWORD_HASH_COST: '10',
    RATE_LIMIT_AUTH_PER_MINUTE: String(BUDGET),
    STORE: 'dynamodb',
    DYNAMODB_TABLE: table,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    AWS_REGION: dynamo.region,
    AWS_ACCESS_KEY_ID: dynamo.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: dynamo.credentials.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  });
  server.child.once('exit', () => removeDir(dataDir));
  await waitFor200(server, '/health', performance.now(), 60_000);
  return server;
}

test('two server processes on one table give a client one sign-in budget between them', async (t) => {
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], {
    cwd: ROOT,
    encoding: 'utf8',
  });
  assert.equal(built.status, 0, built.stderr);
  const table = `gatehouse-${randomUUID().slice(0, 8)}`;
  // One after the other: the first creates the table on DynamoDB Local.
  const a = await start(table);
  t.after(() => stopServer(a));
  const b = await start(table);
  t.after(() => stopServer(b));

  // The windows are the clock's minutes: start well inside one, so the run does not straddle two.
  if (Date.now() % 60_000 > 35_000) await sleep(60_000 - (Date.now() % 60_000) + 500);
  const statuses: number[] = [];
  let retryAfter = '';
  for (let i = 0; i < BUDGET + 6; i++) {
    const server = i % 2 === 0 ? a : b;
    const res = await fetch(`${server.origin}/api/auth/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: `nobody.${i}@example.test`, password: 'a wrong but long passphrase' }),
    });
    statuses.push(res.status);
    if (res.status === 429) retryAfter = res.headers.get('retry-after') ?? '';
    await res.arrayBuffer();
  }
  assert.deepEqual(statuses, [...Array(BUDGET).fill(401), ...Array(6).fill(429)], statuses.join(','));
  assert.ok(Number(retryAfter) >= 1 && Number(retryAfter) <= 60, `Retry-After ${retryAfter}`);
});
