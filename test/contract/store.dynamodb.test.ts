/**
 * The store contract against the DynamoDB adapter on AWS's DynamoDB Local (a fresh table per
 * case), plus what only this adapter can be checked for: no request ever sends a Scan, expired
 * sessions and throttle windows still present (TTL lags) read as gone, an unreachable endpoint is
 * UNAVAILABLE, and the table it creates has the keys the Terraform declares.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { DeleteTableCommand, DescribeTableCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createDynamoStore } from '../../src/adapters/store/dynamodb/dynamodb-store.ts';
import { TABLE_KEYS } from '../../src/adapters/store/dynamodb/keys.ts';
import { createTableIfMissing } from '../../src/adapters/store/dynamodb/table.ts';
import { isAppError } from '../../src/domain/errors.ts';
import { type DynamoLocal, startDynamoLocal } from '../helpers/dynamodb-local.ts';
import { refuseScans } from '../helpers/refuse-scans.ts';
import { storeContract } from './store.contract.ts';

let local: DynamoLocal;
let admin: DynamoDBClient;
/** Every command any store in this file sent, by name. */
const sent: string[] = [];

before(async () => {
  local = await startDynamoLocal();
  admin = local.client();
});
after(async () => {
  admin.destroy();
  await local.close();
});

function recordingClient(): DynamoDBClient {
  const client = local.client();
  refuseScans(client, sent);
  return client;
}

async function freshStore(clock?: () => number) {
  const tableName = `gatehouse-${randomUUID().slice(0, 8)}`;
  await createTableIfMissing(admin, tableName);
  const client = recordingClient();
  const store = createDynamoStore({ tableName, region: local.region, client, ...(clock ? { clock } : {}) });
  return {
    store,
    tableName,
    cleanup: async () => {
      await store.close();
      client.destroy();
      await admin.send(new DeleteTableCommand({ TableName: tableName }));
    },
  };
}

storeContract('dynamodb (DynamoDB Local)', async () => freshStore());

describe('dynamodb store beyond the contract', () => {
  test('expired sessions and throttle windows read as gone while TTL has not removed them', async () => {
    let now = 1_800_000_000_000;
    const { store, cleanup } = await freshStore(() => now);
    const s = {
      idHash: 'e'.repeat(64),
      publicId: 'pub-expiring',
      userId: 'u1',
      createdAt: now - 1000,
      lastSeenAt: now - 1000,
      expiresAt: now + 60_000,
      userAgent: 'test',
      ip: '203.0.113.9',
      csrfToken: 'csrf',
    };
    await store.sessions.create(s);
    assert.deepEqual(await store.sessions.get(s.idHash), s);
    now += 61_000;
    assert.equal(await store.sessions.get(s.idHash), null, 'expired: not a live session');
    assert.deepEqual(await store.sessions.listForUser('u1'), []);
    await store.throttle.hit('t', 60, 5_000);
    assert.equal(await store.throttle.count('t', 5_059), 1);
    assert.equal(await store.throttle.count('t', 5_061), 0);
    await cleanup();
  });

  test('no request of the whole suite was a Scan, and the adapter has no way to send one', () => {
    assert.ok(sent.length > 100, `commands were recorded (${sent.length})`);
    assert.deepEqual(
      sent.filter((c) => c.startsWith('Scan')),
      [],
    );
    const dir = 'src/adapters/store/dynamodb';
    for (const name of readdirSync(dir)) {
      // The layout migration, a batch job an operator runs once at an upgrade (never a request,
      // and not with the server's role, which has no Scan), is the one place that scans.
      if (name === 'migrations') continue;
      assert.doesNotMatch(
        readFileSync(`${dir}/${name}`, 'utf8'),
        /\bScan(Command|Paginator)|paginateScan/,
        name,
      );
    }
  });

  test('an unreachable endpoint is UNAVAILABLE, not a stack trace', async () => {
    const down = createDynamoStore({
      tableName: 't',
      region: 'us-east-1',
      endpoint: 'http://127.0.0.1:9',
      credentials: local.credentials,
    });
    const unavailable = (err: unknown) => isAppError(err) && err.code === 'UNAVAILABLE';
    await assert.rejects(down.ping(), unavailable);
    await assert.rejects(down.profiles.get('u1'), unavailable);
    await assert.rejects(down.throttle.hit('k', 60, 1), unavailable);
    await down.close();
  });

  test('the table created for local use has the keys, index and TTL the Terraform declares', async () => {
    const { tableName, cleanup } = await freshStore();
    const table = (await admin.send(new DescribeTableCommand({ TableName: tableName }))).Table;
    const tf = readFileSync('infra/terraform/modules/data/main.tf', 'utf8');
    const quoted = (name: string) => new RegExp(`"${name}"`);
    assert.deepEqual(
      table?.KeySchema?.map((k) => [k.AttributeName, k.KeyType]),
      [
        [TABLE_KEYS.partition, 'HASH'],
        [TABLE_KEYS.sort, 'RANGE'],
      ],
    );
    assert.match(tf, new RegExp(`hash_key\\s*=\\s*"${TABLE_KEYS.partition}"`));
    assert.match(tf, new RegExp(`range_key\\s*=\\s*"${TABLE_KEYS.sort}"`));
    const gsi = table?.GlobalSecondaryIndexes?.[0];
    assert.equal(gsi?.IndexName, TABLE_KEYS.index);
    assert.equal(gsi?.Projection?.ProjectionType, 'ALL');
    assert.match(tf, new RegExp(`name\\s*=\\s*"${TABLE_KEYS.index}"`));
    for (const name of [TABLE_KEYS.indexPartition, TABLE_KEYS.indexSort, TABLE_KEYS.ttl])
      assert.match(tf, quoted(name));
    assert.match(tf, /billing_mode\s*=\s*"PAY_PER_REQUEST"/);
    await cleanup();
  });
});
