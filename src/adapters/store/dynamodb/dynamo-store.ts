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
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import { AppError } from '../../../domain/errors.ts';
import type { AuditQuery, Page, ProfileQuery, Store } from '../../../ports/store.ts';
import { decodeCursor, encodeCursor, type Position } from '../../shared/cursor.ts';
import { createDynamoFederation } from './dynamo-federation.ts';
import { cancellationReasons, errorName, guard, isConditionFailure } from './errors.ts';
import {
  auditBySubjectItem,
  auditItem,
  billingItem,
  fileItem,
  profileItem,
  sessionItem,
  toAudit,
  toBilling,
  toFile,
  toProfile,
  toSession,
} from './items.ts';
import { indexSort, type Key, keys } from './keys.ts';

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

/** A page never holds more than this many records, whatever the caller asks for. */
export const MAX_PAGE = 500;
/** Attempts of a transaction that keeps meeting another one on the same item. */
const TRANSACTION_ATTEMPTS = 8;
/** Webhook event ids are kept this long: Stripe stops retrying after three days. */
const EVENT_TTL_SECONDS = 90 * 24 * 3600;

function pageSize(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new AppError('BAD_REQUEST', 'The page size must be a positive whole number.');
  }
  return Math.min(limit, MAX_PAGE);
}

type Item = Record<string, unknown>;

