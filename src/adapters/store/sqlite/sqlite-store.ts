/**
 * The store port on one SQLite file (WAL), the embedded default. It keeps the port's promises
 * (ports/store.ts): each method is one statement, so it is atomic on its own; revocation marks
 * keep the larger value inside the upsert; throttle hits are a single upsert-and-return, so N
 * concurrent hits count N; social sign-in flows are taken once (sqlite-federation.ts); listings
 * are newest first with an opaque cursor; and every SQLite failure reaches the caller as an
 * AppError (a full disk is STORAGE_FULL; a locked or closed file is UNAVAILABLE).
 */
import { AppError } from '../../../domain/errors.ts';
import type { AuditEvent, Profile, Store, UserRecord } from '../../../ports/store.ts';
import { openSqlite } from '../../shared/sqlite.ts';
import { guard } from '../../shared/sqlite-errors.ts';
import { withReadCache } from './read-cache.ts';
import {
  auditToRow,
  decodeCursor,
  encodeCursor,
  fileToRow,
  profileToRow,
  rowToAudit,
  rowToFile,
  rowToProfile,
  rowToSession,
  rowToSubscription,
  sessionToRow,
  subscriptionToRow,
} from './rows.ts';
import { STORE_MIGRATIONS } from './schema.ts';
import { createSqliteFederation } from './sqlite-federation.ts';
import { prepare } from './statements.ts';

export { SCHEMA_VERSION } from './schema.ts';

/** A page never holds more than this many records, whatever the caller asks for. */
export const MAX_AUDIT_PAGE = 500;

function pageSize(limit: number): number {
  if (!Number.isInteger(limit) || limit < 1) {
    throw new AppError('BAD_REQUEST', 'The page size must be a positive whole number.');
  }
  return Math.min(limit, MAX_AUDIT_PAGE);
}

/** Rows fetched with one extra, cut to a page and a cursor at its last item. */
function toPage<R, T>(rows: R[], limit: number, map: (row: R) => T, position: (item: T) => [string, string]) {
  const items = rows.slice(0, limit).map(map);
  const last = items[items.length - 1];
  const nextCursor = rows.length > limit && last ? encodeCursor(pos(position(last))) : null;
  return { items, nextCursor };
}

const pos = ([at, id]: [string, string]) => ({ at, id });
const likePrefix = (search: string) => `${search.toLowerCase().replace(/[\\%_]/g, '\\$&')}%`;

// Expired sessions and throttle windows are swept every this many writes of their kind, so the
// file does not grow forever and no request pays for more than one indexed delete.
const PURGE_EVERY = 500;

/**
 * The SQLite store. It holds the file's exclusive lock (one server per DATA_DIR), which is what lets
 * it answer the hot-path reads (profile, revocation mark, session) from memory; see read-cache.ts.
 */
export function createSqliteStore(file: string): Store {
  return withReadCache(createUncachedSqliteStore(file));
}

