/**
 * The store's browser sessions, keyed by the SHA-256 of the cookie value (the value itself is
 * never stored). Deleting by public id checks the owner, so one user cannot end another's session.
 */

export interface SessionRecord {
  /** SHA-256 (hex) of the cookie value; the value itself is never stored. */
  readonly idHash: string;
  /** A public, non-secret id for listing and revoking (GET/DELETE /api/sessions/:id). */
  readonly publicId: string;
  readonly userId: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly expiresAt: number;
  readonly userAgent: string;
  readonly ip: string;
  readonly csrfToken: string;
  /**
   * The identity provider's refresh token for this session, sealed by the sessions service (only
   * a request carrying the cookie can open it); opaque to the store, absent when there is none.
   */
  readonly sealedIdpToken?: string;
}

export interface SessionStore {
  create(session: SessionRecord): Promise<void>;
  get(idHash: string): Promise<SessionRecord | null>;
  /** Moves lastSeenAt forward; no-op for a missing session. */
  touch(idHash: string, lastSeenAt: number): Promise<void>;
  /** Replaces the session's sealed provider token (after a rotation); no-op for a missing session. */
  setSealedIdpToken(idHash: string, sealed: string): Promise<void>;
  listForUser(userId: string): Promise<SessionRecord[]>;
  delete(idHash: string): Promise<void>;
  /** Deletes by public id, only if the session belongs to userId. True if one was deleted. */
  deleteByPublicId(userId: string, publicId: string): Promise<boolean>;
  /**
   * Deletes every session of the user (in batches where the store has them) and returns how
   * many it found.
   */
  deleteAllForUser(userId: string): Promise<number>;
}
