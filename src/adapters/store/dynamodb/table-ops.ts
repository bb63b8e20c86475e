/**
 * The few ways the DynamoDB store talks to its table, shared by its parts. What they guarantee:
 * reads are strongly consistent GetItems; a conditional write answers false when its condition
 * failed (an answer, not an error); a write that meets a transaction on the same item (and a
 * transaction that meets another) is retried with a short random backoff, as DynamoDB asks
 * (the SDK does not retry TransactionConflictException); a transaction answers false when a
 * condition failed; batch deletes go 25 keys a call, unprocessed keys sent again; listings are
 * Queries (never a Scan), newest first, paged by an opaque position cursor.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  GetCommand,
  QueryCommand,
  type QueryCommandInput,
  TransactWriteCommand,
  type TransactWriteCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { AppError } from '../../../domain/errors.ts';
import type { Page } from '../../../ports/store.ts';
import { decodeCursor, encodeCursor, type Position } from '../../shared/cursor.ts';
import { cancellationReasons, errorName, isConditionFailure } from './errors.ts';
import type { Key } from './keys.ts';

export type Item = Record<string, unknown>;

/** A page never holds more than this many records, whatever the caller asks for. */
export const MAX_PAGE = 500;
/** Attempts of a write that keeps meeting another one on the same item. */
export const TRANSACTION_ATTEMPTS = 8;

function pageSize(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new AppError('BAD_REQUEST', 'The page size must be a positive whole number.');
  }
  return Math.min(limit, MAX_PAGE);
}

/** An UpdateItem's expression and its placeholders, usable alone or inside a transaction. */
export interface UpdateParts {
  UpdateExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Record<string, unknown>;
  ConditionExpression?: string;
}

/**
 * SET for each attribute with a value, REMOVE for each undefined one. Attributes in `ifAbsent` are
 * set only where the item has none (if_not_exists); `add` adds to numbers (ADD). A condition uses
 * its own #names and :values, given in `names` and `values`.
 */
export function updateOf(
  set: Record<string, unknown>,
  opts: {
    ifAbsent?: readonly string[];
    add?: Record<string, number>;
    condition?: string;
    names?: Record<string, string>;
    values?: Record<string, unknown>;
  } = {},
): UpdateParts {
  const names: Record<string, string> = { ...opts.names };
  const values: Record<string, unknown> = { ...opts.values };
  const sets: string[] = [];
  const removes: string[] = [];
  const adds: string[] = [];
  let n = 0;
  const name = (attribute: string) => {
    const placeholder = `#u${n++}`;
    names[placeholder] = attribute;
    return placeholder;
  };
  for (const [attribute, value] of Object.entries(set)) {
    const a = name(attribute);
    if (value === undefined) {
      removes.push(a);
      continue;
    }
    values[`:u${n}`] = value;
    sets.push(opts.ifAbsent?.includes(attribute) ? `${a} = if_not_exists(${a}, :u${n})` : `${a} = :u${n}`);
  }
  for (const [attribute, amount] of Object.entries(opts.add ?? {})) {
    const a = name(attribute);
    values[`:u${n}`] = amount;
    adds.push(`${a} :u${n}`);
  }
  const clauses = [
    sets.length ? `SET ${sets.join(', ')}` : '',
    removes.length ? `REMOVE ${removes.join(', ')}` : '',
    adds.length ? `ADD ${adds.join(', ')}` : '',
  ];
  return {
    UpdateExpression: clauses.filter(Boolean).join(' '),
    ExpressionAttributeNames: names,
    ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}),
    ...(opts.condition ? { ConditionExpression: opts.condition } : {}),
  };
}

export interface TableOps {
  readonly db: DynamoDBDocumentClient;
  readonly TableName: string;
  get(key: Key): Promise<Item | null>;
  del(key: Key): Promise<unknown>;
  /** Runs a conditional write; false when its condition failed. */
  conditional(run: () => Promise<unknown>): Promise<boolean>;
  /** Runs a single-item write, again while it meets a transaction on the same item. */
  retrying<T>(run: () => Promise<T>): Promise<T>;
  /** Deletes every key, 25 a call (BatchWriteItem), sending unprocessed keys again. */
  batchDelete(keys: readonly Key[]): Promise<void>;
  /** Runs a transaction; false when a condition failed, retried when it met another transaction. */
  transact(items: TransactWriteCommandInput['TransactItems']): Promise<boolean>;
  /** Every item of a query, following pages (for small per-user sets: sessions). */
  queryAll(input: Omit<QueryCommandInput, 'TableName'>): Promise<Item[]>;
  /**
   * A newest-first page from a query whose sort key is `<time>#<id>`, starting after a position:
   * reads on (DynamoDB applies a filter after reading) until limit + 1 matches are found or the
   * partition ends, so a filtered listing costs what it reads (docs/dynamodb.md says so).
   */
  newestFirst<T>(
    input: Omit<QueryCommandInput, 'TableName' | 'ExclusiveStartKey' | 'Limit' | 'ScanIndexForward'>,
    startKey: (p: Position) => Record<string, unknown>,
    toRecord: (i: Item) => T,
    position: (r: T) => Position,
    limit: number,
    cursor: string | undefined,
  ): Promise<Page<T>>;
}

const backoff = (attempt: number) => new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
const BATCH = 25;

export function createTableOps(db: DynamoDBDocumentClient, TableName: string): TableOps {
  return {
    db,
    TableName,
    async get(key) {
      const out = await db.send(new GetCommand({ TableName, Key: key, ConsistentRead: true }));
      return (out.Item as Item | undefined) ?? null;
    },
    del: (key) => db.send(new DeleteCommand({ TableName, Key: key })),
    async conditional(run) {
      try {
        await run();
        return true;
      } catch (err) {
        if (isConditionFailure(err)) return false;
        throw err;
      }
    },
    async transact(items) {
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
          await backoff(attempt);
        }
      }
    },
    async retrying(run) {
      for (let attempt = 1; ; attempt++) {
        try {
          return await run();
        } catch (err) {
          if (errorName(err) !== 'TransactionConflictException' || attempt >= TRANSACTION_ATTEMPTS) throw err;
          await backoff(attempt);
        }
      }
    },
    async batchDelete(keys) {
      for (let i = 0; i < keys.length; i += BATCH) {
        let requests = keys.slice(i, i + BATCH).map((Key) => ({ DeleteRequest: { Key } }));
        for (let attempt = 1; requests.length > 0; attempt++) {
          if (attempt > TRANSACTION_ATTEMPTS) {
            throw new AppError('UNAVAILABLE', 'The data store is too busy to delete. Try again shortly.');
          }
          if (attempt > 1) await backoff(attempt);
          const out = await db.send(new BatchWriteCommand({ RequestItems: { [TableName]: requests } }));
          requests = (out.UnprocessedItems?.[TableName] ?? []) as typeof requests;
        }
      }
    },
    async queryAll(input) {
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
    },
    async newestFirst(input, startKey, toRecord, position, limit, cursor) {
      const size = pageSize(limit);
      let start = cursor === undefined ? undefined : startKey(decodeCursor(cursor));
      const found: ReturnType<typeof toRecord>[] = [];
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
    },
  };
}
