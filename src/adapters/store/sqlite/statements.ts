/**
 * Every statement the store runs, prepared once when the store opens: the request path only binds
 * and steps. Audit listing has one statement per combination of filters (built lazily, then kept),
 * so each query can use the index that leads with its filter instead of scanning.
 */
import type { Db } from '../../shared/sqlite.ts';
import type { AuditPosition, AuditRow, FileRow, ProfileRow, SessionRow, SubscriptionRow } from './rows.ts';

export function prepare(db: Db) {
  return {
    ping: db.prepare<[], { one: number }>('SELECT 1 AS one'),

    profileGet: db.prepare<[string], ProfileRow>('SELECT * FROM profiles WHERE user_id = ?'),
    profilePut: db.prepare<[ProfileRow]>(
      `INSERT INTO profiles (user_id, email, name, phone_number, address_json, email_verified, mfa_enabled, groups_json, enabled, photo_version, created_at, updated_at)
       VALUES (@user_id, @email, @name, @phone_number, @address_json, @email_verified, @mfa_enabled, @groups_json, @enabled, @photo_version, @created_at, @updated_at)
       ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, name = excluded.name, phone_number = excluded.phone_number,
         address_json = excluded.address_json, email_verified = excluded.email_verified, mfa_enabled = excluded.mfa_enabled,
         groups_json = excluded.groups_json, enabled = excluded.enabled, photo_version = excluded.photo_version, created_at = excluded.created_at, updated_at = excluded.updated_at`,
    ),
    profileDelete: db.prepare<[string]>('DELETE FROM profiles WHERE user_id = ?'),
    profileList: profileListStatements(db),

    // The quota check and the insert are one statement, so two uploads racing cannot both fit.
    fileCreate: db.prepare<[FileRow & { quota: number }]>(
      `INSERT INTO files (id, user_id, name, size, content_type, sha256, blob_key, created_at)
       SELECT @id, @user_id, @name, @size, @content_type, @sha256, @blob_key, @created_at
       WHERE (SELECT coalesce(sum(size), 0) FROM files WHERE user_id = @user_id) + @size <= @quota`,
    ),
    fileGet: db.prepare<[string, string], FileRow>('SELECT * FROM files WHERE id = ? AND user_id = ?'),
    fileList: db.prepare<
      [{ userId: string; afterAt: string | null; afterId: string | null; limit: number }],
      FileRow
    >(
      `SELECT * FROM files WHERE user_id = @userId
         AND (@afterAt IS NULL OR (created_at, id) < (@afterAt, @afterId))
       ORDER BY created_at DESC, id DESC LIMIT @limit`,
    ),
    fileDelete: db.prepare<[string, string]>('DELETE FROM files WHERE id = ? AND user_id = ?'),
    fileUsage: db.prepare<[string], { bytes: number; count: number }>(
      'SELECT coalesce(sum(size), 0) AS bytes, count(*) AS count FROM files WHERE user_id = ?',
    ),

    subscriptionGet: db.prepare<[string], SubscriptionRow>('SELECT * FROM subscriptions WHERE user_id = ?'),
    subscriptionByCustomer: db.prepare<[string], { user_id: string }>(
      'SELECT user_id FROM subscriptions WHERE customer_id = ?',
    ),
    // First writer wins: a second customer for the same user is ignored, not an error.
    subscriptionLink: db.prepare<[string, string, string]>(
      'INSERT INTO subscriptions (user_id, customer_id, updated_at) VALUES (?, ?, ?) ON CONFLICT (user_id) DO NOTHING',
    ),
    subscriptionPut: db.prepare<[SubscriptionRow]>(
      `UPDATE subscriptions SET customer_id = @customer_id, subscription_id = @subscription_id, price_id = @price_id,
         plan = @plan, status = @status, current_period_end = @current_period_end,
         cancel_at_period_end = @cancel_at_period_end, payment_failed_at = @payment_failed_at,
         last_invoice_at = @last_invoice_at, scheduled_price_id = @scheduled_price_id,
         checkout_started_at = @checkout_started_at, check_after = @check_after, updated_at = @updated_at
       WHERE user_id = @user_id`,
    ),
    subscriptionsDue: db.prepare<[number, number], { user_id: string }>(
      'SELECT user_id FROM subscriptions WHERE check_after IS NOT NULL AND check_after <= ? ORDER BY check_after, user_id LIMIT ?',
    ),
    subscriptionDelete: db.prepare<[string]>('DELETE FROM subscriptions WHERE user_id = ?'),
    billingEventRecord: db.prepare<[string, string, string]>(
      'INSERT INTO billing_events (id, type, received_at) VALUES (?, ?, ?) ON CONFLICT (id) DO NOTHING',
    ),
    billingEventHas: db.prepare<[string], { one: number }>(
      'SELECT 1 AS one FROM billing_events WHERE id = ?',
    ),

    sessionCreate: db.prepare<[SessionRow]>(
      `INSERT INTO sessions (id_hash, public_id, user_id, created_at, last_seen_at, expires_at, user_agent, ip, csrf_token, sealed_idp_token)
       VALUES (@id_hash, @public_id, @user_id, @created_at, @last_seen_at, @expires_at, @user_agent, @ip, @csrf_token, @sealed_idp_token)`,
    ),
    sessionSealedToken: db.prepare<[string, string]>(
      'UPDATE sessions SET sealed_idp_token = ? WHERE id_hash = ?',
    ),
    sessionGet: db.prepare<[string], SessionRow>('SELECT * FROM sessions WHERE id_hash = ?'),
    // max(): a touch that arrives late (an older request finishing last) never moves time back.
    sessionTouch: db.prepare<[number, string]>(
      'UPDATE sessions SET last_seen_at = max(last_seen_at, ?) WHERE id_hash = ?',
    ),
    sessionList: db.prepare<[string], SessionRow>(
      'SELECT * FROM sessions WHERE user_id = ? ORDER BY created_at DESC, rowid DESC',
    ),
    sessionDelete: db.prepare<[string]>('DELETE FROM sessions WHERE id_hash = ?'),
    sessionDeleteByPublicId: db.prepare<[string, string]>(
      'DELETE FROM sessions WHERE public_id = ? AND user_id = ?',
    ),
    sessionDeleteAll: db.prepare<[string]>('DELETE FROM sessions WHERE user_id = ?'),
    sessionPurge: db.prepare<[number]>('DELETE FROM sessions WHERE expires_at <= ?'),

    revocationGet: db.prepare<[string], { revoked_through: number }>(
      'SELECT revoked_through FROM revocations WHERE user_id = ?',
    ),
    // Keeps the larger mark in the same statement, so a slow writer cannot move it back.
    revocationSet: db.prepare<[string, number]>(
      `INSERT INTO revocations (user_id, revoked_through) VALUES (?, ?)
       ON CONFLICT (user_id) DO UPDATE SET revoked_through = max(revoked_through, excluded.revoked_through)`,
    ),

    auditAppend: db.prepare<[AuditRow]>(
      `INSERT INTO audit (id, at, type, actor_id, subject_id, ip, outcome, detail_json)
       VALUES (@id, @at, @type, @actor_id, @subject_id, @ip, @outcome, @detail_json)`,
    ),
    auditList: auditListStatements(db),

    // One statement is the whole read-modify-write, so concurrent hits cannot lose a count. In
    // the DO UPDATE clause, bare column names are the row's old values.
    throttleHit: db.prepare<[{ key: string; now: number; ends: number }], { count: number }>(
      `INSERT INTO throttle (key, count, window_ends_at) VALUES (@key, 1, @ends)
       ON CONFLICT (key) DO UPDATE SET
         count = CASE WHEN @now >= window_ends_at THEN 1 ELSE count + 1 END,
         window_ends_at = CASE WHEN @now >= window_ends_at THEN excluded.window_ends_at ELSE window_ends_at END
       RETURNING count`,
    ),
    throttleCount: db.prepare<[string, number], { count: number }>(
      'SELECT count FROM throttle WHERE key = ? AND window_ends_at > ?',
    ),
    throttleReset: db.prepare<[string]>('DELETE FROM throttle WHERE key = ?'),
    throttlePurge: db.prepare<[number]>('DELETE FROM throttle WHERE window_ends_at <= ?'),
  };
}