export function createDynamoStore(opts: DynamoStoreOptions): Store & { readonly client: DynamoDBClient } {
  const TableName = opts.tableName;
  const clock = opts.clock ?? Date.now;
  const raw =
    opts.client ??
    new DynamoDBClient({
      region: opts.region,
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
    });
  const db = DynamoDBDocumentClient.from(raw, {
    marshallOptions: { removeUndefinedValues: true, convertEmptyValues: false },
  });

  let closed = false;
  /** One store operation: refused once the store is closed, its failures translated (errors.ts). */
  const op = <T>(run: () => Promise<T>): Promise<T> =>
    closed ? Promise.reject(new AppError('UNAVAILABLE', 'The data store is closed.')) : guard(run);

  const get = async (key: Key): Promise<Item | null> =>
    ((await db.send(new GetCommand({ TableName, Key: key, ConsistentRead: true }))).Item as
      | Item
      | undefined) ?? null;
  const del = (key: Key) => db.send(new DeleteCommand({ TableName, Key: key }));
  /** Runs a conditional write; false when its condition failed. */
  const conditional = async (run: () => Promise<unknown>): Promise<boolean> => {
    try {
      await run();
      return true;
    } catch (err) {
      if (isConditionFailure(err)) return false;
      throw err;
    }
  };
  /** Runs a transaction; false when a condition failed, retried when it met another transaction. */
  const transact = async (items: TransactWriteCommandInput['TransactItems']) => {
    for (let attempt = 1; ; attempt++) {
      try {
        await db.send(new TransactWriteCommand({ TransactItems: items }));
        return true;
      } catch (err) {
        const reasons = cancellationReasons(err);
        if (reasons.includes('ConditionalCheckFailed')) return false;
        const conflict =
          reasons.includes('TransactionConflict') || errorName(err) === 'TransactionConflictException';
        if (!conflict || attempt >= TRANSACTION_ATTEMPTS) throw err;
        await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
      }
    }
  };

  /** Every item of a query, following pages (for small per-user sets: sessions). */
  const queryAll = async (input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]> => {
    const out: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await db.send(
        new QueryCommand({ TableName, ...input, ...(start ? { ExclusiveStartKey: start } : {}) }),
      );
      out.push(...((page.Items ?? []) as Item[]));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  };

  /**
   * A newest-first page from a query whose sort key is `<time>#<id>`, starting after a position:
   * reads on (DynamoDB applies the filter after reading) until limit + 1 matches are found or the
   * partition ends, so a filtered listing costs what it reads, and says so in docs/dynamodb.md.
   */
  const newestFirst = async <T>(
    input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey' | 'Limit' | 'ScanIndexForward'>,
    startKey: (p: Position) => Record<string, unknown>,
    toRecord: (i: Item) => T,
    position: (r: T) => Position,
    limit: number,
    cursor: string | undefined,
  ): Promise<Page<T>> => {
    const size = pageSize(limit);
    let start = cursor === undefined ? undefined : startKey(decodeCursor(cursor));
    const found: T[] = [];
    do {
      const page = await db.send(
        new QueryCommand({
          TableName,
          ...input,
          ScanIndexForward: false,
          Limit: Math.min(size + 1, MAX_PAGE) * 2,
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      for (const item of (page.Items ?? []) as Item[]) found.push(toRecord(item));
      start = page.LastEvaluatedKey;
    } while (start && found.length <= size);
    const items = found.slice(0, size);
    const last = items[items.length - 1];
    return { items, nextCursor: found.length > size && last ? encodeCursor(position(last)) : null };
  };

  const liveSession = (item: Item | null) => {
    if (!item) return null;
    const session = toSession(item);
    return session.expiresAt <= clock() ? null : session;
  };

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

  const auditFilter = (query: AuditQuery, skipSubject: boolean) => {
    const parts: string[] = [];
    const values: Record<string, unknown> = {};
    const names: Record<string, string> = {};
    if (query.type !== undefined) {
      parts.push('#type = :type');
      values[':type'] = query.type;
      names['#type'] = 'type';
    }
    if (query.actorId !== undefined) {
      parts.push('actorId = :actor');
      values[':actor'] = query.actorId;
    }
    if (!skipSubject && query.subjectId !== undefined) {
      parts.push('subjectId = :subject');
      values[':subject'] = query.subjectId;
    }
    return { parts, values, names };
  };

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

    billing: {
      get: (userId) =>
        op(async () => {
          const item = await get(keys.billing(userId));
          return item ? toBilling(item) : null;
        }),
      userIdForCustomer: (customerId) =>
        op(async () => {
          const item = await get(keys.customer(customerId));
          return item ? String(item.userId) : null;
        }),
      linkCustomer: (userId, customerId, updatedAt) =>
        op(async () => {
          const record = {
            userId,
            customerId,
            subscriptionId: null,
            priceId: null,
            plan: null,
            status: null,
            currentPeriodEnd: null,
            cancelAtPeriodEnd: false,
            paymentFailedAt: null,
            lastInvoiceAt: null,
            updatedAt,
          };
          await transact([
            {
              Put: { TableName, Item: billingItem(record), ConditionExpression: 'attribute_not_exists(pk)' },
            },
            {
              Put: {
                TableName,
                Item: { ...keys.customer(customerId), userId },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
          ]);
          // Whoever won, the stored record is the answer.
          const stored = await get(keys.billing(userId));
          if (!stored) throw new AppError('INTERNAL', 'The billing record was not written.');
          return toBilling(stored);
        }),
      put: (record) =>
        op(async () => {
          const ok = await conditional(() =>
            db.send(
              new PutCommand({
                TableName,
                Item: billingItem(record),
                ConditionExpression: 'attribute_exists(pk)',
              }),
            ),
          );
          if (!ok) throw new AppError('INTERNAL', 'No billing record to update: link the customer first.');
        }),
      delete: (userId) =>
        op(async () => {
          const item = await get(keys.billing(userId));
          if (!item) return;
          await del(keys.billing(userId));
          await conditional(() =>
            db.send(
              new DeleteCommand({
                TableName,
                Key: keys.customer(String(item.customerId)),
                ConditionExpression: 'userId = :u',
                ExpressionAttributeValues: { ':u': userId },
              }),
            ),
          );
        }),
      recordEvent: (eventId, type, receivedAt) =>
        op(() =>
          conditional(() =>
            db.send(
              new PutCommand({
                TableName,
                Item: {
                  ...keys.event(eventId),
                  type,
                  receivedAt,
                  expires_at: Math.floor(Date.parse(receivedAt) / 1000) + EVENT_TTL_SECONDS,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              }),
            ),
          ),
        ),
      hasEvent: (eventId) => op(async () => (await get(keys.event(eventId))) !== null),
    },

    sessions: {
      create: (session) =>
        op(async () => {
          await db.send(
            new PutCommand({
              TableName,
              Item: sessionItem(session),
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          );
        }),
      get: (idHash) => op(async () => liveSession(await get(keys.session(idHash)))),
      touch: (idHash, lastSeenAt) =>
        op(async () => {
          await conditional(() =>
            db.send(
              new UpdateCommand({
                TableName,
                Key: keys.session(idHash),
                UpdateExpression: 'SET lastSeenAt = :t',
                ConditionExpression: 'attribute_exists(pk) AND lastSeenAt < :t',
                ExpressionAttributeValues: { ':t': lastSeenAt },
              }),
            ),
          );
        }),
      listForUser: (userId) =>
        op(async () =>
          (
            await queryAll({
              IndexName: 'gsi1',
              KeyConditionExpression: 'gsi1pk = :p',
              ExpressionAttributeValues: { ':p': keys.sessionsIndex(userId) },
              ScanIndexForward: false,
            })
          )
            .map(liveSession)
            .filter((s) => s !== null),
        ),
      delete: (idHash) =>
        op(async () => {
          await del(keys.session(idHash));
        }),
      deleteByPublicId: (userId, publicId) =>
        op(async () => {
          const found = await queryAll({
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :p',
            FilterExpression: 'publicId = :id',
            ExpressionAttributeValues: { ':p': keys.sessionsIndex(userId), ':id': publicId },
          });
          let deleted = false;
          for (const item of found) {
            const ok = await conditional(() =>
              db.send(
                new DeleteCommand({
                  TableName,
                  Key: keys.session(String(item.idHash)),
                  ConditionExpression: 'userId = :u AND publicId = :id',
                  ExpressionAttributeValues: { ':u': userId, ':id': publicId },
                }),
              ),
            );
            deleted ||= ok;
          }
          return deleted;
        }),
      deleteAllForUser: (userId) =>
        op(async () => {
          const found = await queryAll({
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :p',
            ExpressionAttributeValues: { ':p': keys.sessionsIndex(userId) },
          });
          let count = 0;
          for (const item of found) {
            const ok = await conditional(() =>
              db.send(
                new DeleteCommand({
                  TableName,
                  Key: keys.session(String(item.idHash)),
                  ConditionExpression: 'attribute_exists(pk)',
                }),
              ),
            );
            if (ok) count++;
          }
          return count;
        }),
    },

    revocations: {
      get: (userId) =>
        op(async () => {
          const item = await get(keys.revocation(userId));
          return item ? Number(item.through) : null;
        }),
      set: (userId, revokedThrough) =>
        op(async () => {
          // A smaller mark than the stored one fails its condition, and that is the point.
          await conditional(() =>
            db.send(
              new UpdateCommand({
                TableName,
                Key: keys.revocation(userId),
                UpdateExpression: 'SET through = :t',
                ConditionExpression: 'attribute_not_exists(through) OR through < :t',
                ExpressionAttributeValues: { ':t': revokedThrough },
              }),
            ),
          );
        }),
    },

    audit: {
      append: (event) =>
        op(async () => {
          // The event, and a copy under its subject for the per-user listing, in one transaction.
          const puts = [{ Put: { TableName, Item: auditItem(event) } }];
          if (event.subjectId !== null) {
            puts.push({ Put: { TableName, Item: auditBySubjectItem(event, event.subjectId) } });
          }
          if (puts.length === 1)
            await db.send(new PutCommand(puts[0]?.Put as { TableName: string; Item: Item }));
          else await transact(puts);
        }),
      list: (query) =>
        op(() => {
          const bySubject = query.subjectId !== undefined;
          const filter = auditFilter(query, bySubject);
          const values: Record<string, unknown> = { ...filter.values };
          let input: Omit<QueryCommandInput, 'TableName'>;
          let startKey: (p: Position) => Record<string, unknown>;
          if (bySubject) {
            const subject = query.subjectId as string;
            values[':p'] = `SUBJECT#${subject}`;
            values[':prefix'] = 'AUDIT#';
            input = { KeyConditionExpression: 'pk = :p AND begins_with(sk, :prefix)' };
            startKey = (p) => keys.auditBySubject(subject, p.at, p.id);
          } else {
            values[':p'] = keys.auditIndex;
            input = { IndexName: 'gsi1', KeyConditionExpression: 'gsi1pk = :p' };
            startKey = (p) => ({
              ...keys.audit(p.id),
              gsi1pk: keys.auditIndex,
              gsi1sk: indexSort(p.at, p.id),
            });
          }
          return newestFirst(
            {
              ...input,
              ExpressionAttributeValues: values,
              ...(filter.parts.length > 0 ? { FilterExpression: filter.parts.join(' AND ') } : {}),
              ...(Object.keys(filter.names).length > 0 ? { ExpressionAttributeNames: filter.names } : {}),
            },
            startKey,
            toAudit,
            (e) => ({ at: e.at, id: e.id }),
            query.limit,
            query.cursor,
          );
        }),
    },

    ...createDynamoFederation({ db, TableName, op, get, conditional, queryAll }),

    throttle: {
      hit: (key, windowSeconds, now) =>
        op(async () => {
          for (let attempt = 1; attempt <= TRANSACTION_ATTEMPTS; attempt++) {
            // Inside a live window: one atomic increment.
            try {
              const out = await db.send(
                new UpdateCommand({
                  TableName,
                  Key: keys.throttle(key),
                  UpdateExpression: 'ADD #count :one',
                  ConditionExpression: 'windowEndsAt > :now',
                  ExpressionAttributeNames: { '#count': 'count' },
                  ExpressionAttributeValues: { ':one': 1, ':now': now },
                  ReturnValues: 'UPDATED_NEW',
                }),
              );
              return Number(out.Attributes?.count);
            } catch (err) {
              if (!isConditionFailure(err)) throw err;
            }
            // No window, or an ended one: start a new window, unless another request just did.
            const started = await conditional(() =>
              db.send(
                new PutCommand({
                  TableName,
                  Item: {
                    ...keys.throttle(key),
                    count: 1,
                    windowEndsAt: now + windowSeconds,
                    expires_at: now + windowSeconds,
                  },
                  ConditionExpression: 'attribute_not_exists(pk) OR windowEndsAt <= :now',
                  ExpressionAttributeValues: { ':now': now },
                }),
              ),
            );
            if (started) return 1;
          }
          throw new AppError('UNAVAILABLE', 'The throttle counter is too contended. Try again shortly.');
        }),
      count: (key, now) =>
        op(async () => {
          const item = await get(keys.throttle(key));
          return item && Number(item.windowEndsAt) > now ? Number(item.count) : 0;
        }),
      reset: (key) =>
        op(async () => {
          await del(keys.throttle(key));
        }),
    },

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
