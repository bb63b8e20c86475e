/**
 * The few ways the DynamoDB store talks to its table, shared by its parts. What they guarantee:
 * reads are strongly consistent GetItems; a conditional write answers false when its condition
 * failed (an answer, not an error); a transaction answers false when a condition failed and is
 * retried with a short random backoff when it met another transaction on the same item; listings
 * are Queries (never a Scan), newest first, paged by an opaque position cursor.
 */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
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

export interface TableOps {
  readonly db: DynamoDBDocumentClient;
  readonly TableName: string;
  get(key: Key): Promise<Item | null>;
  del(key: Key): Promise<unknown>;
  /** Runs a conditional write; false when its condition failed. */
  conditional(run: () => Promise<unknown>): Promise<boolean>;
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
          await new Promise((r) => setTimeout(r, Math.random() * 20 * attempt));
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
