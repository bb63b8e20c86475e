/**
 * The store contract's cases for the user's record (ports/store.ts: users.get, which the guard
 * reads on every signed-in request, and the writes that keep it), registered inside storeContract
 * so every adapter runs them on the same fresh store as the other cases: one read returns the
 * profile, the mark, the billing state and the usage, each as its own read would; a write to one
 * part never resets another; a change given an audit event records it in the same atomic step.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AuditEvent, FileRecord, Profile, SessionRecord, Store } from '../../src/ports/store.ts';

const profile = (userId: string, over: Partial<Profile> = {}): Profile => ({
  userId,
  email: `${userId}@example.com`,
  name: 'Ada Lovelace',
  phoneNumber: '+441234567890',
  address: { line1: '1 Analytical Way', city: 'London', country: 'GB' },
  emailVerified: false,
  mfaEnabled: false,
  groups: ['user'],
  enabled: true,
  photoVersion: 'p1',
  createdAt: '2024-01-01T00:00:00.000Z',
  updatedAt: '2024-01-02T00:00:00.000Z',
  ...over,
});

const file = (userId: string, n: number, size: number): FileRecord => ({
  id: `rec-${userId}-${n}`,
  userId,
  name: `f${n}.txt`,
  size,
  contentType: 'text/plain',
  sha256: 'b'.repeat(64),
  blobKey: `files/${userId}/${n}`,
  createdAt: new Date(Date.UTC(2024, 0, 2, 0, 0, n)).toISOString(),
});

const event = (id: string, type: string, subjectId: string): AuditEvent => ({
  id,
  at: new Date(Date.UTC(2024, 0, 3)).toISOString(),
  type,
  actorId: subjectId,
  subjectId,
  ip: '198.51.100.7',
  outcome: 'success',
  detail: { n: 1 },
});

const session = (n: number, userId: string): SessionRecord => ({
  idHash: `batch-${userId}-${String(n).padStart(3, '0')}-`.padEnd(64, '0'),
  publicId: `pub-batch-${n}`,
  userId,
  createdAt: 1_700_000_000_000 + n,
  lastSeenAt: 1_700_000_000_000 + n,
  expiresAt: 1_800_000_000_000,
  userAgent: 'test',
  ip: '203.0.113.7',
  csrfToken: `csrf-${n}`,
});

export function userCases(store: () => Store): void {
  describe('the user record', () => {
    test('a user with nothing stored reads as empty in every part', async () => {
      assert.deepEqual(await store().users.get('nobody'), {
        userId: 'nobody',
        profile: null,
        revokedThrough: null,
        billing: null,
        usage: { bytes: 0, count: 0 },
      });
    });

    test('one read returns every part as its own read does, and no write resets another part', async () => {
      const s = store();
      await s.revocations.set('u1', 1_700_000_000_500);
      await s.profiles.put(profile('u1'));
      assert.equal(await s.files.create(file('u1', 1, 120), 1000), true);
      const linked = await s.billing.linkCustomer('u1', 'cus_u1', '2024-01-04T00:00:00.000Z');
      await s.billing.put({ ...linked, plan: 'basic', status: 'active', subscriptionId: 'sub_u1' });
      await s.profiles.put(profile('u1', { name: 'Ada King', phoneNumber: null, address: null }));
      const record = await s.users.get('u1');
      assert.deepEqual(record.profile, profile('u1', { name: 'Ada King', phoneNumber: null, address: null }));
      assert.equal(record.revokedThrough, 1_700_000_000_500);
      assert.deepEqual(record.billing, await s.billing.get('u1'));
      assert.equal(record.billing?.plan, 'basic');
      assert.deepEqual(record.usage, { bytes: 120, count: 1 });
      assert.deepEqual(record.profile, await s.profiles.get('u1'));
      assert.equal(record.revokedThrough, await s.revocations.get('u1'));
      assert.deepEqual(record.usage, await s.files.usage('u1'));

      // The profile goes; the mark (which voids tokens issued before it), the plan and the usage stay.
      await s.profiles.delete('u1');
      const after = await s.users.get('u1');
      assert.equal(after.profile, null);
      assert.equal(after.revokedThrough, 1_700_000_000_500);
      assert.equal(after.billing?.plan, 'basic');
      assert.deepEqual(after.usage, { bytes: 120, count: 1 });
      assert.deepEqual((await s.profiles.list({ limit: 10 })).items, []);
    });

    test('a profile change and a file given their audit events record them in the same step', async () => {
      const s = store();
      await s.profiles.put(profile('u2'), event('evt-profile', 'profile.updated', 'u2'));
      assert.equal(
        await s.files.create(file('u2', 1, 600), 1000, event('evt-file', 'file.uploaded', 'u2')),
        true,
      );
      // Refused over the quota: neither the record nor its event.
      assert.equal(
        await s.files.create(file('u2', 2, 600), 1000, event('evt-refused', 'file.uploaded', 'u2')),
        false,
      );
      const listed = await s.audit.list({ subjectId: 'u2', limit: 10 });
      assert.deepEqual(listed.items.map((e) => e.id).sort(), ['evt-file', 'evt-profile']);
      assert.deepEqual(
        listed.items.find((e) => e.id === 'evt-file'),
        event('evt-file', 'file.uploaded', 'u2'),
      );
      assert.deepEqual((await s.users.get('u2')).usage, { bytes: 600, count: 1 });
    });

    test("syncing the identity fields updates them, keeps the user's own, and answers the record", async () => {
      const s = store();
      const fields = {
        userId: 'u3',
        email: 'new@example.com',
        name: 'From The Provider',
        emailVerified: true,
        mfaEnabled: true,
        groups: ['admin', 'user'],
      };
      assert.equal(
        await s.profiles.syncIdentity(fields, '2024-02-01T00:00:00.000Z'),
        null,
        'no profile: nothing',
      );
      assert.equal((await s.users.get('u3')).profile, null, 'and nothing written');

      await s.profiles.put(profile('u3', { enabled: false }));
      await s.revocations.set('u3', 1_700_000_000_900);
      const synced = await s.profiles.syncIdentity(fields, '2024-02-01T00:00:00.000Z');
      const expected = profile('u3', {
        email: 'new@example.com',
        emailVerified: true,
        mfaEnabled: true,
        groups: ['admin', 'user'],
        enabled: false,
        updatedAt: '2024-02-01T00:00:00.000Z',
      });
      assert.deepEqual(synced?.profile, expected, 'the stored name and the rest are kept');
      assert.equal(synced?.revokedThrough, 1_700_000_000_900);
      assert.deepEqual(await s.profiles.get('u3'), expected);

      await s.profiles.put(profile('u4', { name: null }));
      const named = await s.profiles.syncIdentity({ ...fields, userId: 'u4' }, '2024-02-01T00:00:00.000Z');
      assert.equal(named?.profile?.name, 'From The Provider', 'a name only where none is stored');
    });

    test('deleting every session of a user takes them all, however many', async () => {
      const s = store();
      for (let n = 0; n < 30; n++) await s.sessions.create(session(n, 'u5'));
      await s.sessions.create(session(99, 'u6'));
      assert.equal(await s.sessions.deleteAllForUser('u5'), 30);
      assert.equal(await s.sessions.get(session(7, 'u5').idHash), null);
      assert.deepEqual(await s.sessions.listForUser('u5'), []);
      assert.equal((await s.sessions.get(session(99, 'u6').idHash))?.userId, 'u6');
    });
  });
}
