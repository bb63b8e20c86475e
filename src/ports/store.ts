/**
 * The store port: Gatehouse's own records, apart from the identity provider's, as one Store made
 * of one aggregate per file under ports/store/ (profiles, users, files, billing records, sessions,
 * revocations, social sign-in flows, linked identities, audit, throttle counters). One SQLite file
 * by default, one DynamoDB table in AWS mode; an adapter implements the whole Store, and a service
 * is given only the aggregates it uses (`Pick<Store, 'files' | 'users'>`).
 *
 * Guarantees every adapter gives (each aggregate's file states its own):
 * - Each method is atomic on its own; none spans records unless it says so.
 * - `get` returns null for a missing record, never throws NOT_FOUND.
 * - Revocation marks only ever move forward (set keeps the larger value), so a slow writer can
 *   never resurrect revoked tokens.
 * - Throttle `hit` is an atomic increment: N concurrent hits count N.
 * - `files.create` checks the user's quota and inserts in one atomic step: concurrent uploads can
 *   never together exceed it.
 * - Every per-user read or delete takes the owner's id and treats another user's record as
 *   missing, so a service cannot reach across users by forgetting a check.
 * - `users.get` reads a user's profile, revocation mark, billing state and file usage together,
 *   strongly consistent: it reflects every write that finished before it began. It is the read of
 *   every signed-in request, so adapters answer it in one round trip; no adapter answers it from
 *   memory that another process could have made stale.
 * - A change given an audit event (`profiles.put`, `files.create`) records the event in the same
 *   atomic step: both happen or neither does.
 * - Listing is newest first with an opaque cursor; a cursor from one query is only valid for it.
 * - A social sign-in flow is taken at most once: of concurrent takes, exactly one gets it, and an
 *   expired one is never handed out. A (provider, subject) pair is linked to at most one user.
 * - A store that cannot be reached raises UNAVAILABLE (HTTP 503), never a silent empty answer.
 */
import type { AuditStore } from './store/audit.ts';
import type { BillingRecordStore } from './store/billing-records.ts';
import type { FileStore } from './store/files.ts';
import type { IdentityLinkStore } from './store/identities.ts';
import type { OAuthFlowStore } from './store/oauth-flows.ts';
import type { ProfileStore } from './store/profiles.ts';
import type { RevocationStore } from './store/revocations.ts';
import type { SessionStore } from './store/sessions.ts';
import type { ThrottleStore } from './store/throttle.ts';
import type { UserStore } from './store/users.ts';

export type { AuditEvent, AuditQuery, AuditStore } from './store/audit.ts';
export type { BillingRecordStore, SubscriptionRecord } from './store/billing-records.ts';
export type { FileRecord, FileStore, Usage } from './store/files.ts';
export type { IdentityLinkStore, LinkedIdentity } from './store/identities.ts';
export type { OAuthFlowRecord, OAuthFlowStore } from './store/oauth-flows.ts';
export type { Page } from './store/page.ts';
export type { ProfileQuery, ProfileStore } from './store/profiles.ts';
export type { RevocationStore } from './store/revocations.ts';
export type { SessionRecord, SessionStore } from './store/sessions.ts';
export type { ThrottleStore } from './store/throttle.ts';
export type { Address, IdentityFields, Profile, UserRecord } from './store/user-record.ts';
export type { UserStore } from './store/users.ts';

export interface Store {
  readonly users: UserStore;
  readonly profiles: ProfileStore;
  readonly files: FileStore;
  readonly billing: BillingRecordStore;
  readonly sessions: SessionStore;
  readonly revocations: RevocationStore;
  readonly oauthFlows: OAuthFlowStore;
  readonly identities: IdentityLinkStore;
  readonly audit: AuditStore;
  readonly throttle: ThrottleStore;
  ping(): Promise<void>;
  close(): Promise<void>;
}
