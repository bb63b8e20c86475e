/** Shared state of the built-in provider: the database, its prepared statements and options. */
import { randomUUID } from 'node:crypto';
import type { MailContext } from '../../../domain/messages.ts';
import type { IdentityUser, UserStatus } from '../../../ports/identity.ts';
import type { Mail } from '../../../ports/mail.ts';
import type { Db } from '../../shared/sqlite.ts';
import { hashPassword } from './password-hash.ts';
import type { SigningKeys } from './signing-keys.ts';

export interface BuiltinIdentityOptions {
  /** SQLite file, or ':memory:'. */
  readonly file: string;
  readonly issuer: string;
  readonly clientId: string;
  readonly mail: Mail;
  readonly mailContext: MailContext;
  /** scrypt cost, log2 N. */
  readonly hashCost: number;
  readonly accessTokenTtl: number;
  readonly refreshTokenTtl: number;
  readonly refreshIdleTtl: number;
  /** Milliseconds since the epoch; injectable for tests of expiry and TOTP windows. */
  readonly clock?: () => number;
}

export interface UserRow {
  id: string;
  email: string;
  name: string | null;
  /** Empty for a user made by social sign-in who has set no password (never a valid hash). */
  password_hash: string;
  status: UserStatus;
  enabled: number;
  email_verified: number;
  mfa_secret: string | null;
  mfa_pending_secret: string | null;
  totp_last_step: number | null;
  created_at: string;
  updated_at: string;
}

export const CONFIRM_CODE_TTL = 24 * 3600;
export const RESET_CODE_TTL = 3600;
export const MFA_SESSION_TTL = 180;
export const MAX_CODE_ATTEMPTS = 5;

export function prepare(db: Db) {
  return {
    userById: db.prepare<[string], UserRow>('SELECT * FROM users WHERE id = ?'),
    userByEmail: db.prepare<[string], UserRow>('SELECT * FROM users WHERE email = ?'),
    insertUser: db.prepare(
      `INSERT INTO users (id, email, name, password_hash, status, enabled, email_verified, created_at, updated_at)
       VALUES (@id, @email, @name, @password_hash, 'UNCONFIRMED', 1, 0, @now, @now)`,
    ),
    insertFederatedUser: db.prepare(
      `INSERT INTO users (id, email, name, password_hash, status, enabled, email_verified, created_at, updated_at)
       VALUES (@id, @email, @name, '', 'CONFIRMED', 1, 1, @now, @now)`,
    ),
    groups: db.prepare<[string], { group_name: string }>(
      'SELECT group_name FROM user_groups WHERE user_id = ? ORDER BY group_name',
    ),
    addGroup: db.prepare('INSERT OR IGNORE INTO user_groups (user_id, group_name) VALUES (?, ?)'),
    removeGroup: db.prepare('DELETE FROM user_groups WHERE user_id = ? AND group_name = ?'),
    setCode: db.prepare(
      `INSERT INTO codes (user_id, purpose, code_hash, expires_at, attempts) VALUES (?, ?, ?, ?, 0)
       ON CONFLICT (user_id, purpose) DO UPDATE SET code_hash = excluded.code_hash, expires_at = excluded.expires_at, attempts = 0`,
    ),
    getCode: db.prepare<[string, string], { code_hash: string; expires_at: number; attempts: number }>(
      'SELECT code_hash, expires_at, attempts FROM codes WHERE user_id = ? AND purpose = ?',
    ),
    failCode: db.prepare('UPDATE codes SET attempts = attempts + 1 WHERE user_id = ? AND purpose = ?'),
    deleteCode: db.prepare('DELETE FROM codes WHERE user_id = ? AND purpose = ?'),
    confirmUser: db.prepare(
      "UPDATE users SET status = 'CONFIRMED', email_verified = 1, updated_at = ? WHERE id = ? AND status = 'UNCONFIRMED'",
    ),
    setPassword: db.prepare('UPDATE users SET password_hash = ?, updated_at = ? WHERE id = ?'),
    setEnabled: db.prepare('UPDATE users SET enabled = ?, updated_at = ? WHERE id = ?'),
    deleteUser: db.prepare('DELETE FROM users WHERE id = ?'),
    setPendingSecret: db.prepare('UPDATE users SET mfa_pending_secret = ?, updated_at = ? WHERE id = ?'),
    enableMfa: db.prepare(
      'UPDATE users SET mfa_secret = mfa_pending_secret, mfa_pending_secret = NULL, totp_last_step = ?, updated_at = ? WHERE id = ? AND mfa_pending_secret IS NOT NULL',
    ),
    disableMfa: db.prepare(
      'UPDATE users SET mfa_secret = NULL, mfa_pending_secret = NULL, totp_last_step = NULL, updated_at = ? WHERE id = ?',
    ),
    // The compare-and-set that makes a TOTP code single-use, even for two concurrent attempts.
    claimTotpStep: db.prepare(
      'UPDATE users SET totp_last_step = ? WHERE id = ? AND (totp_last_step IS NULL OR totp_last_step < ?)',
    ),
    insertRecovery: db.prepare('INSERT INTO recovery_codes (user_id, code_hash) VALUES (?, ?)'),
    deleteRecovery: db.prepare('DELETE FROM recovery_codes WHERE user_id = ?'),
    useRecovery: db.prepare(
      'UPDATE recovery_codes SET used_at = ? WHERE user_id = ? AND code_hash = ? AND used_at IS NULL',
    ),
    recoverySpent: db.prepare<[string, string], { used_at: number }>(
      'SELECT used_at FROM recovery_codes WHERE user_id = ? AND code_hash = ? AND used_at IS NOT NULL',
    ),
    insertMfaSession: db.prepare(
      'INSERT INTO mfa_sessions (session_hash, user_id, auth_time, expires_at) VALUES (?, ?, ?, ?)',
    ),
    getMfaSession: db.prepare<
      [string],
      { user_id: string; auth_time: number; expires_at: number; attempts: number }
    >('SELECT user_id, auth_time, expires_at, attempts FROM mfa_sessions WHERE session_hash = ?'),
    failMfaSession: db.prepare('UPDATE mfa_sessions SET attempts = attempts + 1 WHERE session_hash = ?'),
    deleteMfaSession: db.prepare('DELETE FROM mfa_sessions WHERE session_hash = ?'),
    deleteMfaSessionsOf: db.prepare('DELETE FROM mfa_sessions WHERE user_id = ?'),
    purgeMfaSessions: db.prepare('DELETE FROM mfa_sessions WHERE expires_at < ?'),
  };
}

export type Statements = ReturnType<typeof prepare>;

export interface Ctx {
  readonly db: Db;
  readonly q: Statements;
  readonly opts: BuiltinIdentityOptions;
  readonly keys: SigningKeys;
  readonly now: () => number;
  readonly nowSec: () => number;
  /** A hash of a random password, verified against when the user is unknown, so timing is the same. */
  readonly dummyHash: () => Promise<string>;
}

export function toIdentityUser(ctx: Ctx, row: UserRow): IdentityUser {
  return {
    userId: row.id,
    email: row.email,
    name: row.name,
    emailVerified: row.email_verified === 1,
    status: row.status,
    enabled: row.enabled === 1,
    mfaEnabled: row.mfa_secret !== null,
    hasPassword: row.password_hash !== '',
    groups: ctx.q.groups.all(row.id).map((g) => g.group_name),
    createdAt: row.created_at,
  };
}

export function lazyDummyHash(cost: number): () => Promise<string> {
  let pending: Promise<string> | null = null;
  return () => {
    pending ??= hashPassword(randomUUID(), cost);
    return pending;
  };
}
