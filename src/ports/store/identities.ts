/**
 * The store's linked provider accounts: a (provider, subject) pair is linked to at most one
 * Gatehouse user, and unlinking checks the owner. A link just removed is never listed.
 */

/** A provider's account linked to a Gatehouse user; (provider, subject) is the key. */
export interface LinkedIdentity {
  readonly provider: string;
  readonly subject: string;
  readonly userId: string;
  /** The address the provider gave when the link was made (display only). */
  readonly email: string | null;
  readonly linkedAt: string;
}

export interface IdentityLinkStore {
  /** Links the pair to the user unless it is linked already (to anyone): then false, nothing written. */
  link(identity: LinkedIdentity): Promise<boolean>;
  find(provider: string, subject: string): Promise<LinkedIdentity | null>;
  /** The user's links, oldest first; a link just removed is never listed. */
  listForUser(userId: string): Promise<LinkedIdentity[]>;
  /** Removes the link only if it belongs to userId; true when one was removed. */
  unlink(userId: string, provider: string, subject: string): Promise<boolean>;
  deleteAllForUser(userId: string): Promise<number>;
}
