/**
 * The store port on one DynamoDB table (AWS mode). It keeps the port's promises
 * (ports/store.ts) with DynamoDB's own tools; keys.ts holds the key design, docs/dynamodb.md its
 * access patterns. Every request-path read is a GetItem or a Query: never a Scan.
 * - One item per user holds the profile, the revocation mark, the billing state and the file
 *   usage (dynamodb-users.ts), so `users.get`, the read of every signed-in request, is one GetItem.
 * - Atomic where the port says so: the quota check, the file insert and its audit event are one
 *   transaction with the user item (a conflicting transaction is retried, a failed condition is
 *   "no"); revocation marks move forward under a condition; throttle hits are one atomic ADD inside
 *   the current window (a new window is a conditional put); linking a billing customer is one
 *   transaction of the user item and the customer's reverse link, first writer wins.
 * - Reads that decide access (sessions, the user item, throttles) are strongly
 *   consistent. Listings come from the global index, which is eventually consistent: a record
 *   written a moment ago may be missing from a listing for that moment (never from a GetItem).
 *   Sign-out everywhere does not depend on listings: the revocation mark voids every session.
 * - Sessions and throttle counters carry `expires_at` for DynamoDB's TTL sweeper, which can lag by
 *   days, so expired ones are filtered out on read.
 * - Failures other than conditions are UNAVAILABLE (errors.ts).
 * Files are here; table-ops.ts holds the shared reads, writes and paging, and dynamodb-users.ts,
 * dynamodb-sessions.ts, dynamodb-billing.ts, dynamodb-audit.ts and dynamodb-federation.ts the other records.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../../../domain/errors.ts';
import type { Store } from '../../../ports/store.ts';
import { awsClientSettings, BUDGETS } from '../../shared/aws-client.ts';
import { auditPuts, dynamoAudit } from './dynamodb-audit.ts';
import { dynamoBilling } from './dynamodb-billing.ts';
import { createDynamoFederation } from './dynamodb-federation.ts';
import { dynamoSessions } from './dynamodb-sessions.ts';
import { dynamoUsers } from './dynamodb-users.ts';
import { guard } from './errors.ts';
import { fileItem, toFile, toUserRecord } from './items.ts';
import { indexSort, keys } from './keys.ts';
import { type LayoutState, layoutState } from './layout.ts';
import { createTableOps, TRANSACTION_ATTEMPTS, updateOf } from './table-ops.ts';

export { MAX_PAGE } from './table-ops.ts';

export interface DynamoStoreOptions {
  readonly tableName: string;
  readonly region: string;
  /** Only for DynamoDB Local. */
  readonly endpoint?: string;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string };
  readonly client?: DynamoDBClient;
  /** Epoch milliseconds; decides which sessions have expired. */
  readonly clock?: () => number;
}

export interface DynamoStore extends Store {
  readonly client: DynamoDBClient;
  /**
   * Whether the table is in this release's layout (layout.ts): an empty table is stamped with it;
   * one written by an earlier release must be migrated first (docs/dynamodb.md, "Upgrading").
   */
  layout(): Promise<LayoutState>;
}

export function createDynamoStore(opts: DynamoStoreOptions): DynamoStore {
  const TableName = opts.tableName;
  const clock = opts.clock ?? Date.now;
  const raw =
    opts.client ??
    new DynamoDBClient({
      region: opts.region,
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
      // Throttling, 5xx and hung calls: bounded retries and per-attempt deadlines (shared/aws-client.ts).
      ...awsClientSettings(BUDGETS.dynamodb),
    });
  const db = DynamoDBDocumentClient.from(raw, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });
  const t = createTableOps(db, TableName);
  const { get, transact, newestFirst } = t;

  let closed = false;
  /** One store operation: refused once the store is closed, its failures translated (errors.ts). */
  const op = <T>(run: () => Promise<T>): Promise<T> =>
    closed ? Promise.reject(new AppError('UNAVAILABLE', 'The data store is closed.')) : guard(run);

  return {
    client: raw,
    layout: () => op(() => layoutState(t)),

    ...dynamoUsers(t, op),

    files: {
      create: (file, quotaBytes, event) =>
        op(async () => {
          if (file.size > quotaBytes) return false;
          return transact([
            {
              Update: {
                TableName,
                Key: keys.user(file.userId),
                ...updateOf(
                  { userId: file.userId },
                  {
                    add: { usedBytes: file.size, fileCount: 1 },
                    condition: 'attribute_not_exists(#b) OR #b <= :room',
                    names: { '#b': 'usedBytes' },
                    values: { ':room': quotaBytes - file.size },
                  },
                ),
              },
            },
            { Put: { TableName, Item: fileItem(file), ConditionExpression: 'attribute_not_exists(pk)' } },
            ...(event ? auditPuts(TableName, event) : []),
          ]);
        }),
      get: (userId, id) =>
        op(async () => {
          const item = await get(keys.file(userId, id));
          return item ? toFile(item) : null;
        }),
      list: (userId, listOpts) =>
        op(() =>
          newestFirst(
            {
              IndexName: 'gsi1',
              KeyConditionExpression: 'gsi1pk = :p',
              ExpressionAttributeValues: { ':p': keys.filesIndex(userId) },
            },
            (p) => ({
              ...keys.file(userId, p.id),
              gsi1pk: keys.filesIndex(userId),
              gsi1sk: indexSort(p.at, p.id),
            }),
            toFile,
            (f) => ({ at: f.createdAt, id: f.id }),
            listOpts.limit,
            listOpts.cursor,
          ),
        ),
      delete: (userId, id) =>
        op(async () => {
          for (let attempt = 1; attempt <= TRANSACTION_ATTEMPTS; attempt++) {
            const item = await get(keys.file(userId, id));
            if (!item) return false;
            const size = Number(item.size);
            const done = await transact([
              {
                Delete: {
                  TableName,
                  Key: keys.file(userId, id),
                  ConditionExpression: 'attribute_exists(pk) AND #size = :size',
                  ExpressionAttributeNames: { '#size': 'size' },
                  ExpressionAttributeValues: { ':size': size },
                },
              },
              {
                Update: {
                  TableName,
                  Key: keys.user(userId),
                  ...updateOf({}, { add: { usedBytes: -size, fileCount: -1 } }),
                },
              },
            ]);
            if (done) return true;
            // The file went (or changed) between the read and the delete: look again.
          }
          return false;
        }),
      usage: (userId) => op(async () => toUserRecord(userId, await get(keys.user(userId))).usage),
    },

    billing: dynamoBilling(t, op),
    ...dynamoSessions(t, op, clock),
    ...dynamoAudit(t, op),
    ...createDynamoFederation({ ...t, op }),

    ping: () =>
      op(async () => {
        await get(keys.ping());
      }),
    close: async () => {
      closed = true;
      if (!opts.client) raw.destroy();
    },
  };
}
