/**
 * In-memory read caches for the reads every signed-in request makes (profile, revocation mark,
 * browser session, billing state), written through by this adapter's own writes. Correct only because the
 * SQLite store holds the file's exclusive lock: no other process can change a row behind the
 * cache. Cached records are frozen, each cache is capped (oldest entries go first), and a missing
 * session is never cached, so probing with random cookies cannot fill memory.
 */
import type { Profile, SessionRecord, Store, SubscriptionRecord } from '../../../ports/store.ts';

class Capped<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  has(key: string): boolean {
    return this.map.has(key);
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

export function withReadCache(store: Store, max = 50_000): Store {
  const profiles = new Capped<Profile | null>(max);
  const marks = new Capped<number | null>(max);
  const sessions = new Capped<SessionRecord>(max);
  const billing = new Capped<SubscriptionRecord | null>(max);

  const known = <V>(cache: Capped<V | null>, key: string): V | null | undefined =>
    cache.has(key) ? (cache.get(key) ?? null) : undefined;

  return {
    ...store,
    peek: {
      profile: (userId) => known(profiles, userId),
      billing: (userId) => known(billing, userId),
      revocation: (userId) => known(marks, userId),
      session: (idHash) => sessions.get(idHash),
    },
    profiles: {
      async get(userId) {
        if (profiles.has(userId)) return profiles.get(userId) ?? null;
        const profile = await store.profiles.get(userId);
        profiles.set(userId, profile && Object.freeze(profile));
        return profile;
      },
      async put(profile) {
        profiles.delete(profile.userId);
        await store.profiles.put(profile);
        profiles.set(
          profile.userId,
          Object.freeze({ ...profile, groups: Object.freeze([...profile.groups]) }),
        );
      },
      async delete(userId) {
        profiles.delete(userId);
        await store.profiles.delete(userId);
        profiles.delete(userId);
      },
      list: (query) => store.profiles.list(query),
    },
    billing: {
      ...store.billing,
      async get(userId) {
        if (billing.has(userId)) return billing.get(userId) ?? null;
        const record = await store.billing.get(userId);
        billing.set(userId, record && Object.freeze(record));
        return record;
      },
      async linkCustomer(userId, customerId, updatedAt) {
        billing.delete(userId);
        const record = await store.billing.linkCustomer(userId, customerId, updatedAt);
        billing.delete(userId);
        return record;
      },
      async put(record) {
        billing.delete(record.userId);
        await store.billing.put(record);
        billing.delete(record.userId);
      },
      async delete(userId) {
        billing.delete(userId);
        await store.billing.delete(userId);
        billing.delete(userId);
      },
    },
    revocations: {
      async get(userId) {
        if (marks.has(userId)) return marks.get(userId) ?? null;
        const mark = await store.revocations.get(userId);
        marks.set(userId, mark);
        return mark;
      },
      async set(userId, revokedThrough) {
        // Dropped before the write, so no request can see an older mark once set() has begun.
        marks.delete(userId);
        await store.revocations.set(userId, revokedThrough);
        marks.delete(userId);
      },
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
