/**
 * Browser sessions on the DynamoDB table. What it guarantees: a session is read by its own key
 * with a strongly consistent GetItem, and one whose expiry has passed reads as gone even while
 * DynamoDB's TTL sweeper (which lags by days) has not removed it; a user's sessions are listed
 * from the index (eventually consistent); a deletion by public id is conditional on the owner, and
 * a user's sessions are deleted 25 a call (BatchWriteItem: sign-out everywhere does not rely on
 * it, the revocation mark has voided them first); touch only moves lastSeenAt forward.
 */
import { DeleteCommand, PutCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { Store } from '../../../ports/store.ts';
import { sessionItem, toSession } from './items.ts';
import { keys } from './keys.ts';
import type { Item, TableOps } from './table-ops.ts';

type Op = <T>(run: () => Promise<T>) => Promise<T>;

export function dynamoSessions(t: TableOps, op: Op, clock: () => number): Pick<Store, 'sessions'> {
  const { db, TableName } = t;
  const liveSession = (item: Item | null) => {
    if (!item) return null;
    const session = toSession(item);
    return session.expiresAt <= clock() ? null : session;
  };
  const byUser = (userId: string, filter?: { publicId: string }) =>
    t.queryAll({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ...(filter
        ? {
            FilterExpression: 'publicId = :id',
            ExpressionAttributeValues: { ':p': keys.sessionsIndex(userId), ':id': filter.publicId },
          }
        : { ExpressionAttributeValues: { ':p': keys.sessionsIndex(userId) } }),
      ScanIndexForward: false,
    });
  /** Updates an existing session only: a write must never recreate a deleted one. */
  const updateExisting = (idHash: string, update: string, values: Item, condition = '') =>
    t.conditional(() =>
      db.send(
        new UpdateCommand({
          TableName,
          Key: keys.session(idHash),
          UpdateExpression: update,
          ConditionExpression: `attribute_exists(pk)${condition}`,
          ExpressionAttributeValues: values,
        }),
      ),
    );

  return {
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
      get: (idHash) => op(async () => liveSession(await t.get(keys.session(idHash)))),
      touch: (idHash, lastSeenAt) =>
        op(async () => {
          await updateExisting(idHash, 'SET lastSeenAt = :t', { ':t': lastSeenAt }, ' AND lastSeenAt < :t');
        }),
      setSealedIdpToken: (idHash, sealed) =>
        op(async () => {
          await updateExisting(idHash, 'SET sealedIdpToken = :s', { ':s': sealed });
        }),
      listForUser: (userId) =>
        op(async () => (await byUser(userId)).map(liveSession).filter((s) => s !== null)),
      delete: (idHash) =>
        op(async () => {
          await t.del(keys.session(idHash));
        }),
      deleteByPublicId: (userId, publicId) =>
        op(async () => {
          let deleted = false;
          for (const item of await byUser(userId, { publicId })) {
            const ok = await t.conditional(() =>
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
          const found = await byUser(userId);
          await t.batchDelete(found.map((item) => keys.session(String(item.idHash))));
          return found.length;
        }),
    },
  };
}
