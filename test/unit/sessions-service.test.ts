/**
 * services/sessions.ts built from fake ports (SessionsDeps: the sessions, revocations,
 * users and audit aggregates, the identity provider's token calls, a clock): only the cookie's
 * hash is stored, a session ends at its absolute or idle lifetime or at the user's revocation
 * mark, idle time is written at most once a minute, and one user cannot end another's session.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Tokens } from '../../src/ports/identity.ts';
import {
  createSession,
  hashSessionId,
  listSessions,
  resolveSession,
  revokeSession,
  type SessionsDeps,
} from '../../src/services/sessions.ts';
import {
  META,
  manualClock,
  memoryAudit,
  memoryRevocations,
  memorySessions,
  profileOf,
  recordingLog,
  T0,
  unexpected,
} from '../fakes/service-ports.ts';

const TTL = 3600;
const IDLE = 600;

function setup() {
  const clock = manualClock();
  const sessions = memorySessions();
  const revocations = memoryRevocations();
  const audit = memoryAudit();
  const revokedTokens: string[] = [];
  const deps: SessionsDeps = {
    clock,
    log: recordingLog(),
    config: { sessionTtl: TTL, sessionIdleTtl: IDLE },
    identity: {
      mode: 'builtin',
      async revokeRefreshToken(token) {
        revokedTokens.push(token);
      },
      refresh: unexpected('identity.refresh'),
      globalSignOut: unexpected('identity.globalSignOut'),
    },
    store: {
      sessions,
      revocations,
      audit,
      users: {
        async get(userId) {
          const revokedThrough = await revocations.get(userId);
          return {
            userId,
            profile: profileOf(userId, T0),
            revokedThrough,
            billing: null,
            usage: { bytes: 0, count: 0 },
          };
        },
      },
    },
  };
  return { deps, clock, sessions, revocations, audit, revokedTokens };
}

const tokens: Tokens = {
  idToken: 'id.token.x',
  accessToken: 'access.token.x',
  refreshToken: 'refresh-token-1',
  expiresIn: 300,
  tokenType: 'Bearer',
};

describe('sessions service (fake ports)', () => {
  test("a new session stores the cookie's hash, never the value, and closes the provider's refresh family", async () => {
    const { deps, sessions, revokedTokens } = setup();
    const { cookieValue, session } = await createSession(deps, { userId: 'u1' }, tokens, META);
    assert.equal(cookieValue.length, 43);
    assert.equal(session.idHash, hashSessionId(cookieValue));
    assert.equal(session.expiresAt, T0 + TTL * 1000);
    assert.ok(!JSON.stringify([...sessions.rows]).includes(cookieValue), 'the value is not stored');
    assert.equal(session.sealedIdpToken, undefined, 'the built-in provider keeps no token');
    assert.deepEqual(revokedTokens, ['refresh-token-1']);
  });

  test('a live session resolves to its user; an unknown or malformed cookie to null', async () => {
    const { deps } = setup();
    const { cookieValue } = await createSession(deps, { userId: 'u1' }, null, META);
    const check = await resolveSession(deps, cookieValue);
    assert.equal(check?.user.userId, 'u1');
    assert.equal(await resolveSession(deps, 'A'.repeat(43)), null);
    assert.equal(await resolveSession(deps, `${cookieValue}x`), null);
  });

  test('a session unused for the idle lifetime ends and is deleted', async () => {
    const { deps, clock, sessions } = setup();
    const { cookieValue } = await createSession(deps, { userId: 'u1' }, null, META);
    clock.advance(IDLE * 1000 - 1);
    assert.ok(await resolveSession(deps, cookieValue), 'one millisecond short of idle');
    clock.advance(IDLE * 1000);
    assert.equal(await resolveSession(deps, cookieValue), null);
    assert.equal(sessions.rows.size, 0);
  });

  test('use keeps a session alive, written at most once a minute, until its absolute lifetime', async () => {
    const { deps, clock, sessions } = setup();
    const { cookieValue, session } = await createSession(deps, { userId: 'u1' }, null, META);
    clock.advance(30_000);
    await resolveSession(deps, cookieValue);
    assert.equal(sessions.rows.get(session.idHash)?.lastSeenAt, T0, 'no write within the minute');
    for (let at = 5; at * 60_000 < TTL * 1000; at += 5) {
      clock.advance(5 * 60_000 - (at === 5 ? 30_000 : 0));
      assert.ok(await resolveSession(deps, cookieValue), `alive at ${at} minutes`);
    }
    assert.equal(sessions.rows.get(session.idHash)?.lastSeenAt, deps.clock());
    clock.advance(5 * 60_000);
    assert.equal(await resolveSession(deps, cookieValue), null, 'past the absolute lifetime');
  });

  test("the user's revocation mark voids sessions created at or before it, and they leave the list", async () => {
    const { deps, clock, revocations } = setup();
    const { cookieValue } = await createSession(deps, { userId: 'u1' }, null, META);
    await revocations.set('u1', deps.clock());
    assert.equal(await resolveSession(deps, cookieValue), null);
    clock.advance(1000);
    const later = await createSession(deps, { userId: 'u1' }, null, META);
    assert.ok(await resolveSession(deps, later.cookieValue));
    assert.deepEqual(
      (await listSessions(deps, 'u1')).map((s) => s.publicId),
      [later.session.publicId],
    );
  });

  test("another user's session cannot be revoked by its public id; the owner's can, and it is audited", async () => {
    const { deps, audit, sessions } = setup();
    const { session } = await createSession(deps, { userId: 'owner' }, null, META);
    assert.equal(await revokeSession(deps, 'intruder', session.publicId, META), false);
    assert.ok(sessions.rows.has(session.idHash));
    assert.equal(audit.events.length, 0, 'nothing revoked, nothing audited');
    assert.equal(await revokeSession(deps, 'owner', session.publicId, META), true);
    assert.equal(sessions.rows.size, 0);
    assert.deepEqual(
      audit.events.map((e) => [e.type, e.subjectId, e.detail.session]),
      [['session.revoked', 'owner', session.publicId]],
    );
  });
});
