/**
 * Upgrading a deployed table to layout 2 (docs/dynamodb.md, "Upgrading"), on DynamoDB Local: a
 * table holding users as the release before layout 2 wrote them (four items each: PROFILE,
 * REVOCATION, BILLING, USAGE, beside files, sessions and audit events that keep their keys) is
 * refused at start with one line naming the migration; a dry run changes nothing; the migration
 * merges every user into one item that reads back exactly what was stored, counts the usage again
 * from the files, deletes the old items, and a second run changes nothing. The old items are
 * written here field for field as src/adapters/store/dynamodb/items.ts wrote them before layout 2.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import pino from 'pino';
import { createDynamoStore } from '../../src/adapters/store/dynamodb/dynamodb-store.ts';
import { migrateToLayout2 } from '../../src/adapters/store/dynamodb/migrations/to-layout-2.ts';
import { createTableIfMissing } from '../../src/adapters/store/dynamodb/table.ts';
import { compose } from '../../src/composition.ts';
import { loadConfig } from '../../src/config/config.ts';
import { ConfigError } from '../../src/config/settings.ts';
import type { Profile, SubscriptionRecord } from '../../src/ports/store.ts';
import { type DynamoLocal, startDynamoLocal } from '../helpers/dynamodb-local.ts';

let local: DynamoLocal;
let client: DynamoDBClient;
let db: DynamoDBDocumentClient;
before(async () => {
  // The composition's client takes the environment's credentials, as on AWS; DynamoDB Local takes any.
  process.env.AWS_ACCESS_KEY_ID = local?.credentials.accessKeyId ?? 'local';
  process.env.AWS_SECRET_ACCESS_KEY = 'local';
  local = await startDynamoLocal();
  client = local.client();
  db = DynamoDBDocumentClient.from(client);
});
after(async () => {
  client.destroy();
  await local.close();
});

const ada: Profile = {
  userId: 'u-ada',
  email: 'ada@example.test',
  name: 'Ada Lovelace',
  phoneNumber: '+441234567890',
  address: { line1: '1 Analytical Way', city: 'London', country: 'GB' },
  emailVerified: true,
  mfaEnabled: true,
  groups: ['admin', 'user'],
  enabled: true,
  photoVersion: 'p1',
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-02-01T00:00:00.000Z',
};
const bob: Profile = {
  ...ada,
  userId: 'u-bob',
  email: 'bob@example.test',
  name: null,
  phoneNumber: null,
  address: null,
  photoVersion: null,
  mfaEnabled: false,
  groups: ['user'],
  createdAt: '2026-01-02T00:00:00.000Z',
};
const adaBilling: SubscriptionRecord = {
  userId: 'u-ada',
  customerId: 'cus_ada',
  subscriptionId: 'sub_ada',
  priceId: 'price_premium',
  plan: 'premium',
  status: 'active',
  currentPeriodEnd: 1_800_000_000,
  cancelAtPeriodEnd: false,
  paymentFailedAt: null,
  lastInvoiceAt: 1_790_000_000,
  scheduledPriceId: 'price_basic',
  checkoutStartedAt: null,
  // A renewal due at the period's end: due for reconciliation from then.
  checkAfter: 1_800_000_000,
  updatedAt: '2026-02-02T00:00:00.000Z',
};

/** The items of the release before layout 2, as its items.ts wrote them. */
const legacy = {
  profile: (p: Profile) => ({
    pk: `USER#${p.userId}`,
    sk: 'PROFILE',
    gsi1pk: 'PROFILES',
    gsi1sk: `${p.createdAt}#${p.userId}`,
    email_lc: p.email.toLowerCase(),
    name_lc: (p.name ?? '').toLowerCase(),
    ...p,
    groups: [...p.groups],
  }),
  revocation: (userId: string, through: number) => ({ pk: `USER#${userId}`, sk: 'REVOCATION', through }),
  // Listed in the sparse BILLING_DUE index partition while due (the release before layout 2).
  billing: (r: SubscriptionRecord) => ({
    pk: `USER#${r.userId}`,
    sk: 'BILLING',
    ...r,
    ...(r.checkAfter === null
      ? {}
      : {
          gsi1pk: 'BILLING_DUE',
          gsi1sk: `${String(r.checkAfter * 1000).padStart(15, '0')}#${r.userId}`,
        }),
  }),
  usage: (userId: string, bytes: number, count: number) => ({
    pk: `USER#${userId}`,
    sk: 'USAGE',
    bytes,
    count,
  }),
  customer: (customerId: string, userId: string) => ({
    pk: `CUSTOMER#${customerId}`,
    sk: 'CUSTOMER',
    userId,
  }),
  file: (userId: string, id: string, size: number, at: string) => ({
    pk: `USER#${userId}`,
    sk: `FILE#${id}`,
    gsi1pk: `FILES#${userId}`,
    gsi1sk: `${at}#${id}`,
    id,
    userId,
    name: `${id}.txt`,
    size,
    contentType: 'text/plain',
    sha256: 'a'.repeat(64),
    blobKey: `files/${userId}/${id}`,
    createdAt: at,
  }),
};

async function legacyTable(): Promise<string> {
  const table = `gatehouse-v1-${randomUUID().slice(0, 8)}`;
  await createTableIfMissing(client, table);
  const items = [
    legacy.profile(ada),
    legacy.revocation('u-ada', 1_780_000_000_123),
    legacy.billing(adaBilling),
    legacy.customer('cus_ada', 'u-ada'),
    // The old counter says 999; the files say 300 in 2.
    legacy.usage('u-ada', 999, 7),
    legacy.file('u-ada', 'f1', 100, '2026-02-03T00:00:00.000Z'),
    legacy.file('u-ada', 'f2', 200, '2026-02-04T00:00:00.000Z'),
    legacy.profile(bob),
    // A deleted account: its mark outlives its profile.
    legacy.revocation('u-gone', 1_770_000_000_000),
  ];
  for (const Item of items) await db.send(new PutCommand({ TableName: table, Item }));
  return table;
}