export type Statements = ReturnType<typeof prepare>;

export interface ProfileFilter {
  /** Lower-cased prefix, already escaped for LIKE with "\\". */
  readonly like?: string;
  readonly enabled?: boolean;
  readonly group?: string;
  readonly after?: AuditPosition;
  readonly limit: number;
}

type Params = Record<string, string | number>;

/**
 * A newest-first page of `table` under optional filters: one statement per combination of
 * filters, prepared on first use and kept, so each can use the index that leads with its filter.
 */
function pagedQuery<Row>(db: Db, table: string, order: [string, string]) {
  const cache = new Map<string, ReturnType<typeof db.prepare<[Params], Row>>>();
  return (conditions: [string, Params][], after: AuditPosition | undefined, limit: number): Row[] => {
    const where = conditions.map(([sql]) => sql);
    const params: Params = { limit };
    for (const [, p] of conditions) Object.assign(params, p);
    if (after !== undefined) {
      where.push(`(${order[0]}, ${order[1]}) < (@afterAt, @afterId)`);
      params.afterAt = after.at;
      params.afterId = after.id;
    }
    const sql = `SELECT * FROM ${table} ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY ${order[0]} DESC, ${order[1]} DESC LIMIT @limit`;
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = db.prepare<[Params], Row>(sql);
      cache.set(sql, stmt);
    }
    return stmt.all(params);
  };
}

function profileListStatements(db: Db) {
  const query = pagedQuery<ProfileRow>(db, 'profiles', ['created_at', 'user_id']);
  return (f: ProfileFilter): ProfileRow[] => {
    const conditions: [string, Params][] = [];
    if (f.like !== undefined)
      conditions.push([
        "(lower(email) LIKE @like ESCAPE '\\' OR lower(coalesce(name, '')) LIKE @like ESCAPE '\\')",
        { like: f.like },
      ]);
    if (f.enabled !== undefined) conditions.push(['enabled = @enabled', { enabled: f.enabled ? 1 : 0 }]);
    if (f.group !== undefined)
      conditions.push([
        'EXISTS (SELECT 1 FROM json_each(groups_json) WHERE value = @group)',
        { group: f.group },
      ]);
    return query(conditions, f.after, f.limit);
  };
}

export interface AuditFilter {
  readonly type?: string;
  readonly subjectId?: string;
  readonly actorId?: string;
  readonly after?: AuditPosition;
  readonly limit: number;
}

function auditListStatements(db: Db) {
  const query = pagedQuery<AuditRow>(db, 'audit', ['at', 'id']);
  return (f: AuditFilter): AuditRow[] => {
    const conditions: [string, Params][] = [];
    if (f.type !== undefined) conditions.push(['type = @type', { type: f.type }]);
    if (f.subjectId !== undefined) conditions.push(['subject_id = @subjectId', { subjectId: f.subjectId }]);
    if (f.actorId !== undefined) conditions.push(['actor_id = @actorId', { actorId: f.actorId }]);
    return query(conditions, f.after, f.limit);
  };
}
