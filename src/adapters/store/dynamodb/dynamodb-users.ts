/**
 * The user item on the DynamoDB table: the profile, the revocation mark, the billing state and the
 * file usage of one user, side by side in one item (items.ts), so that a signed-in request reads
 * all it needs about its user in one strongly consistent GetItem. What it guarantees:
 * - Each part is written by an UpdateItem that touches only its own attributes, so a profile put
 *   never resets a mark, a plan or the usage, and a profile delete leaves the mark in place.
 * - The mark only moves forward, under a condition, so a slow writer cannot resurrect tokens.
 * - A profile put with an audit event is one transaction with the event's two items.
 * - Syncing the identity fields is one conditional UpdateItem (the profile must exist) that
 *   returns the whole item afterwards: a sign-in's profile refresh and its read of the mark in one
 *   call.
 */
import { UpdateCommand } from '@aws-sdk/lib-dynamodb';
import type { AuditEvent, Store } from '../../../ports/store.ts';
import { auditPuts } from './dynamodb-audit.ts';
import { isConditionFailure } from './errors.ts';
import { PROFILE_ATTRIBUTES, profileAttributes, toProfile, toUserRecord } from './items.ts';
import { indexSort, keys } from './keys.ts';
import type { Item, TableOps } from './table-ops.ts';
import { updateOf } from './table-ops.ts';

type Op = <T>(run: () => Promise<T>) => Promise<T>;

/** The admin list's search, status and group as a FilterExpression on the PROFILES index. */
function profileFilter(search: string | undefined, enabled: boolean | undefined, group: string | undefined) {
  const parts: string[] = [];
  const values: Record<string, unknown> = {};
  const names: Record<string, string> = {};
  if (search) {
    parts.push('(begins_with(email_lc, :s) OR begins_with(name_lc, :s))');
    values[':s'] = search.toLowerCase();
  }
  if (enabled !== undefined) {
    parts.push('enabled = :e');
    values[':e'] = enabled;
  }
  if (group !== undefined) {
    parts.push('contains(#groups, :g)');
    values[':g'] = group;
    names['#groups'] = 'groups';
  }
  return { parts, values, names };
}

export function dynamoUsers(t: TableOps, op: Op): Pick<Store, 'users' | 'profiles' | 'revocations'> {
  const { db, TableName } = t;
  const read = async (userId: string) => toUserRecord(userId, await t.get(keys.user(userId)));
  const update = (userId: string, parts: ReturnType<typeof updateOf>, returnNew = false) =>
    t.retrying(() =>
      db.send(
        new UpdateCommand({
          TableName,
          Key: keys.user(userId),
          ...parts,
          ...(returnNew ? { ReturnValues: 'ALL_NEW' as const } : {}),
        }),
      ),
    );
  const withEvent = (userId: string, parts: ReturnType<typeof updateOf>, event: AuditEvent) =>
    t.transact([{ Update: { TableName, Key: keys.user(userId), ...parts } }, ...auditPuts(TableName, event)]);

  return {
    users: { get: (userId) => op(() => read(userId)) },

    profiles: {
      get: (userId) => op(async () => (await read(userId)).profile),
      put: (profile, event) =>
        op(async () => {
          const parts = updateOf({ userId: profile.userId, ...profileAttributes(profile) });
          if (event) await withEvent(profile.userId, parts, event);
          else await update(profile.userId, parts);
        }),
      syncIdentity: (fields, updatedAt) =>
        op(async () => {
          const named = fields.name !== null;
          const parts = updateOf(
            {
              email: fields.email,
              email_lc: fields.email.toLowerCase(),
              emailVerified: fields.emailVerified,
              mfaEnabled: fields.mfaEnabled,
              groups: [...fields.groups],
              updatedAt,
              ...(named ? { name: fields.name, name_lc: fields.name?.toLowerCase() } : {}),
            },
            {
              ifAbsent: ['name', 'name_lc'],
              condition: 'attribute_exists(#email)',
              names: { '#email': 'email' },
            },
          );
          try {
            const out = await update(fields.userId, parts, true);
            return toUserRecord(fields.userId, (out.Attributes as Item | undefined) ?? null);
          } catch (err) {
            if (isConditionFailure(err)) return null;
            throw err;
          }
        }),
      delete: (userId) =>
        op(async () => {
          const removed = Object.fromEntries(PROFILE_ATTRIBUTES.map((a) => [a, undefined]));
          await update(userId, updateOf(removed));
        }),
      list: (query) =>
        op(() => {
          const filter = profileFilter(query.search, query.enabled, query.group);
          return t.newestFirst(
            {
              IndexName: 'gsi1',
              KeyConditionExpression: 'gsi1pk = :p',
              ExpressionAttributeValues: { ':p': keys.profilesIndex, ...filter.values },
              ...(filter.parts.length ? { FilterExpression: filter.parts.join(' AND ') } : {}),
              ...(Object.keys(filter.names).length ? { ExpressionAttributeNames: filter.names } : {}),
            },
            (p) => ({ ...keys.user(p.id), gsi1pk: keys.profilesIndex, gsi1sk: indexSort(p.at, p.id) }),
            toProfile,
            (p) => ({ at: p.createdAt, id: p.userId }),
            query.limit,
            query.cursor,
          );
        }),
    },

    revocations: {
      get: (userId) => op(async () => (await read(userId)).revokedThrough),
      set: (userId, revokedThrough) =>
        op(async () => {
          // A smaller mark than the stored one fails its condition, and that is the point.
          await t.conditional(() =>
            update(
              userId,
              updateOf(
                { userId, revokedThrough },
                {
                  condition: 'attribute_not_exists(#m) OR #m < :mark',
                  names: { '#m': 'revokedThrough' },
                  values: { ':mark': revokedThrough },
                },
              ),
            ),
          );
        }),
    },
  };
}
