/**
 * The store port's contract (ports/store.ts), run unchanged against every adapter. Each test gets
 * a fresh, empty store from `make`, so a test can assert exact listings. Times are fixed numbers,
 * never the wall clock, so the suite is deterministic against any peer.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, test } from 'node:test';
import type { AuditEvent, FileRecord, Profile, SessionRecord, Store } from '../../src/ports/store.ts';
import { billingCases } from './store-billing.cases.ts';
import { federationCases } from './store-federation.cases.ts';
import { userCases } from './store-user.cases.ts';

export type MakeStore = () => Promise<{ store: Store; cleanup: () => Promise<void> }>;

const profile = (userId: string, over: Partial<Profile> = {}): Profile => ({
  userId,
  email: `${userId}@example.com`,
  name: 'Ada Lovelace',
  phoneNumber: '+441234567890',
  address: { line1: '1 Analytical Way', city: 'London', postal_code: 'N1 1AA', country: 'GB' },
  emailVerified: true,
  mfaEnabled: false,
  groups: ['admin', 'staff'],
  enabled: true,
  photoVersion: 'p1a2b3c4',
  createdAt: '2024-01-01T00:00:00.000Z',
  updatedAt: '2024-01-02T00:00:00.000Z',
  ...over,
});

const session = (n: number, userId: string): SessionRecord => ({
  idHash: `hash-${userId}-${n}`.padEnd(64, '0'),
  publicId: `pub-${userId}-${n}`,
  userId,
  createdAt: 1_700_000_000_000 + n * 1000,
  lastSeenAt: 1_700_000_000_000 + n * 1000,
  expiresAt: 1_800_000_000_000,
  userAgent: 'Mozilla/5.0 (test)',
  ip: '203.0.113.7',
  csrfToken: `csrf-${n}`,
});

const file = (n: number, userId: string, size = 100): FileRecord => ({
  id: `file-${userId}-${String(n).padStart(3, '0')}`,
  userId,
  name: `report ${n}.pdf`,
  size,
  contentType: 'application/pdf',
  sha256: 'a'.repeat(64),
  blobKey: `files/${userId}/${n}`,
  createdAt: new Date(Date.UTC(2024, 0, 1, 0, 0, Math.floor(n / 2))).toISOString(),
});

/** Follows a paged listing to the end and returns every item. */
async function pageAll<T>(fetch: (cursor?: string) => Promise<{ items: T[]; nextCursor: string | null }>) {
  const all: T[] = [];
  let cursor: string | undefined;
  for (let pages = 1; pages < 100; pages++) {
    const page = await fetch(cursor);
    all.push(...page.items);
    if (page.nextCursor === null) return all;
    cursor = page.nextCursor;
  }
  return assert.fail('paging never ended');
}

const evt = (n: number): string => `evt-${String(n).padStart(4, '0')}`;

/** Event n happens at second n of 2024. */
const event = (n: number, over: Partial<AuditEvent> = {}): AuditEvent => ({
  id: evt(n),
  at: new Date(Date.UTC(2024, 0, 1, 0, 0, n)).toISOString(),
  type: 'auth.signin',
  actorId: 'user-a',
  subjectId: 'user-a',
  ip: '198.51.100.1',
  outcome: 'success',
  detail: {},
  ...over,
});

type Filter = { type?: string; subjectId?: string; actorId?: string };

/** Every id a query yields, following cursors (from `start`, if given) until the last page. */
async function listAll(store: Store, query: Filter, limit: number, start?: string): Promise<string[]> {
  const ids: string[] = [];
  let cursor = start;
  for (let pages = 1; pages < 100; pages++) {
    const page = await store.audit.list({ ...query, limit, ...(cursor === undefined ? {} : { cursor }) });
    assert.ok(page.items.length <= limit, 'a page never holds more than the limit');
    ids.push(...page.items.map((e) => e.id));
    if (page.nextCursor === null) return ids;
    cursor = page.nextCursor;
  }
  assert.fail('paging never ended');
}

