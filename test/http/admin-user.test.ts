/**
 * The admin console's view of one user (GET /api/admin/users/:id, its invoices, signing a session
 * out, refunding one of the user's invoices): admin only (403), unknown ids 404, every action
 * audited with the administrator as actor and the user as subject; the audit trail names the
 * people it mentions; and the user's own activity leaves the bookkeeping out.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { checkout, simulatorOf } from '../helpers/billing.ts';
import { build } from '../helpers/build.ts';
import { bearer, cookieUser, tokenUser, uniqueEmail } from '../helpers/users.ts';

async function withAdmin(t: import('node:test').TestContext) {
  const adminEmail = uniqueEmail('admin');
  const b = await build(t, { ADMIN_EMAILS: adminEmail });
  const admin = await tokenUser(b, adminEmail);
  const adminId = (
    await b.app.inject({ url: '/api/users/me', headers: bearer(admin.tokens.access_token) })
  ).json().user_id as string;
  return { b, adminId, h: bearer(admin.tokens.access_token) };
}

const UNKNOWN = 'no-such-user-0000';

describe('the admin view of one user', () => {
  test('admin only: 401 without credentials, 403 for a user, 404 for ids that do not exist', async (t) => {
    const { b, h, adminId } = await withAdmin(t);
    const u = await tokenUser(b);
    const routes = (id: string): [string, string, object?][] => [
      ['GET', `/api/admin/users/${id}`],
      ['GET', `/api/admin/users/${id}/invoices`],
      ['DELETE', `/api/admin/users/${id}/sessions/AAAAAAAAAAAAAAAA`],
      ['POST', `/api/admin/users/${id}/refunds`, { invoice_id: 'in_123' }],
    ];
    for (const [method, url, payload] of routes(adminId)) {
      const as = (headers: Record<string, string>) =>
        b.app.inject({ method: method as 'GET', url, headers, ...(payload ? { payload } : {}) });
      assert.equal((await as({})).statusCode, 401, `${method} ${url} anonymous`);
      const user = await as(bearer(u.tokens.access_token));
      assert.equal(user.statusCode, 403, `${method} ${url}: ${user.body}`);
      assert.equal(user.json().error.code, 'FORBIDDEN');
    }
    for (const [method, url, payload] of routes(UNKNOWN)) {
      const res = await b.app.inject({
        method: method as 'GET',
        url,
        headers: h,
        ...(payload ? { payload } : {}),
      });
      assert.equal(res.statusCode, 404, `${method} ${url}: ${res.body}`);
      assert.equal(res.json().error.code, 'NOT_FOUND');
    }
    const sessionOfNobody = await b.app.inject({
      method: 'DELETE',
      url: `/api/admin/users/${adminId}/sessions/AAAAAAAAAAAAAAAA`,
      headers: h,
    });
    assert.equal(sessionOfNobody.statusCode, 404, 'an unknown session of a real user');
  });

  test('profile, plan, sessions and sign-in methods; signing one device out ends it', async (t) => {
    const { b, h, adminId } = await withAdmin(t);
    const u = await cookieUser(b);
    await b.app.inject({
      method: 'PUT',
      url: '/api/users/me',
      headers: { cookie: u.cookie, origin: 'http://localhost:3000', 'x-csrf-token': u.csrf },
      payload: { name: 'Ada Lovelace', phone_number: '+44 20 7946 0958' },
    });
    const res = await b.app.inject({ url: `/api/admin/users/${u.userId}`, headers: h });
    assert.equal(res.statusCode, 200, res.body);
    const d = res.json();
    assert.equal(d.user.email, u.email);
    assert.equal(d.user.name, 'Ada Lovelace');
    assert.equal(d.user.phone_number, '+442079460958');
    assert.equal(d.user.enabled, true);
    assert.equal(d.user.has_password, true);
    assert.deepEqual(d.user.groups, ['user']);
    assert.equal(d.subscription.plan, 'trial');
    assert.deepEqual(d.identities, []);
    assert.equal(d.sessions.length, 1, 'the browser session');
    // The account's recent events come with it, administrators' looks left out.
    const types = d.activity.events.map((e: { type: string }) => e.type);
    assert.ok(types.includes('profile.updated') && types.includes('auth.signin'), types);
    assert.deepEqual(
      types.filter((t: string) => t.startsWith('admin.')),
      [],
    );
    assert.deepEqual(d.activity.users[u.userId], { email: u.email, name: 'Ada Lovelace' });
    const [session] = d.sessions;
    assert.deepEqual(Object.keys(session).sort(), ['created_at', 'device', 'id', 'ip', 'last_seen_at']);

    const out = await b.app.inject({
      method: 'DELETE',
      url: `/api/admin/users/${u.userId}/sessions/${session.id}`,
      headers: h,
    });
    assert.equal(out.statusCode, 204, out.body);
    const me = await b.app.inject({ url: '/api/users/me', headers: { cookie: u.cookie } });
    assert.equal(me.statusCode, 401, 'that device is signed out');
    const after = (await b.app.inject({ url: `/api/admin/users/${u.userId}`, headers: h })).json();
    assert.deepEqual(after.sessions, []);

    const trail = (
      await b.app.inject({ url: `/api/admin/audit?subject_id=${u.userId}&limit=50`, headers: h })
    ).json();
    const revoked = trail.events.find((e: { type: string }) => e.type === 'session.revoked');
    assert.equal(revoked?.actor_id, adminId, 'the administrator is the actor');
    assert.equal(revoked?.detail.session, session.id);
    assert.ok(trail.events.some((e: { type: string }) => e.type === 'admin.user.viewed'));
    assert.deepEqual(trail.users[u.userId], { email: u.email, name: 'Ada Lovelace' });
    assert.equal(trail.users[adminId]?.name, null, 'the people the events name, by id');
  });

  test("invoices and a refund of the user's own invoice only, audited on the user", async (t) => {
    const { b, h, adminId } = await withAdmin(t);
    const payer = await tokenUser(b);
    const other = await tokenUser(b);
    const ids = await Promise.all(
      [payer, other].map(
        async (p) =>
          (await b.app.inject({ url: '/api/users/me', headers: bearer(p.tokens.access_token) })).json()
            .user_id as string,
      ),
    );
    const [payerId, otherId] = ids as [string, string];
    await checkout(b, bearer(payer.tokens.access_token), 'basic');
    await checkout(b, bearer(other.tokens.access_token), 'premium');
    await simulatorOf(b).idle();

    const list = await b.app.inject({ url: `/api/admin/users/${payerId}/invoices`, headers: h });
    assert.equal(list.statusCode, 200, list.body);
    const own = list.json().invoices;
    assert.equal(own.length, 1);
    assert.deepEqual(list.json().refunded, {}, 'nothing refunded yet');
    assert.equal(own[0].amount_paid, 900);
    const theirs = (await b.app.inject({ url: `/api/admin/users/${otherId}/invoices`, headers: h })).json()
      .invoices[0];

    const refund = (userId: string, body: object) =>
      b.app.inject({ method: 'POST', url: `/api/admin/users/${userId}/refunds`, headers: h, payload: body });
    const cross = await refund(payerId, { invoice_id: theirs.id });
    assert.equal(cross.statusCode, 404, "another user's invoice is not this user's");
    const part = await refund(payerId, { invoice_id: own[0].id, amount: 400 });
    assert.equal(part.statusCode, 200, part.body);
    assert.deepEqual(
      { ...(part.json() as object), refund_id: 're' },
      {
        refund_id: 're',
        amount: 400,
        currency: 'usd',
        status: 'succeeded',
      },
    );
    const tooMuch = await refund(payerId, { invoice_id: own[0].id, amount: 900 });
    assert.equal(tooMuch.statusCode, 400, 'no more than what is left');
    const after = (await b.app.inject({ url: `/api/admin/users/${payerId}/invoices`, headers: h })).json();
    assert.deepEqual(after.refunded, { [own[0].id]: 400 }, 'what was refunded, by invoice');
    await simulatorOf(b).idle();

    const trail = (
      await b.app.inject({
        url: `/api/admin/audit?subject_id=${payerId}&type=billing.refund.created`,
        headers: h,
      })
    ).json();
    assert.equal(trail.events.length, 1);
    assert.equal(trail.events[0].actor_id, adminId);
    assert.deepEqual(trail.events[0].detail, { invoice_id: own[0].id, amount: 400, currency: 'usd' });
  });

  test("a user's own activity leaves out group bookkeeping and administrators' views", async (t) => {
    const { b, h } = await withAdmin(t);
    const u = await tokenUser(b);
    const me = bearer(u.tokens.access_token);
    const userId = (await b.app.inject({ url: '/api/users/me', headers: me })).json().user_id;
    await b.app.inject({ url: `/api/admin/users/${userId}`, headers: h });
    const all = (await b.app.inject({ url: `/api/admin/audit?subject_id=${userId}`, headers: h })).json();
    const recorded = all.events.map((e: { type: string }) => e.type);
    assert.ok(recorded.includes('user.group.added') && recorded.includes('admin.user.viewed'), recorded);
    const own = (await b.app.inject({ url: '/api/users/me/activity', headers: me })).json();
    const shown = own.events.map((e: { type: string }) => e.type);
    assert.ok(shown.includes('auth.signin'), shown);
    assert.deepEqual(
      shown.filter((type: string) => type.startsWith('user.group.') || type.startsWith('admin.')),
      [],
    );
    // A page of bookkeeping alone does not end the list: the next page still comes.
    const small = (await b.app.inject({ url: '/api/users/me/activity?limit=1', headers: me })).json();
    assert.equal(small.events.length, 1);
  });
});
