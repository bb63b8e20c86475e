/**
 * Billing state and handled webhook events on the DynamoDB table. The billing state is the user
 * item's `billing` map (items.ts), so the guard's one read of the user item carries the plan. What
 * it guarantees: linking a provider customer writes the user's billing map and the customer's
 * reverse link in one transaction, each only if new, so the first writer wins and a customer never
 * points at two users; an update needs an existing billing map and touches nothing else of the
 * user item; a webhook event id is recorded once (a conditional put), and kept 90 days (TTL), well
 * past Stripe's three days of retries. A billing state due for reconciliation has a due mark
 * beside the user item (sk BILLING_DUE, in gsi1's sparse BILLING_DUE partition by due time),
 * written or removed in the same transaction as the billing map, so finding the due ones is one
 * Query, costs nothing for states that are not due, and never lists one that is no longer due.
 */
import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../../../domain/errors.ts';
import type { Store } from '../../../ports/store.ts';
import { billingDueItem, billingItem, toUserRecord } from './items.ts';
import { keys, ms } from './keys.ts';
import { type TableOps, updateOf } from './table-ops.ts';

type Op = <T>(run: () => Promise<T>) => Promise<T>;

/** Webhook event ids are kept this long: Stripe stops retrying after three days. */
const EVENT_TTL_SECONDS = 90 * 24 * 3600;

export function dynamoBilling(t: TableOps, op: Op): Store['billing'] {
  const { db, TableName } = t;
  const billingOf = async (userId: string) => toUserRecord(userId, await t.get(keys.user(userId))).billing;
  const exists = { names: { '#b': 'billing' }, condition: 'attribute_exists(#b)' };
  return {
    get: (userId) => op(() => billingOf(userId)),
    userIdForCustomer: (customerId) =>
      op(async () => {
        const item = await t.get(keys.customer(customerId));
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
          scheduledPriceId: null,
          checkoutStartedAt: null,
          checkAfter: null,
          updatedAt,
        };
        await t.transact([
          {
            Update: {
              TableName,
              Key: keys.user(userId),
              ...updateOf(
                { userId, billing: billingItem(record) },
                { condition: 'attribute_not_exists(#b)', names: { '#b': 'billing' } },
              ),
            },
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
        const stored = await billingOf(userId);
        if (!stored) throw new AppError('INTERNAL', 'The billing record was not written.');
        return stored;
      }),
    put: (record) =>
      op(async () => {
        const due = record.checkAfter;
        const ok = await t.transact([
          {
            Update: {
              TableName,
              Key: keys.user(record.userId),
              ...updateOf({ billing: billingItem(record) }, exists),
            },
          },
          due === null
            ? { Delete: { TableName, Key: keys.billingDue(record.userId) } }
            : { Put: { TableName, Item: billingDueItem(record.userId, due) } },
        ]);
        if (!ok) throw new AppError('INTERNAL', 'No billing record to update: link the customer first.');
      }),
    delete: (userId) =>
      op(async () => {
        const record = await billingOf(userId);
        if (!record) return;
        await t.transact([
          { Update: { TableName, Key: keys.user(userId), ...updateOf({ billing: undefined }, exists) } },
          { Delete: { TableName, Key: keys.billingDue(userId) } },
        ]);
        await t.conditional(() =>
          db.send(
            new DeleteCommand({
              TableName,
              Key: keys.customer(record.customerId),
              ConditionExpression: 'userId = :u',
              ExpressionAttributeValues: { ':u': userId },
            }),
          ),
        );
      }),
    listDue: (nowSeconds, limit) =>
      op(async () => {
        // The index holds only due-able records; its sort key starts with the due time.
        const out = await t.db.send(
          new QueryCommand({
            TableName,
            IndexName: 'gsi1',
            KeyConditionExpression: 'gsi1pk = :p AND gsi1sk < :until',
            ExpressionAttributeValues: {
              ':p': keys.billingDueIndex,
              // "#" sorts before every id character, so "<now+1 s>#" bounds everything due by now.
              ':until': `${ms((nowSeconds + 1) * 1000)}#`,
            },
            Limit: Math.max(1, Math.min(limit, 500)),
          }),
        );
        return (out.Items ?? []).map((i) => String(i.userId));
      }),
    recordEvent: (eventId, type, receivedAt) =>
      op(() =>
        t.conditional(() =>
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
    hasEvent: (eventId) => op(async () => (await t.get(keys.event(eventId))) !== null),
  };
}