export function storeContract(name: string, make: MakeStore): void {
  describe(`store contract: ${name}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ store, cleanup } = await make());
    });
    afterEach(async () => {
      await cleanup();
    });

    test('ping resolves on a working store; get of any missing record is null', async () => {
      await store.ping();
      assert.equal(await store.profiles.get('nobody'), null);
      assert.equal(await store.sessions.get('f'.repeat(64)), null);
      assert.equal(await store.revocations.get('nobody'), null);
      assert.equal(await store.throttle.count('nothing', 1_000), 0);
      assert.deepEqual(await store.audit.list({ limit: 10 }), { items: [], nextCursor: null });
    });

    federationCases(() => store);
    userCases(() => store);
    billingCases(() => store);

    describe('profiles', () => {
      test('put then get round-trips every field', async () => {
        const p = profile('u1');
        await store.profiles.put(p);
        assert.deepEqual(await store.profiles.get('u1'), p);
        const empty = { name: null, phoneNumber: null, address: null, groups: [] };
        const bare = profile('u2', { ...empty, emailVerified: false, mfaEnabled: true, enabled: false });
        await store.profiles.put(bare);
        assert.deepEqual(await store.profiles.get('u2'), bare);
      });

      test('put replaces the whole row', async () => {
        await store.profiles.put(profile('u1'));
        const next = profile('u1', {
          email: 'new@example.com',
          name: null,
          address: null,
          groups: ['staff'],
        });
        await store.profiles.put(next);
        assert.deepEqual(await store.profiles.get('u1'), next);
      });

      test('delete removes only that profile; deleting a missing one succeeds', async () => {
        await store.profiles.put(profile('u1'));
        await store.profiles.put(profile('u2'));
        await store.profiles.delete('u1');
        assert.equal(await store.profiles.get('u1'), null);
        assert.deepEqual(await store.profiles.get('u2'), profile('u2'));
        await store.profiles.delete('u1');
      });
    });

    describe('profile listing', () => {
      const seed = async () => {
        const people: [string, string, string, boolean, string[]][] = [
          ['u1', 'ada@example.com', 'Ada Lovelace', true, ['user']],
          ['u2', 'grace@example.com', 'Grace Hopper', false, ['user', 'admin']],
          ['u3', 'alan@example.org', 'Alan Turing', true, ['user']],
          ['u4', 'x_y%z@example.com', 'Percent Person', true, []],
        ];
        for (const [i, [id, email, name, enabled, groups]] of people.entries()) {
          await store.profiles.put(
            profile(id, { email, name, enabled, groups, createdAt: `2024-01-0${i + 1}T00:00:00.000Z` }),
          );
        }
      };
      const ids = async (q: Omit<Parameters<Store['profiles']['list']>[0], 'limit'>, limit = 2) =>
        (await pageAll((cursor) => store.profiles.list({ ...q, limit, ...(cursor ? { cursor } : {}) }))).map(
          (p) => p.userId,
        );

      test('lists newest first, paged without gaps or duplicates', async () => {
        await seed();
        assert.deepEqual(await ids({}), ['u4', 'u3', 'u2', 'u1']);
        assert.deepEqual(await ids({}, 500), ['u4', 'u3', 'u2', 'u1']);
      });

      test('search matches the start of the email or name, ignoring case; % and _ are literal', async () => {
        await seed();
        assert.deepEqual(await ids({ search: 'A' }), ['u3', 'u1']);
        assert.deepEqual(await ids({ search: 'grace h' }), ['u2']);
        assert.deepEqual(await ids({ search: 'example' }), [], 'not a substring match');
        assert.deepEqual(await ids({ search: 'x_y%' }), ['u4']);
        assert.deepEqual(await ids({ search: '%' }), []);
        assert.deepEqual(await ids({ search: '_' }), []);
      });

      test('filters by status and group, together with search', async () => {
        await seed();
        assert.deepEqual(await ids({ enabled: false }), ['u2']);
        assert.deepEqual(await ids({ group: 'admin' }), ['u2']);
        assert.deepEqual(await ids({ group: 'user', enabled: true }), ['u3', 'u1']);
        assert.deepEqual(await ids({ group: 'user', search: 'al' }), ['u3']);
        assert.deepEqual(await ids({ group: 'adm' }), [], 'groups match whole names');
      });
    });

    describe('files', () => {
      test('create then get round-trips every field, only for the owner', async () => {
        const f = file(1, 'alice');
        assert.equal(await store.files.create(f, 1_000), true);
        assert.deepEqual(await store.files.get('alice', f.id), f);
        assert.equal(await store.files.get('bob', f.id), null, "another user's file reads as missing");
        assert.equal(await store.files.get('alice', 'nope'), null);
      });

      test('create refuses, storing nothing, when the quota would be exceeded', async () => {
        assert.equal(await store.files.create(file(1, 'alice', 600), 1_000), true);
        assert.equal(await store.files.create(file(2, 'alice', 401), 1_000), false);
        assert.equal(await store.files.get('alice', file(2, 'alice').id), null);
        assert.equal(await store.files.create(file(3, 'alice', 400), 1_000), true, 'exactly the quota fits');
        assert.deepEqual(await store.files.usage('alice'), { bytes: 1_000, count: 2 });
        assert.equal(await store.files.create(file(1, 'bob', 1_000), 1_000), true, 'quotas are per user');
      });

      test('concurrent creates never exceed the quota together', async () => {
        const results = await Promise.all(
          Array.from({ length: 10 }, (_, i) => store.files.create(file(i, 'alice', 300), 1_000)),
        );
        assert.equal(results.filter(Boolean).length, 3);
        assert.deepEqual(await store.files.usage('alice'), { bytes: 900, count: 3 });
      });

      test("list pages one user's files newest first without gaps or duplicates", async () => {
        for (let n = 0; n < 7; n++) await store.files.create(file(n, 'alice'), 1e9);
        await store.files.create(file(0, 'bob'), 1e9);
        const listed = await pageAll((cursor) =>
          store.files.list('alice', { limit: 3, ...(cursor ? { cursor } : {}) }),
        );
        const expected = Array.from({ length: 7 }, (_, n) => file(6 - n, 'alice').id);
        assert.deepEqual(
          listed.map((f) => f.id),
          expected,
        );
        await assert.rejects(store.files.list('alice', { limit: 3, cursor: 'garbage!' }), {
          code: 'BAD_REQUEST',
        });
      });

      test("delete removes only the owner's record", async () => {
        const f = file(1, 'alice');
        await store.files.create(f, 1e9);
        assert.equal(await store.files.delete('bob', f.id), false);
        assert.ok(await store.files.get('alice', f.id));
        assert.equal(await store.files.delete('alice', f.id), true);
        assert.equal(await store.files.get('alice', f.id), null);
        assert.equal(await store.files.delete('alice', f.id), false);
        assert.deepEqual(await store.files.usage('alice'), { bytes: 0, count: 0 });
      });
    });

    describe('sessions', () => {
      test('create then get round-trips every field; delete removes it', async () => {
        const s = session(1, 'u1');
        await store.sessions.create(s);
        assert.deepEqual(await store.sessions.get(s.idHash), s);
        await store.sessions.delete(s.idHash);
        assert.equal(await store.sessions.get(s.idHash), null);
        await store.sessions.delete(s.idHash);
      });

      test('touch moves lastSeenAt forward, never back; touching a missing session is a no-op', async () => {
        const s = session(1, 'u1');
        await store.sessions.create(s);
        await store.sessions.touch(s.idHash, s.lastSeenAt + 120_000);
        assert.equal((await store.sessions.get(s.idHash))?.lastSeenAt, s.lastSeenAt + 120_000);
        await store.sessions.touch(s.idHash, s.lastSeenAt + 60_000);
        assert.equal((await store.sessions.get(s.idHash))?.lastSeenAt, s.lastSeenAt + 120_000);
        await store.sessions.touch('missing'.padEnd(64, '0'), s.lastSeenAt);
        assert.equal(await store.sessions.get('missing'.padEnd(64, '0')), null);
      });

      test('a sealed provider token round-trips, is replaced in place, and never revives a deleted session', async () => {
        const plain = session(1, 'u1');
        const sealed = { ...session(2, 'u1'), sealedIdpToken: 'v1.sealed-one' };
        await store.sessions.create(plain);
        await store.sessions.create(sealed);
        assert.equal('sealedIdpToken' in ((await store.sessions.get(plain.idHash)) ?? {}), false);
        assert.deepEqual(await store.sessions.get(sealed.idHash), sealed);
        await store.sessions.setSealedIdpToken(sealed.idHash, 'v1.sealed-two');
        assert.deepEqual(await store.sessions.get(sealed.idHash), {
          ...sealed,
          sealedIdpToken: 'v1.sealed-two',
        });
        assert.equal((await store.sessions.listForUser('u1'))[0]?.sealedIdpToken, 'v1.sealed-two');
        await store.sessions.setSealedIdpToken(plain.idHash, 'v1.sealed-three');
        assert.equal((await store.sessions.get(plain.idHash))?.sealedIdpToken, 'v1.sealed-three');
        await store.sessions.delete(sealed.idHash);
        await store.sessions.setSealedIdpToken(sealed.idHash, 'v1.sealed-four');
        assert.equal(await store.sessions.get(sealed.idHash), null);
      });

      test("listForUser returns only that user's sessions, newest first", async () => {
        // Created out of order, so the answer cannot just be insertion order.
        for (const n of [2, 5, 1, 4, 3]) await store.sessions.create(session(n, 'u1'));
        await store.sessions.create(session(9, 'u2'));
        const list = await store.sessions.listForUser('u1');
        assert.deepEqual(
          list,
          [5, 4, 3, 2, 1].map((n) => session(n, 'u1')),
        );
        assert.deepEqual(await store.sessions.listForUser('nobody'), []);
      });

      test('deleteByPublicId deletes only a session the user owns', async () => {
        const mine = session(1, 'u1');
        const theirs = session(2, 'u2');
        await store.sessions.create(mine);
        await store.sessions.create(theirs);
        assert.equal(await store.sessions.deleteByPublicId('u1', theirs.publicId), false);
        assert.deepEqual(await store.sessions.get(theirs.idHash), theirs);
        assert.equal(await store.sessions.deleteByPublicId('u1', mine.publicId), true);
        assert.equal(await store.sessions.get(mine.idHash), null);
        assert.equal(await store.sessions.deleteByPublicId('u1', mine.publicId), false);
      });

      test("deleteAllForUser deletes every session of the user, counts them, and spares others'", async () => {
        for (const n of [1, 2, 3]) await store.sessions.create(session(n, 'u1'));
        await store.sessions.create(session(4, 'u2'));
        assert.equal(await store.sessions.deleteAllForUser('u1'), 3);
        assert.deepEqual(await store.sessions.listForUser('u1'), []);
        assert.equal(await store.sessions.get(session(1, 'u1').idHash), null);
        assert.deepEqual(await store.sessions.listForUser('u2'), [session(4, 'u2')]);
        assert.equal(await store.sessions.deleteAllForUser('u1'), 0);
      });
    });

    describe('revocations', () => {
      test('marks only move forward', async () => {
        await store.revocations.set('u1', 2_000);
        assert.equal(await store.revocations.get('u1'), 2_000);
        await store.revocations.set('u1', 1_000);
        assert.equal(await store.revocations.get('u1'), 2_000, 'a smaller mark must not win');
        await store.revocations.set('u1', 3_000);
        assert.equal(await store.revocations.get('u1'), 3_000);
        assert.equal(await store.revocations.get('u2'), null);
      });

      test('concurrent writers end on the largest mark', async () => {
        const marks = [5_000, 9_000, 1_000, 7_000, 3_000, 8_000, 2_000];
        await Promise.all(marks.map((m) => store.revocations.set('u1', m)));
        assert.equal(await store.revocations.get('u1'), 9_000);
      });
    });

    describe('audit', () => {
      test('lists newest first and round-trips every field', async () => {
        const detail = { reason: 'bad password', attempts: 3, mfa: false, device: null };
        const e1 = event(1);
        const e2 = event(2, { type: 'auth.failed', outcome: 'failure', actorId: null, ip: null, detail });
        const e3 = event(3, { subjectId: null });
        for (const e of [e2, e3, e1]) await store.audit.append(e);
        const page = await store.audit.list({ limit: 10 });
        assert.deepEqual(page.items, [e3, e2, e1]);
        assert.equal(page.nextCursor, null);
      });

      test('filters by type, subject and actor, alone and together', async () => {
        await store.audit.append(event(1, { type: 'a', subjectId: 's1', actorId: 'x1' }));
        await store.audit.append(event(2, { type: 'b', subjectId: 's1', actorId: 'x2' }));
        await store.audit.append(event(3, { type: 'a', subjectId: 's2', actorId: 'x1' }));
        await store.audit.append(event(4, { type: 'a', subjectId: 's1', actorId: 'x2' }));
        const ids = async (q: Filter) => (await store.audit.list({ ...q, limit: 10 })).items.map((e) => e.id);
        assert.deepEqual(await ids({ type: 'a' }), [4, 3, 1].map(evt));
        assert.deepEqual(await ids({ subjectId: 's1' }), [4, 2, 1].map(evt));
        assert.deepEqual(await ids({ actorId: 'x2' }), [4, 2].map(evt));
        assert.deepEqual(await ids({ type: 'a', subjectId: 's1', actorId: 'x1' }), [1].map(evt));
        assert.deepEqual(await ids({ type: 'c' }), []);
      });

      test('cursor paging visits every event once, newest first, including events that share a time', async () => {
        const events: AuditEvent[] = [];
        // 23 events over 8 distinct seconds: many share `at`, so the position must include the id.
        for (let n = 0; n < 23; n++) events.push(event(n, { at: event(n % 8).at }));
        for (const e of [...events].reverse()) await store.audit.append(e);
        const all = await listAll(store, {}, 5);
        assert.deepEqual([...all].sort(), events.map((e) => e.id).sort(), 'every event exactly once');
        // The port promises newest first; the order among events of the same instant is the adapter's.
        const at = new Map(events.map((e) => [e.id, e.at]));
        const times = all.map((id) => at.get(id) ?? '');
        assert.deepEqual(times, [...times].sort().reverse());
      });

      test('paging with a filter stays within the filter', async () => {
        for (let n = 0; n < 20; n++)
          await store.audit.append(event(n, { subjectId: n % 2 ? 'odd' : 'even' }));
        const ids = await listAll(store, { subjectId: 'even' }, 3);
        assert.deepEqual(ids, [18, 16, 14, 12, 10, 8, 6, 4, 2, 0].map(evt));
      });

      test('a cursor is a position: events appended while paging cause no duplicates or gaps', async () => {
        for (let n = 10; n < 20; n++) await store.audit.append(event(n));
        const first = await store.audit.list({ limit: 4 });
        const firstIds = first.items.map((e) => e.id);
        assert.deepEqual(firstIds, [19, 18, 17, 16].map(evt));
        assert.ok(first.nextCursor);
        // Newer events arrive between pages; they belong before the cursor, not in later pages.
        for (let n = 20; n < 25; n++) await store.audit.append(event(n));
        const rest = await listAll(store, {}, 4, first.nextCursor);
        assert.deepEqual(rest, [15, 14, 13, 12, 11, 10].map(evt));
      });
    });

    describe('throttle', () => {
      test('hit counts up and count reads without counting', async () => {
        assert.equal(await store.throttle.count('k', 1_000), 0);
        assert.equal(await store.throttle.hit('k', 60, 1_000), 1);
        assert.equal(await store.throttle.hit('k', 60, 1_001), 2);
        assert.equal(await store.throttle.hit('k', 60, 1_002), 3);
        assert.equal(await store.throttle.count('k', 1_003), 3);
        assert.equal(await store.throttle.hit('k', 60, 1_004), 4, 'count() did not add to the counter');
        assert.equal(await store.throttle.count('other', 1_003), 0);
        assert.equal(await store.throttle.hit('other', 60, 1_003), 1);
      });

      test('a window expires windowSeconds after its first hit, and the next hit starts a new one', async () => {
        await store.throttle.hit('k', 60, 1_000);
        await store.throttle.hit('k', 60, 1_030);
        // Later hits do not extend the window: it still ends at 1_060.
        assert.equal(await store.throttle.count('k', 1_059), 2);
        assert.equal(await store.throttle.count('k', 1_060), 0);
        assert.equal(await store.throttle.hit('k', 60, 1_060), 1);
        assert.equal(await store.throttle.hit('k', 60, 1_119), 2);
        assert.equal(await store.throttle.count('k', 1_120), 0);
      });

      test('reset clears the counter', async () => {
        await store.throttle.hit('k', 60, 1_000);
        await store.throttle.hit('k', 60, 1_000);
        await store.throttle.reset('k');
        assert.equal(await store.throttle.count('k', 1_000), 0);
        assert.equal(await store.throttle.hit('k', 60, 1_000), 1);
        await store.throttle.reset('never-hit');
      });

      test('N concurrent hits count N, and each sees a distinct value', async () => {
        const n = 50;
        const hits = Array.from({ length: n }, () => store.throttle.hit('busy', 60, 1_000));
        const seen = (await Promise.all(hits)).sort((a, b) => a - b);
        assert.deepEqual(
          seen,
          Array.from({ length: n }, (_, i) => i + 1),
        );
        assert.equal(await store.throttle.count('busy', 1_000), n);
      });
    });
  });
}
