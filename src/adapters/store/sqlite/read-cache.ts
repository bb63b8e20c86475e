/**
 * In-memory read caches for the reads every signed-in request makes (the user's record: profile,
 * revocation mark, billing state, usage; and the browser session), written through by this
 * adapter's own writes, so those reads resolve from memory. Correct only because the SQLite store
 * holds the file's exclusive lock: no other process can change a row behind the cache. A user's
 * cached record is dropped before and after every write to any part of it; cached records are
 * frozen, each cache is capped (oldest entries go first), and a missing session is never cached,
 * so probing with random cookies cannot fill memory.
 */
import type { Store, UserRecord } from '../../../ports/store.ts';

class Capped<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.max) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
  }
  delete(key: string): void {
    this.map.delete(key);
  }
  deleteWhere(test: (value: V) => boolean): void {
    for (const [key, value] of this.map) if (test(value)) this.map.delete(key);
  }
}

const frozen = (r: UserRecord): UserRecord =>
  Object.freeze({
    userId: r.userId,
    profile: r.profile && Object.freeze({ ...r.profile, groups: Object.freeze([...r.profile.groups]) }),
    revokedThrough: r.revokedThrough,
    billing: r.billing && Object.freeze({ ...r.billing }),
    usage: Object.freeze({ ...r.usage }),
  });

export function withReadCache(store: Store, max = 50_000): Store {
  const users = new Capped<UserRecord>(max);
  const sessions = new Capped<Parameters<Store['sessions']['create']>[0]>(max);

  const user = async (userId: string): Promise<UserRecord> => {
    const cached = users.get(userId);
    if (cached) return cached;
    const record = frozen(await store.users.get(userId));
    users.set(userId, record);
    return record;
  };
  /** Runs a write to a part of the user's record, its cached copy dropped on both sides of it. */
  const writing = async <T>(userId: string, write: () => Promise<T>): Promise<T> => {
    users.delete(userId);
    try {
      return await write();
    } finally {
      users.delete(userId);
    }
  };

  return {
    ...store,
    users: { get: user },
    profiles: {
      get: async (userId) => (await user(userId)).profile,
      put: (profile, event) => writing(profile.userId, () => store.profiles.put(profile, event)),
      syncIdentity: (fields, updatedAt) =>
        writing(fields.userId, () => store.profiles.syncIdentity(fields, updatedAt)),
      delete: (userId) => writing(userId, () => store.profiles.delete(userId)),
      list: (query) => store.profiles.list(query),
    },
    files: {
      ...store.files,
      create: (file, quotaBytes, event) =>
        writing(file.userId, () => store.files.create(file, quotaBytes, event)),
      delete: (userId, id) => writing(userId, () => store.files.delete(userId, id)),
      usage: async (userId) => (await user(userId)).usage,
    },
    billing: {
      ...store.billing,
      get: async (userId) => (await user(userId)).billing,
      linkCustomer: (userId, customerId, updatedAt) =>
        writing(userId, () => store.billing.linkCustomer(userId, customerId, updatedAt)),
      put: (record) => writing(record.userId, () => store.billing.put(record)),
      delete: (userId) => writing(userId, () => store.billing.delete(userId)),
    },
    revocations: {
      get: async (userId) => (await user(userId)).revokedThrough,
      set: (userId, revokedThrough) => writing(userId, () => store.revocations.set(userId, revokedThrough)),
    },
    sessions: {
      ...store.sessions,
      async get(idHash) {
        const cached = sessions.get(idHash);
        if (cached) return cached;
        const session = await store.sessions.get(idHash);
        if (session) sessions.set(idHash, Object.freeze(session));
        return session;
      },
      async create(session) {
        await store.sessions.create(session);
        sessions.set(session.idHash, Object.freeze({ ...session }));
      },
      async touch(idHash, lastSeenAt) {
        await store.sessions.touch(idHash, lastSeenAt);
        const cached = sessions.get(idHash);
        if (cached && lastSeenAt > cached.lastSeenAt)
          sessions.set(idHash, Object.freeze({ ...cached, lastSeenAt }));
      },
      async setSealedIdpToken(idHash, sealed) {
        await store.sessions.setSealedIdpToken(idHash, sealed);
        const cached = sessions.get(idHash);
        if (cached) sessions.set(idHash, Object.freeze({ ...cached, sealedIdpToken: sealed }));
      },
      async delete(idHash) {
        sessions.delete(idHash);
        await store.sessions.delete(idHash);
      },
      async deleteByPublicId(userId, publicId) {
        sessions.deleteWhere((s) => s.userId === userId && s.publicId === publicId);
        return store.sessions.deleteByPublicId(userId, publicId);
      },
      async deleteAllForUser(userId) {
        sessions.deleteWhere((s) => s.userId === userId);
        return store.sessions.deleteAllForUser(userId);
      },
    },
  };
}