const storeOn = (tableName: string) => createDynamoStore({ tableName, region: local.region, client });

test('a table of the release before layout 2 stops the start with one line naming the migration', async () => {
  const table = await legacyTable();
  assert.equal(await storeOn(table).layout(), 'legacy');
  const dataDir = mkdtempSync(join(tmpdir(), 'gh-migration-'));
  const env = {
    STORE: 'dynamodb',
    DYNAMODB_TABLE: table,
    DYNAMODB_ENDPOINT: local.endpoint,
    AWS_REGION: local.region,
    DATA_DIR: dataDir,
  };
  try {
    await assert.rejects(compose(loadConfig(env), pino({ level: 'silent' }), env), (err: unknown) => {
      assert.ok(err instanceof ConfigError);
      assert.equal(err.variable, 'DYNAMODB_TABLE');
      assert.match(err.message, /earlier release's layout.*npm run migrate:dynamodb/);
      assert.doesNotMatch(err.message, /\n/);
      return true;
    });
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('the migration merges each user into one item, counts usage from the files, and is idempotent', async () => {
  const table = await legacyTable();
  const dry = await migrateToLayout2(db, table, { dryRun: true });
  assert.deepEqual(dry.merged, { profile: 2, revocation: 2, billing: 1, usage: 1 });
  assert.equal(await storeOn(table).layout(), 'legacy', 'a dry run writes nothing');

  const report = await migrateToLayout2(db, table);
  assert.deepEqual(report.merged, { profile: 2, revocation: 2, billing: 1, usage: 1 });
  assert.equal(report.deleted, 6);
  assert.equal(report.kept, 0);
  const store = storeOn(table);
  assert.equal(await store.layout(), 'current');

  const a = await store.users.get('u-ada');
  assert.deepEqual(a.profile, ada);
  assert.equal(a.revokedThrough, 1_780_000_000_123);
  assert.deepEqual(a.billing, adaBilling);
  assert.deepEqual(a.usage, { bytes: 300, count: 2 }, 'counted from the files, not the old counter');
  assert.equal(await store.billing.userIdForCustomer('cus_ada'), 'u-ada');
  assert.deepEqual(
    (await store.files.list('u-ada', { limit: 10 })).items.map((f) => f.id),
    ['f2', 'f1'],
  );
  const b = await store.users.get('u-bob');
  assert.deepEqual(b.profile, bob);
  assert.equal(b.billing, null);
  const gone = await store.users.get('u-gone');
  assert.equal(gone.profile, null);
  assert.equal(gone.revokedThrough, 1_770_000_000_000, 'the mark of a deleted account stays');
  // Listed once each: the old profile items left the admin index.
  assert.deepEqual(
    (await store.profiles.list({ limit: 10 })).items.map((p) => p.userId),
    ['u-bob', 'u-ada'],
  );
  for (const sk of ['PROFILE', 'REVOCATION', 'BILLING', 'USAGE']) {
    const old = await db.send(new GetCommand({ TableName: table, Key: { pk: 'USER#u-ada', sk } }));
    assert.equal(old.Item, undefined, `${sk} is gone`);
  }
  // Still due for reconciliation once its old item, which the index listed, is gone: its due mark.
  assert.deepEqual(await store.billing.listDue(1_800_000_000, 10), ['u-ada']);
  assert.deepEqual(await store.billing.listDue(1_799_999_998, 10), [], 'not before it is due');
  // The new release keeps counting from there.
  assert.equal(await store.files.create({ ...legacyFileRecord('u-ada', 'f3', 50) }, 1000), true);
  assert.deepEqual((await store.users.get('u-ada')).usage, { bytes: 350, count: 3 });

  const again = await migrateToLayout2(db, table);
  assert.deepEqual(again.merged, { profile: 0, revocation: 0, billing: 0, usage: 0 });
  assert.equal(again.deleted, 0);
  assert.deepEqual(await store.users.get('u-ada'), { ...a, usage: { bytes: 350, count: 3 } });
  await store.close();
});

test('a run that stopped half-way finishes on the next, never taking an older copy over a newer one', async () => {
  const table = await legacyTable();
  const store = storeOn(table);
  // As if a first run had merged the profile and a larger mark, then stopped before deleting.
  const newer = { ...ada, name: 'Ada King', updatedAt: '2026-03-01T00:00:00.000Z' };
  await store.profiles.put(newer);
  await store.revocations.set('u-ada', 1_790_000_000_000);
  const report = await migrateToLayout2(db, table);
  assert.equal(report.alreadyThere, 2, 'the older profile and the smaller mark merge as nothing');
  const a = await store.users.get('u-ada');
  assert.deepEqual(a.profile, newer);
  assert.equal(a.revokedThrough, 1_790_000_000_000);
  assert.deepEqual(a.billing, adaBilling);
  assert.equal(report.kept, 0);
  await store.close();
});

function legacyFileRecord(userId: string, id: string, size: number) {
  const {
    pk: _pk,
    sk: _sk,
    gsi1pk: _g1,
    gsi1sk: _g2,
    ...record
  } = legacy.file(userId, id, size, '2026-02-05T00:00:00.000Z');
  return record;
}
