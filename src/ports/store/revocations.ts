/**
 * The store's revocation marks: per user, the instant through which sessions and tokens are void.
 * A mark only ever moves forward (`set` keeps the larger value), so a slow writer can never
 * resurrect revoked tokens; it outlives the user's profile.
 */

export interface RevocationStore {
  /**
   * Epoch milliseconds: sessions of this user created at or before it are void, and so are
   * tokens whose `iat` (whole seconds) is at or before its second.
   */
  get(userId: string): Promise<number | null>;
  set(userId: string, revokedThrough: number): Promise<void>;
}
