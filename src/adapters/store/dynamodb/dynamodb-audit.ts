/**
 * Audit events and throttle counters on the DynamoDB table. What it guarantees: an event and its
 * copy under its subject (for the per-user listing) are written in one transaction; listings are
 * newest first, by subject from the subject's own partition (strongly consistent), otherwise from
 * the index; a throttle hit is one atomic ADD inside the current window, and a new window is a
 * conditional put, so N concurrent hits count N; a window that has ended reads as zero even while
 * DynamoDB's TTL sweeper has not removed it.
 */
import { PutCommand, type QueryCommandInput, UpdateCommand } from '@aws-sdk/lib-dynamodb';
import { AppError } from '../../../domain/errors.ts';
import type { AuditEvent, AuditQuery, Store } from '../../../ports/store.ts';
import type { Position } from '../../shared/cursor.ts';
import { isConditionFailure } from './errors.ts';
import { auditBySubjectItem, auditItem, toAudit } from './items.ts';
import { indexSort, keys } from './keys.ts';
import { type Item, type TableOps, TRANSACTION_ATTEMPTS } from './table-ops.ts';

type Op = <T>(run: () => Promise<T>) => Promise<T>;

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

/** The puts that record an event: its item, and its copy under its subject when it has one. */
export function auditPuts(
  TableName: string,
  event: AuditEvent,
): { Put: { TableName: string; Item: Item } }[] {
  const puts = [{ Put: { TableName, Item: auditItem(event) } }];
  if (event.subjectId !== null) {
    puts.push({ Put: { TableName, Item: auditBySubjectItem(event, event.subjectId) } });
  }
  return puts;
}

export function dynamoAudit(t: TableOps, op: Op): Pick<Store, 'audit' | 'throttle'> {
  const { db, TableName } = t;
  return {
    audit: {
      append: (event) =>
        op(async () => {
          const puts = auditPuts(TableName, event);
          if (puts.length === 1) await db.send(new PutCommand((puts[0] as (typeof puts)[0]).Put));
          else await t.transact(puts);
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
          return t.newestFirst(
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
            const started = await t.conditional(() =>
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
          const item = await t.get(keys.throttle(key));
          return item && Number(item.windowEndsAt) > now ? Number(item.count) : 0;
        }),
      reset: (key) =>
        op(async () => {
          await t.del(keys.throttle(key));
        }),
    },
  };
}
