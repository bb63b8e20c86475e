/**
 * The limits port on the app's one DynamoDB table, shared by every instance. It keeps the port's
 * promises (ports/limits.ts) with one UpdateItem per hit: `ADD count 1` on the item of the key's
 * current window (created by that same write when missing), returning the new count. DynamoDB
 * applies concurrent ADDs to one item one after another, so no hit is lost or doubled, whichever
 * instance sends it. The window's start is part of the key, so a new window is a new item and no
 * write ever needs a condition or a read; each item carries its window's end in the table's TTL
 * attribute, and DynamoDB deletes it some time after (docs/dynamodb.md, "Rate-limit counters").
 * Any failure (unreachable, throttled, no table, a call that hangs past its deadline) rejects with
 * UNAVAILABLE.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../../../domain/errors.ts';
import { type LimitHit, type Limits, windowStart } from '../../../ports/limits.ts';
import { awsClientSettings, BUDGETS } from '../../shared/aws-client.ts';
import { TABLE_KEYS } from '../../store/dynamodb/keys.ts';

export interface DynamoLimitsOptions {
  readonly tableName: string;
  readonly region: string;
  /** Only for DynamoDB Local. */
  readonly endpoint?: string;
  readonly client?: DynamoDBClient;
  /** Epoch milliseconds; decides the window. */
  readonly clock?: () => number;
}

/** The item of `key`'s window that starts at `start` (epoch ms): its own prefix, never the store's. */
export const limitKey = (key: string, start: number) => ({
  [TABLE_KEYS.partition]: `LIMIT#${start}#${key}`,
  [TABLE_KEYS.sort]: 'LIMIT',
});

export function createDynamoLimits(opts: DynamoLimitsOptions): Limits & { readonly client: DynamoDBClient } {
  const clock = opts.clock ?? Date.now;
  const own = opts.client === undefined;
  const client =
    opts.client ??
    new DynamoDBClient({
      region: opts.region,
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      // Every sign-in and sign-up waits on this write: a hung call must end (shared/aws-client.ts).
      ...awsClientSettings(BUDGETS.dynamodb),
    });
  const db = DynamoDBDocumentClient.from(client);

  return {
    client,
    async hit(key, windowSeconds): Promise<LimitHit> {
      const start = windowStart(clock(), windowSeconds);
      const resetAt = start + windowSeconds * 1000;
      try {
        const out = await db.send(
          new UpdateCommand({
            TableName: opts.tableName,
            Key: limitKey(key, start),
            UpdateExpression: 'ADD #count :one SET #ttl = if_not_exists(#ttl, :ends)',
            ExpressionAttributeNames: { '#count': 'count', '#ttl': TABLE_KEYS.ttl },
            ExpressionAttributeValues: { ':one': 1, ':ends': Math.ceil(resetAt / 1000) },
            ReturnValues: 'UPDATED_NEW',
          }),
        );
        return { count: Number(out.Attributes?.count), resetAt };
      } catch (err) {
        throw new AppError('UNAVAILABLE', 'The rate-limit counters are unavailable. Try again shortly.', {
          cause: err,
        });
      }
    },
    async close() {
      if (own) client.destroy();
    },
  };
}