function createUncachedSqliteStore(file: string): Store {
  // Failures here stay raw: they stop the process at start, where the operator wants the detail.
  const db = openSqlite(file, STORE_MIGRATIONS, { exclusive: true });
  const q = prepare(db);
  let sessionWrites = 0;
  let throttleWrites = 0;
  const profileOf = (userId: string) => {
    const row = q.profileGet.get(userId);
    return row ? rowToProfile(row) : null;
  };
  const userOf = (userId: string): UserRecord => {
    const billing = q.subscriptionGet.get(userId);
    return {
      userId,
      profile: profileOf(userId),
      revokedThrough: q.revocationGet.get(userId)?.revoked_through ?? null,
      billing: billing ? rowToSubscription(billing) : null,
      usage: q.fileUsage.get(userId) ?? { bytes: 0, count: 0 },
    };
  };
  // A change and its audit event in one SQLite transaction: both are written or neither.
  const withEvent = <T>(
    change: () => T,
    event: AuditEvent | undefined,
    keep: (result: T) => boolean = () => true,
  ) =>
    db.transaction(() => {
      const result = change();
      if (event && keep(result)) q.auditAppend.run(auditToRow(event));
      return result;
    })();

  return {
    users: {
      get: (userId) => guard(() => db.transaction(() => userOf(userId))()),
    },

    profiles: {
      get: (userId) => guard(() => profileOf(userId)),
      put: (profile, event) =>
        guard(() => {
          withEvent(() => q.profilePut.run(profileToRow(profile)), event);
        }),
      syncIdentity: (fields, updatedAt) =>
        guard(() =>
          db.transaction(() => {
            const current = profileOf(fields.userId);
            if (!current) return null;
            const next: Profile = {
              ...current,
              email: fields.email,
              name: current.name ?? fields.name,
              emailVerified: fields.emailVerified,
              mfaEnabled: fields.mfaEnabled,
              groups: [...fields.groups],
              updatedAt,
            };
            q.profilePut.run(profileToRow(next));
            return userOf(fields.userId);
          })(),
        ),
      delete: (userId) =>
        guard(() => {
          q.profileDelete.run(userId);
        }),
      list: (query) =>
        guard(() => {
          const limit = pageSize(query.limit);
          const rows = q.profileList({
            like: query.search ? likePrefix(query.search) : undefined,
            enabled: query.enabled,
            group: query.group,
            after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
            limit: limit + 1,
          });
          return toPage(rows, limit, rowToProfile, (p) => [p.createdAt, p.userId]);
        }),
    },

    files: {
      create: (file, quotaBytes, event) =>
        guard(() =>
          withEvent(
            () => q.fileCreate.run({ ...fileToRow(file), quota: quotaBytes }).changes === 1,
            event,
            (created) => created,
          ),
        ),
      get: (userId, id) =>
        guard(() => {
          const row = q.fileGet.get(id, userId);
          return row ? rowToFile(row) : null;
        }),
      list: (userId, opts) =>
        guard(() => {
          const limit = pageSize(opts.limit);
          const after = opts.cursor === undefined ? null : decodeCursor(opts.cursor);
          const rows = q.fileList.all({
            userId,
            afterAt: after?.at ?? null,
            afterId: after?.id ?? null,
            limit: limit + 1,
          });
          return toPage(rows, limit, rowToFile, (f) => [f.createdAt, f.id]);
        }),
      delete: (userId, id) => guard(() => q.fileDelete.run(id, userId).changes > 0),
      usage: (userId) => guard(() => q.fileUsage.get(userId) ?? { bytes: 0, count: 0 }),
    },

    billing: {
      get: (userId) =>
        guard(() => {
          const row = q.subscriptionGet.get(userId);
          return row ? rowToSubscription(row) : null;
        }),
      userIdForCustomer: (customerId) =>
        guard(() => q.subscriptionByCustomer.get(customerId)?.user_id ?? null),
      linkCustomer: (userId, customerId, updatedAt) =>
        guard(() => {
          q.subscriptionLink.run(userId, customerId, updatedAt);
          const row = q.subscriptionGet.get(userId);
          if (!row) throw new AppError('INTERNAL', 'The billing record was not written.');
          return rowToSubscription(row);
        }),
      put: (record) =>
        guard(() => {
          if (q.subscriptionPut.run(subscriptionToRow(record)).changes !== 1) {
            throw new AppError('INTERNAL', 'No billing record to update: link the customer first.');
          }
        }),
      delete: (userId) =>
        guard(() => {
          q.subscriptionDelete.run(userId);
        }),
      listDue: (nowSeconds, limit) =>
        guard(() => q.subscriptionsDue.all(nowSeconds, limit).map((r) => r.user_id)),
      recordEvent: (eventId, type, receivedAt) =>
        guard(() => q.billingEventRecord.run(eventId, type, receivedAt).changes === 1),
      hasEvent: (eventId) => guard(() => q.billingEventHas.get(eventId) !== undefined),
    },

    sessions: {
      create: (session) =>
        guard(() => {
          q.sessionCreate.run(sessionToRow(session));
          // The new session's own creation time is the only clock the store is given.
          if (++sessionWrites % PURGE_EVERY === 0) q.sessionPurge.run(session.createdAt);
        }),
      get: (idHash) =>
        guard(() => {
          const row = q.sessionGet.get(idHash);
          return row ? rowToSession(row) : null;
        }),
      touch: (idHash, lastSeenAt) =>
        guard(() => {
          q.sessionTouch.run(lastSeenAt, idHash);
        }),
      setSealedIdpToken: (idHash, sealed) =>
        guard(() => {
          q.sessionSealedToken.run(sealed, idHash);
        }),
      listForUser: (userId) => guard(() => q.sessionList.all(userId).map(rowToSession)),
      delete: (idHash) =>
        guard(() => {
          q.sessionDelete.run(idHash);
        }),
      deleteByPublicId: (userId, publicId) =>
        guard(() => q.sessionDeleteByPublicId.run(publicId, userId).changes > 0),
      deleteAllForUser: (userId) => guard(() => q.sessionDeleteAll.run(userId).changes),
    },

    revocations: {
      get: (userId) => guard(() => q.revocationGet.get(userId)?.revoked_through ?? null),
      set: (userId, revokedThrough) =>
        guard(() => {
          q.revocationSet.run(userId, revokedThrough);
        }),
    },

    ...createSqliteFederation(db),

    audit: {
      append: (event) =>
        guard(() => {
          q.auditAppend.run(auditToRow(event));
        }),
      list: (query) =>
        guard(() => {
          const limit = pageSize(query.limit);
          // One extra row tells whether another page exists without a second query.
          const rows = q.auditList({
            type: query.type,
            subjectId: query.subjectId,
            actorId: query.actorId,
            after: query.cursor === undefined ? undefined : decodeCursor(query.cursor),
            limit: limit + 1,
          });
          return toPage(rows, limit, rowToAudit, (e) => [e.at, e.id]);
        }),
    },

    throttle: {
      hit: (key, windowSeconds, now) =>
        guard(() => {
          const row = q.throttleHit.get({ key, now, ends: now + windowSeconds });
          if (!row) throw new AppError('INTERNAL', 'The throttle counter returned no row.');
          if (++throttleWrites % PURGE_EVERY === 0) q.throttlePurge.run(now);
          return row.count;
        }),
      count: (key, now) => guard(() => q.throttleCount.get(key, now)?.count ?? 0),
      reset: (key) =>
        guard(() => {
          q.throttleReset.run(key);
        }),
    },

    ping: () =>
      guard(() => {
        q.ping.get();
      }),
    close: () =>
      guard(() => {
        // Closing twice is harmless: shutdown paths may race.
        if (db.open) db.close();
      }),
  };
}
