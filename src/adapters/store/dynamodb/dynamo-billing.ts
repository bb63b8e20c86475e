/**
 * Billing state and handled webhook events on the DynamoDB table. What it guarantees: linking a
 * provider customer writes the user's record and the customer's reverse link in one transaction,
 * each only if new, so the first writer wins and a customer never points at two users; an update
 * needs an existing record; a webhook event id is recorded once (a conditional put), and kept 90
 * days (TTL), well past Stripe's three days of retries. A record due for reconciliation carries a
 * sparse entry in the table's index (gsi1: BILLING_DUE, by due time), written with the record
 * itself, so finding the due ones is one Query and costs nothing for records that are not due.
 */
import { DeleteCommand, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../../../domain/errors.ts';
import type { Store } from '../../../ports/store.ts';
import { billingItem, toBilling } from './items.ts';
import { keys, ms } from './keys.ts';
import type { TableOps } from './table-ops.ts';

type Op = <T>(run: () => Promise<T>) => Promise<T>;

/** Webhook event ids are kept this long: Stripe stops retrying after three days. */
const EVENT_TTL_SECONDS = 90 * 24 * 3600;

export function dynamoBilling(t: TableOps, op: Op): Store['billing'] {
  const { db, TableName } = t;
  return {
    get: (userId) =>
      op(async () => {
        const item = await t.get(keys.billing(userId));
        return item ? toBilling(item) : null;
      }),
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
        const stored = await t.get(keys.billing(userId));
        if (!stored) throw new AppError('INTERNAL', 'The billing record was not written.');
        return toBilling(stored);
      }),
    put: (record) =>
      op(async () => {
        const ok = await t.conditional(() =>
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
        const item = await t.get(keys.billing(userId));
        if (!item) return;
        await t.del(keys.billing(userId));
        await t.conditional(() =>
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
