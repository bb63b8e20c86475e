/**
 * The limits contract against the DynamoDB adapter on AWS's DynamoDB Local, each instance with a
 * client of its own (as separate server processes would have), on the store's table layout; and
 * what only this adapter can be checked for: its items' key prefix and TTL, one UpdateItem per hit
 * and nothing else, and UNAVAILABLE when the table cannot be reached.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { DeleteTableCommand, type DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { createDynamoLimits, limitKey } from '../../src/adapters/limits/dynamodb/dynamodb-limits.ts';
import { createTableIfMissing } from '../../src/adapters/store/dynamodb/table.ts';
import { isAppError } from '../../src/domain/errors.ts';
import { type DynamoLocal, startDynamoLocal } from '../helpers/dynamodb-local.ts';
import { refuseScans } from '../helpers/refuse-scans.ts';
import { limitsContract } from './limits.contract.ts';

let local: DynamoLocal;
let admin: DynamoDBClient;
const tableName = `gatehouse-limits-${randomUUID().slice(0, 8)}`;
const sent: string[] = [];
const clients: DynamoDBClient[] = [];

before(async () => {
  local = await startDynamoLocal();
  admin = local.client();
  await createTableIfMissing(admin, tableName);
});
after(async () => {
  for (const c of clients) c.destroy();
  await admin.send(new DeleteTableCommand({ TableName: tableName }));
  admin.destroy();
  await local.close();
});

const client = () => {
  const c = local.client();
  refuseScans(c, sent);
  clients.push(c);
  return c;
};

limitsContract('DynamoDB (DynamoDB Local)', async () => ({
  make: (clock) => createDynamoLimits({ tableName, region: local.region, client: client(), clock }),
  shared: true,
  cleanup: async () => undefined,
}));

test('one UpdateItem per hit, on an item of its own prefix that expires with its window', async () => {
  const clock = () => Date.UTC(2031, 5, 1, 8, 30, 15);
  const limits = createDynamoLimits({ tableName, region: local.region, client: client(), clock });
  const before = sent.length;
  await limits.hit('/api/auth/signup|198.51.100.9', 60);
  await limits.hit('/api/auth/signup|198.51.100.9', 60);
  assert.deepEqual(sent.slice(before), ['UpdateItemCommand', 'UpdateItemCommand']);
  const start = Date.UTC(2031, 5, 1, 8, 30, 0);
  const item = await admin.send(
    new GetItemCommand({
      TableName: tableName,
      Key: {
        pk: { S: String(limitKey('/api/auth/signup|198.51.100.9', start).pk) },
        sk: { S: 'LIMIT' },
      },
    }),
  );
  assert.equal(item.Item?.pk?.S, `LIMIT#${start}#/api/auth/signup|198.51.100.9`);
  assert.equal(item.Item?.count?.N, '2');
  assert.equal(
    item.Item?.expires_at?.N,
    String((start + 60_000) / 1000),
    'the TTL attribute: the window’s end',
  );
});

test('an unreachable table is UNAVAILABLE', async () => {
  const limits = createDynamoLimits({
    tableName: 'no-such-table',
    region: local.region,
    client: client(),
  });
  await assert.rejects(limits.hit('k', 60), (err: unknown) => isAppError(err) && err.code === 'UNAVAILABLE');
});
