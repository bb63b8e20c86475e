/**
 * The DynamoDB store's social sign-in records (keys.ts has their keys). What it guarantees:
 * - Taking a flow is one DeleteItem conditioned on the item existing, returning the old item:
 *   exactly one of concurrent takes deletes it, so a flow is used once. Flows carry `expires_at` for the TTL
 *   sweeper, and an expired one that the sweeper has not removed yet is never handed out.
 * - A link is a PutItem on the (provider, subject) key under attribute_not_exists: first writer
 *   wins. An unlink is a DeleteItem conditioned on the owner.
 * - A user's links come from the global index, which is eventually consistent; each listed link
 *   is confirmed with a strongly consistent read of its own item, so a link just removed is never
 *   listed (the "not the last way to sign in" check relies on it). A link made a moment ago may
 *   be missing from a listing for that moment, which only ever makes that check refuse.
 */
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  PutCommand,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import type { LinkedIdentity, OAuthFlowRecord, Store } from '../../../ports/store.ts';
import { indexSort, type Key, keys } from './keys.ts';

type Item = Record<string, unknown>;

export interface DynamoContext {
  readonly db: DynamoDBDocumentClient;
  readonly TableName: string;
  readonly op: <T>(run: () => Promise<T>) => Promise<T>;
  /** A strongly consistent GetItem. */
  readonly get: (key: Key) => Promise<Item | null>;
  /** Runs a conditional write; false when its condition failed. */
  readonly conditional: (run: () => Promise<unknown>) => Promise<boolean>;
  readonly queryAll: (input: Omit<QueryCommandInput, 'TableName'>) => Promise<Item[]>;
}

const str = (v: unknown): string => String(v ?? '');
const strOrNull = (v: unknown): string | null => (typeof v === 'string' ? v : null);

const toFlow = (i: Item): OAuthFlowRecord => ({
  idHash: str(i.idHash),
  provider: str(i.provider),
  state: str(i.state),
  nonce: str(i.nonce),
  codeVerifier: str(i.codeVerifier),
  returnTo: str(i.returnTo),
  linkUserId: strOrNull(i.linkUserId),
  createdAt: Number(i.createdAt),
  expiresAt: Number(i.expiresAt),
});

const toIdentity = (i: Item): LinkedIdentity => ({
  provider: str(i.provider),
  subject: str(i.subject),
  userId: str(i.userId),
  email: strOrNull(i.email),
  linkedAt: str(i.linkedAt),
});

export function createDynamoFederation(ctx: DynamoContext): Pick<Store, 'oauthFlows' | 'identities'> {
  const { db, TableName, op, get, conditional, queryAll } = ctx;

  const listed = async (userId: string): Promise<LinkedIdentity[]> => {
    const items = await queryAll({
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': keys.identitiesIndex(userId) },
    });
    const confirmed: LinkedIdentity[] = [];
    for (const item of items) {
      const current = await get(keys.identity(str(item.provider), str(item.subject)));
      if (current && current.userId === userId) confirmed.push(toIdentity(current));
    }
    return confirmed;
  };

  const unlink = (userId: string, provider: string, subject: string) =>
    conditional(() =>
      db.send(
        new DeleteCommand({
          TableName,
          Key: keys.identity(provider, subject),
          ConditionExpression: 'userId = :u',
          ExpressionAttributeValues: { ':u': userId },
        }),
      ),
    );

  return {
    oauthFlows: {
      create: (flow) =>
        op(async () => {
          await db.send(
            new PutCommand({
              TableName,
              Item: {
                ...keys.oauthFlow(flow.idHash),
                expires_at: Math.ceil(flow.expiresAt / 1000),
                ...flow,
                linkUserId: flow.linkUserId ?? undefined,
              },
              ConditionExpression: 'attribute_not_exists(pk)',
            }),
          );
        }),
      take: (idHash, now) =>
        op(async () => {
          // The condition makes the delete a compare-and-delete: of concurrent takes, only one
          // deletes an existing item (an unconditional delete "succeeds" for each of them, and
          // DynamoDB Local then hands the old item to more than one).
          let item: Item | undefined;
          const deleted = await conditional(async () => {
            const out = await db.send(
              new DeleteCommand({
                TableName,
                Key: keys.oauthFlow(idHash),
                ConditionExpression: 'attribute_exists(pk)',
                ReturnValues: 'ALL_OLD',
              }),
            );
            item = out.Attributes as Item | undefined;
          });
          if (!deleted || !item) return null;
          const flow = toFlow(item);
          return flow.expiresAt > now ? flow : null;
        }),
    },
    identities: {
      link: (identity) =>
        op(() =>
          conditional(() =>
            db.send(
              new PutCommand({
                TableName,
                Item: {
                  ...keys.identity(identity.provider, identity.subject),
                  gsi1pk: keys.identitiesIndex(identity.userId),
                  gsi1sk: indexSort(identity.linkedAt, `${identity.provider}#${identity.subject}`),
                  ...identity,
                  email: identity.email ?? undefined,
                },
                ConditionExpression: 'attribute_not_exists(pk)',
              }),
            ),
          ),
        ),
      find: (provider, subject) =>
        op(async () => {
          const item = await get(keys.identity(provider, subject));
          return item ? toIdentity(item) : null;
        }),
      listForUser: (userId) => op(() => listed(userId)),
      unlink: (userId, provider, subject) => op(() => unlink(userId, provider, subject)),
      deleteAllForUser: (userId) =>
        op(async () => {
          let deleted = 0;
          for (const link of await listed(userId)) {
            if (await unlink(userId, link.provider, link.subject)) deleted++;
          }
          return deleted;
        }),
    },
  };
}
