/**
 * The store's users aggregate: one user's profile, revocation mark, billing state and file usage
 * read together, strongly consistent (it reflects every write that finished before it began). It
 * is the read of every signed-in request, so adapters answer it in one round trip, and no adapter
 * answers it from memory that another process could have made stale.
 */
import type { UserRecord } from './user-record.ts';

export interface UserStore {
  /** The user's record, one strongly consistent read. */
  get(userId: string): Promise<UserRecord>;
}
