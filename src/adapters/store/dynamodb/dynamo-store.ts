/**
 * The store port on one DynamoDB table (AWS mode). It keeps the port's promises
 * (ports/store.ts) with DynamoDB's own tools; keys.ts holds the key design, docs/dynamodb.md its
 * access patterns. Every request-path read is a GetItem or a Query: never a Scan.
 * - Atomic where the port says so: the quota check and the file insert are one transaction with
 *   the user's usage item (a conflicting transaction is retried, a failed condition is "no");
 *   revocation marks move forward under a condition; throttle hits are one atomic ADD inside the
 *   current window (a new window is a conditional put); linking a billing customer is one
 *   transaction of the user's record and the customer's reverse link, first writer wins.
 * - Reads that decide access (sessions, revocation marks, throttles, usage, billing) are strongly
 *   consistent. Listings come from the global index, which is eventually consistent: a record
 *   written a moment ago may be missing from a listing for that moment (never from a GetItem).
 *   Sign-out everywhere does not depend on listings: the revocation mark voids every session.
 * - Sessions and throttle counters carry `expires_at` for DynamoDB's TTL sweeper, which can lag by
 *   days, so expired ones are filtered out on read.
 * - Failures other than conditions are UNAVAILABLE (errors.ts).
 * Profiles and files are here; table-ops.ts holds the shared reads, writes and paging, and
 * dynamo-sessions.ts, dynamo-billing.ts, dynamo-audit.ts and dynamo-federation.ts the other records.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../../../domain/errors.ts';
import type { ProfileQuery, Store } from '../../../ports/store.ts';
import { awsClientSettings, BUDGETS } from '../../shared/aws-client.ts';
import { dynamoAudit } from './dynamo-audit.ts';
import { dynamoBilling } from './dynamo-billing.ts';
import { createDynamoFederation } from './dynamo-federation.ts';
import { dynamoSessions } from './dynamo-sessions.ts';
import { guard } from './errors.ts';
import { fileItem, profileItem, toFile, toProfile } from './items.ts';
import { indexSort, keys } from './keys.ts';
import { createTableOps, TRANSACTION_ATTEMPTS } from './table-ops.ts';

export { MAX_PAGE } from './table-ops.ts';

/** The admin list's search, status and group as a FilterExpression on the PROFILES index. */
const profileFilter = (query: ProfileQuery) => {
  const parts: string[] = [];
  const values: Record<string, unknown> = {};
  const names: Record<string, string> = {};
  if (query.search) {
    parts.push('(begins_with(email_lc, :s) OR begins_with(name_lc, :s))');
    values[':s'] = query.search.toLowerCase();
  }
  if (query.enabled !== undefined) {
    parts.push('enabled = :e');
    values[':e'] = query.enabled;
  }
  if (query.group !== undefined) {
    parts.push('contains(#groups, :g)');
    values[':g'] = query.group;
    names['#groups'] = 'groups';
  }
  return parts.length === 0
    ? {}
    : {
        FilterExpression: parts.join(' AND '),
        ExpressionAttributeValues: values,
        ...(Object.keys(names).length > 0 ? { ExpressionAttributeNames: names } : {}),
      };
};

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

export function createDynamoStore(opts: DynamoStoreOptions): Store & { readonly client: DynamoDBClient } {
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
  const { get, del, transact, newestFirst } = t;

  let closed = false;
  /** One store operation: refused once the store is closed, its failures translated (errors.ts). */
  const op = <T>(run: () => Promise<T>): Promise<T> =>
    closed ? Promise.reject(new AppError('UNAVAILABLE', 'The data store is closed.')) : guard(run);

  return {
    client: raw,

    profiles: {
      get: (userId) =>
        op(async () => {
          const item = await get(keys.profile(userId));
          return item ? toProfile(item) : null;
        }),
      put: (profile) =>
        op(async () => {
          await db.send(new PutCommand({ TableName, Item: profileItem(profile) }));
        }),
      delete: (userId) =>
        op(async () => {
          await del(keys.profile(userId));
        }),
      list: (query) =>
        op(() =>
          newestFirst(
            {
              IndexName: 'gsi1',
              KeyConditionExpression: 'gsi1pk = :p',
              ...mergeValues({ ':p': keys.profilesIndex }, profileFilter(query)),
            },
            (p) => ({
              ...keys.profile(p.id),
              gsi1pk: keys.profilesIndex,
              gsi1sk: indexSort(p.at, p.id),
            }),
            toProfile,
            (p) => ({ at: p.createdAt, id: p.userId }),
            query.limit,
            query.cursor,
          ),
        ),
    },

    files: {
      create: (file, quotaBytes) =>
        op(async () => {
          if (file.size > quotaBytes) return false;
          return transact([
            {
              Update: {
                TableName,
                Key: keys.usage(file.userId),
                UpdateExpression: 'ADD #bytes :size, #count :one',
                ConditionExpression: 'attribute_not_exists(#bytes) OR #bytes <= :room',
                ExpressionAttributeNames: { '#bytes': 'bytes', '#count': 'count' },
                ExpressionAttributeValues: { ':size': file.size, ':one': 1, ':room': quotaBytes - file.size },
              },
            },
            {
              Put: {
                TableName,
                Item: fileItem(file),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
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
                  Key: keys.usage(userId),
                  UpdateExpression: 'ADD #bytes :minus, #count :minusOne',
                  ExpressionAttributeNames: { '#bytes': 'bytes', '#count': 'count' },
                  ExpressionAttributeValues: { ':minus': -size, ':minusOne': -1 },
                },
              },
            ]);
            if (done) return true;
            // The file went (or changed) between the read and the delete: look again.
          }
          return false;
        }),
      usage: (userId) =>
        op(async () => {
          const item = await get(keys.usage(userId));
          return { bytes: Number(item?.bytes ?? 0), count: Number(item?.count ?? 0) };
        }),
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

/** Adds `values` to the filter's ExpressionAttributeValues. */
function mergeValues(
  values: Record<string, unknown>,
  filter: { ExpressionAttributeValues?: Record<string, unknown>; [k: string]: unknown },
) {
  return { ...filter, ExpressionAttributeValues: { ...values, ...(filter.ExpressionAttributeValues ?? {}) } };
}
