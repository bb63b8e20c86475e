/**
 * The store's tables as numbered migrations, run by the shared runner (shared/sqlite-migrations.ts):
 * a later change is one more entry at the end of MIGRATIONS, never an edit of an earlier one.
 */
import type { Migrations } from '../../shared/sqlite-migrations.ts';

const MIGRATIONS: readonly string[] = [
  // 1: the first schema. Every hot-path read (profiles.get, sessions.get, revocations.get) is a
  // primary-key lookup; the other indexes serve listing and purging.
  `
  CREATE TABLE IF NOT EXISTS profiles (
    user_id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    name TEXT,
    phone_number TEXT,
    address_json TEXT,
    email_verified INTEGER NOT NULL,
    mfa_enabled INTEGER NOT NULL,
    groups_json TEXT NOT NULL,
    enabled INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS sessions (
    id_hash TEXT PRIMARY KEY,
    public_id TEXT NOT NULL UNIQUE,
    user_id TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    last_seen_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    user_agent TEXT NOT NULL,
    ip TEXT NOT NULL,
    csrf_token TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS sessions_user ON sessions (user_id, created_at);
  CREATE INDEX IF NOT EXISTS sessions_expiry ON sessions (expires_at);
  CREATE TABLE IF NOT EXISTS revocations (
    user_id TEXT PRIMARY KEY,
    revoked_through INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE TABLE IF NOT EXISTS audit (
    id TEXT PRIMARY KEY,
    at TEXT NOT NULL,
    type TEXT NOT NULL,
    actor_id TEXT,
    subject_id TEXT,
    ip TEXT,
    outcome TEXT NOT NULL CHECK (outcome IN ('success', 'failure')),
    detail_json TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS audit_at ON audit (at, id);
  CREATE INDEX IF NOT EXISTS audit_type ON audit (type, at, id);
  CREATE INDEX IF NOT EXISTS audit_subject ON audit (subject_id, at, id);
  CREATE INDEX IF NOT EXISTS audit_actor ON audit (actor_id, at, id);
  CREATE TABLE IF NOT EXISTS throttle (
    key TEXT PRIMARY KEY,
    count INTEGER NOT NULL,
    window_ends_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS throttle_expiry ON throttle (window_ends_at);
  `,
  // 2: profile photos, the admin user list (newest first) and file records. The quota check sums
  // one user's sizes through files_user, so it reads only that user's rows.
  `
  ALTER TABLE profiles ADD COLUMN photo_version TEXT;
  CREATE INDEX IF NOT EXISTS profiles_created ON profiles (created_at, user_id);
  CREATE TABLE IF NOT EXISTS files (
    id TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    name TEXT NOT NULL,
    size INTEGER NOT NULL CHECK (size >= 0),
    content_type TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    blob_key TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
  );
  CREATE INDEX IF NOT EXISTS files_user ON files (user_id, created_at, id);
  `,
  // 3: billing. One row per user, linked one for one to a provider customer; handled webhook
  // event ids, so a redelivered event is recognised.
  `
  CREATE TABLE IF NOT EXISTS subscriptions (
    user_id TEXT PRIMARY KEY,
    customer_id TEXT NOT NULL UNIQUE,
    subscription_id TEXT,
    price_id TEXT,
    plan TEXT CHECK (plan IN ('basic', 'premium')),
    status TEXT,
    current_period_end INTEGER,
    cancel_at_period_end INTEGER NOT NULL DEFAULT 0,
    payment_failed_at INTEGER,
    last_invoice_at INTEGER,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE IF NOT EXISTS billing_events (
    id TEXT PRIMARY KEY,
    type TEXT NOT NULL,
    received_at TEXT NOT NULL
  ) WITHOUT ROWID;
  `,
  // 4: social sign-in. Flows live for minutes between start and callback (expired ones are swept);
  // a provider's account is keyed by (provider, subject) and belongs to one user.
  `
  CREATE TABLE IF NOT EXISTS oauth_flows (
    id_hash TEXT PRIMARY KEY,
    provider TEXT NOT NULL,
    state TEXT NOT NULL,
    nonce TEXT NOT NULL,
    code_verifier TEXT NOT NULL,
    return_to TEXT NOT NULL,
    link_user_id TEXT,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS oauth_flows_expiry ON oauth_flows (expires_at);
  CREATE TABLE IF NOT EXISTS linked_identities (
    provider TEXT NOT NULL,
    subject TEXT NOT NULL,
    user_id TEXT NOT NULL,
    email TEXT,
    linked_at TEXT NOT NULL,
    PRIMARY KEY (provider, subject)
  ) WITHOUT ROWID;
  CREATE INDEX IF NOT EXISTS linked_identities_user ON linked_identities (user_id, linked_at);
  `,
  // 5: a browser session may hold its identity provider's refresh token, sealed (Cognito mode).
  `
  ALTER TABLE sessions ADD COLUMN sealed_idp_token TEXT;
  `,
  // 6: billing reconciliation. A pending checkout and a due renewal make a record "due" for a
  // look at the provider; a downgrade waits for the period's end.
  `
  ALTER TABLE subscriptions ADD COLUMN scheduled_price_id TEXT;
  ALTER TABLE subscriptions ADD COLUMN checkout_started_at INTEGER;
  ALTER TABLE subscriptions ADD COLUMN check_after INTEGER;
  CREATE INDEX IF NOT EXISTS subscriptions_due ON subscriptions (check_after) WHERE check_after IS NOT NULL;
  `,
];

export const STORE_MIGRATIONS: Migrations = { label: 'The store file', steps: MIGRATIONS };
export const SCHEMA_VERSION = MIGRATIONS.length;
