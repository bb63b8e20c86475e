/**
 * The store contract's social sign-in cases (ports/store.ts: oauthFlows, identities), registered
 * inside storeContract so every adapter runs them on the same fresh store as the other cases.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { LinkedIdentity, OAuthFlowRecord, Store } from '../../src/ports/store.ts';

const NOW = 1_700_000_000_000;

const flow = (n: number, over: Partial<OAuthFlowRecord> = {}): OAuthFlowRecord => ({
  idHash: `flow-${n}`.padEnd(64, '0'),
  provider: 'google',
  state: `state-${n}`,
  nonce: `nonce-${n}`,
  codeVerifier: `verifier-${n}`.padEnd(43, 'v'),
  returnTo: '/files?sort=new',
  linkUserId: null,
  createdAt: NOW,
  expiresAt: NOW + 600_000,
  ...over,
});

const link = (userId: string, provider: string, subject: string, n = 0): LinkedIdentity => ({
  provider,
  subject,
  userId,
  email: `${userId}@example.com`,
  linkedAt: new Date(Date.UTC(2024, 0, 1, 0, 0, n)).toISOString(),
});

export function federationCases(store: () => Store): void {
  describe('social sign-in flows', () => {
    test('create then take round-trips every field, once', async () => {
      const f = flow(1, { linkUserId: 'user-a' });
      await store().oauthFlows.create(f);
      assert.deepEqual(await store().oauthFlows.take(f.idHash, NOW + 1), f);
      assert.equal(await store().oauthFlows.take(f.idHash, NOW + 2), null, 'a flow is used once');
      assert.equal(await store().oauthFlows.take('missing'.padEnd(64, '0'), NOW), null);
    });

    test('an expired flow is never handed out', async () => {
      const f = flow(2);
      await store().oauthFlows.create(f);
      assert.equal(await store().oauthFlows.take(f.idHash, f.expiresAt), null);
      assert.equal(await store().oauthFlows.take(f.idHash, NOW), null, 'and it is gone');
    });

    test('of concurrent takes of one flow exactly one gets it', async () => {
      // Several rounds: a race that only sometimes hands a flow out twice must still fail here.
      for (let round = 0; round < 10; round++) {
        const f = flow(100 + round);
        await store().oauthFlows.create(f);
        const got = await Promise.all(
          Array.from({ length: 12 }, () => store().oauthFlows.take(f.idHash, NOW)),
        );
        assert.equal(got.filter((g) => g !== null).length, 1, `round ${round}`);
      }
    });
  });

  describe('linked identities', () => {
    test('link, find and list round-trip every field; a pair links to one user only', async () => {
      const a = link('user-a', 'google', 'g-1', 1);
      assert.equal(await store().identities.link(a), true);
      assert.deepEqual(await store().identities.find('google', 'g-1'), a);
      assert.equal(await store().identities.link({ ...link('user-b', 'google', 'g-1', 2) }), false);
      assert.deepEqual(await store().identities.find('google', 'g-1'), a, 'the first link stands');
      assert.equal(await store().identities.find('google', 'g-2'), null);
      assert.equal(await store().identities.find('facebook', 'g-1'), null, 'keyed by provider too');
      assert.deepEqual(await store().identities.listForUser('user-b'), []);
    });

    test("listForUser returns only that user's links, oldest first", async () => {
      const later = link('user-a', 'facebook', 'f-1', 5);
      const first = link('user-a', 'google', 'g-1', 1);
      await store().identities.link(later);
      await store().identities.link(first);
      await store().identities.link(link('user-b', 'amazon', 'a-1', 3));
      assert.deepEqual(await store().identities.listForUser('user-a'), [first, later]);
    });

    test("unlink removes only the owner's link, at once from listings; deleteAllForUser counts", async () => {
      await store().identities.link(link('user-a', 'google', 'g-1', 1));
      await store().identities.link(link('user-a', 'oidc', 'o-1', 2));
      await store().identities.link(link('user-b', 'google', 'g-2', 3));
      assert.equal(await store().identities.unlink('user-b', 'google', 'g-1'), false, "not b's link");
      assert.ok(await store().identities.find('google', 'g-1'));
      assert.equal(await store().identities.unlink('user-a', 'google', 'g-1'), true);
      assert.equal(await store().identities.find('google', 'g-1'), null);
      assert.deepEqual(
        (await store().identities.listForUser('user-a')).map((l) => l.subject),
        ['o-1'],
        'a removed link is never listed',
      );
      assert.equal(await store().identities.unlink('user-a', 'google', 'g-1'), false);
      assert.equal(await store().identities.deleteAllForUser('user-a'), 1);
      assert.deepEqual(await store().identities.listForUser('user-a'), []);
      assert.ok(await store().identities.find('google', 'g-2'), "b's link is untouched");
    });
  });
}
