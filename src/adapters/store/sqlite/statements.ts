/**
 * Every statement the store runs, prepared once when the store opens: the request path only binds
 * and steps. Audit listing has one statement per combination of filters (built lazily, then kept),
 * so each query can use the index that leads with its filter instead of scanning.
 */
import type { Db } from '../../shared/sqlite.ts';
import type { AuditPosition, AuditRow, ProfileRow, SessionRow } from './rows.ts';

export function prepare(db: Db) {
  return {
    ping: db.prepare<[], { one: number }>('SELECT 1 AS one'),

    profileGet: db.prepare<[string], ProfileRow>('SELECT * FROM profiles WHERE user_id = ?'),
    profilePut: db.prepare<[ProfileRow]>(
      `INSERT INTO profiles (user_id, email, name, phone_number, address_json, email_verified, mfa_enabled, groups_json, enabled, created_at, updated_at)
       VALUES (@user_id, @email, @name, @phone_number, @address_json, @email_verified, @mfa_enabled, @groups_json, @enabled, @created_at, @updated_at)
       ON CONFLICT (user_id) DO UPDATE SET email = excluded.email, name = excluded.name, phone_number = excluded.phone_number,
         address_json = excluded.address_json, email_verified = excluded.email_verified, mfa_enabled = excluded.mfa_enabled,
         groups_json = excluded.groups_json, enabled = excluded.enabled, created_at = excluded.created_at, updated_at = excluded.updated_at`,
    ),
    profileDelete: db.prepare<[string]>('DELETE FROM profiles WHERE user_id = ?'),

    sessionCreate: db.prepare<[SessionRow]>(
      `INSERT INTO sessions (id_hash, public_id, user_id, created_at, last_seen_at, expires_at, user_agent, ip, csrf_token)
       VALUES (@id_hash, @public_id, @user_id, @created_at, @last_seen_at, @expires_at, @user_agent, @ip, @csrf_token)`,
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

export interface AuditFilter {
  readonly type?: string;
  readonly subjectId?: string;
  readonly actorId?: string;
  readonly after?: AuditPosition;
  readonly limit: number;
}

type AuditParams = Record<string, string | number>;

function auditListStatements(db: Db) {
  const cache = new Map<string, ReturnType<typeof db.prepare<[AuditParams], AuditRow>>>();
  return (f: AuditFilter): AuditRow[] => {
    const where: string[] = [];
    const params: AuditParams = { limit: f.limit };
    if (f.type !== undefined) {
      where.push('type = @type');
      params.type = f.type;
    }
    if (f.subjectId !== undefined) {
      where.push('subject_id = @subjectId');
      params.subjectId = f.subjectId;
    }
    if (f.actorId !== undefined) {
      where.push('actor_id = @actorId');
      params.actorId = f.actorId;
    }
    if (f.after !== undefined) {
      where.push('(at, id) < (@afterAt, @afterId)');
      params.afterAt = f.after.at;
      params.afterId = f.after.id;
    }
    const sql = `SELECT * FROM audit ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY at DESC, id DESC LIMIT @limit`;
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = db.prepare<[AuditParams], AuditRow>(sql);
      cache.set(sql, stmt);
    }
    return stmt.all(params);
  };
}
