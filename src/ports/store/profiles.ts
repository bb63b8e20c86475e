/**
 * The store's profiles: Gatehouse's own copy of each user (identity fields from the provider, the
 * user's own fields, `enabled`, the photo's version). `put` records its audit event in the same
 * atomic step; `syncIdentity` updates the provider's fields in one atomic step and never touches
 * the user's own; deleting a profile leaves the revocation mark, so tokens it voided stay void.
 */
import type { AuditEvent } from './audit.ts';
import type { Page } from './page.ts';
import type { IdentityFields, Profile, UserRecord } from './user-record.ts';

/** Newest first; `search` matches the start of the email or of the name, ignoring case. */
export interface ProfileQuery {
  readonly search?: string;
  readonly enabled?: boolean;
  readonly group?: string;
  readonly limit: number;
  readonly cursor?: string;
}

export interface ProfileStore {
  get(userId: string): Promise<Profile | null>;
  /**
   * Inserts or replaces the whole profile (the user's mark, billing state and usage stay), with
   * `event` recorded in the same atomic step when given.
   */
  put(profile: Profile, event?: AuditEvent): Promise<void>;
  /**
   * Brings an existing profile's identity fields up to date in one atomic step: email, its
   * verification, MFA and groups, and the name only where none is stored; the user's own fields
   * and `enabled` stay. Returns the user's record as it is afterwards; null, writing nothing,
   * when the user has no profile.
   */
  syncIdentity(fields: IdentityFields, updatedAt: string): Promise<UserRecord | null>;
  /** Removes the profile; the revocation mark stays, so tokens it voided stay void. */
  delete(userId: string): Promise<void>;
  list(query: ProfileQuery): Promise<Page<Profile>>;
}
