/** /api/admin: users and the audit trail for the admin group; 403 for everyone else. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Built, build } from '../helpers/build.ts';
import { bearer, cookieUser, sessionSignIn, tokenUser, uniqueEmail } from '../helpers/users.ts';

async function withAdmin(t: import('node:test').TestContext) {
  const adminEmail = uniqueEmail('admin');
  const b = await build(t, { ADMIN_EMAILS: adminEmail });
  const admin = await tokenUser(b, adminEmail);
  const me = (
    await b.app.inject({ method: 'GET', url: '/api/users/me', headers: bearer(admin.tokens.access_token) })
  ).json();
  assert.ok(me.groups.includes('admin'), 'ADMIN_EMAILS made an admin');
  return { b, admin, adminId: me.user_id as string, h: bearer(admin.tokens.access_token) };
}

const idOf = async (b: Built, token: string) =>
  (await b.app.inject({ method: 'GET', url: '/api/users/me', headers: bearer(token) })).json()
    .user_id as string;

describe('admin routes', () => {
  test('a signed-in non-admin gets 403 on every admin route; no credentials get 401', async (t) => {
    const { b, adminId } = await withAdmin(t);
    const u = await tokenUser(b);
    const routes: [string, string, object?][] = [
      ['GET', '/api/admin/users'],
      ['PATCH', `/api/admin/users/${adminId}`, { enabled: false }],
      ['DELETE', `/api/admin/users/${adminId}`],
      ['GET', '/api/admin/audit'],
    ];
    for (const [method, url, payload] of routes) {
      const res = await b.app.inject({
        method: method as 'GET',
        url,
        headers: bearer(u.tokens.access_token),
        ...(payload ? { payload } : {}),
      });
      assert.equal(res.statusCode, 403, `${method} ${url}: ${res.body}`);
      assert.equal(res.json().error.code, 'FORBIDDEN');
      const anon = await b.app.inject({ method: method as 'GET', url, ...(payload ? { payload } : {}) });
      assert.equal(anon.statusCode, 401, `${method} ${url} anonymous`);
    }
    const me = (
      await b.app.inject({ method: 'GET', url: '/api/users/me', headers: bearer(u.tokens.access_token) })
    ).json();
    assert.ok(me.user_id);
  });

  test('lists users newest first with status, groups, MFA, plan; searches and filters; pages', async (t) => {
    const { b, h } = await withAdmin(t);
    const people: Awaited<ReturnType<typeof tokenUser>>[] = [];
    for (const name of ['zed', 'yolanda', 'xavier']) people.push(await tokenUser(b, uniqueEmail(name)));
    const list = await b.app.inject({ method: 'GET', url: '/api/admin/users', headers: h });
    assert.equal(list.statusCode, 200, list.body);
    const users = list.json().users;
    assert.equal(users.length, 4);
    // Newest first. In Cognito mode creation times come from the pool, to the second, so users made
    // within one second tie: then the newest is any of the tied ones, but the order never goes up.
    const times = users.map((x: { created_at: string }) => Date.parse(x.created_at));
    assert.deepEqual(
      times,
      [...times].sort((p: number, q: number) => q - p),
      'newest first',
    );
    const newest = users.find((x: { email: string }) => x.email === people[2]?.email);
    assert.equal(Date.parse(newest.created_at), times[0], 'the last one made is among the newest');
    if (b.deps.identity.mode === 'builtin') assert.equal(users[0].email, people[2]?.email, 'newest first');
    assert.deepEqual(Object.keys(users[0]).sort(), [
      'created_at',
      'email',
      'email_verified',
      'enabled',
      'groups',
      'mfa_enabled',
      'name',
      'plan',
      'user_id',
    ]);
    assert.equal(users[0].plan, 'trial');

    const search = (
      await b.app.inject({ method: 'GET', url: '/api/admin/users?search=YOL', headers: h })
    ).json();
    assert.deepEqual(
      search.users.map((u: { email: string }) => u.email),
      [people[1]?.email],
    );
    const admins = (
      await b.app.inject({ method: 'GET', url: '/api/admin/users?group=admin', headers: h })
    ).json();
    assert.equal(admins.users.length, 1);

    const seen: string[] = [];
    let cursor = '';
    for (let i = 0; i < 10; i++) {
      const page = (
        await b.app.inject({
          method: 'GET',
          url: `/api/admin/users?limit=3${cursor ? `&cursor=${cursor}` : ''}`,
          headers: h,
        })
      ).json();
      seen.push(...page.users.map((u: { user_id: string }) => u.user_id));
      if (!page.next_cursor) break;
      cursor = page.next_cursor;
    }
    assert.equal(new Set(seen).size, 4);
    assert.equal(seen.length, 4);
    for (const bad of ['?limit=0', '?limit=abc', '?status=maybe', '?group=Admin!', '?extra=1']) {
      const res = await b.app.inject({ method: 'GET', url: `/api/admin/users${bad}`, headers: h });
      assert.equal(res.statusCode, 400, bad);
    }
  });

  test("disabling ends the user's tokens and browser sessions at once; enabling lets them sign in again", async (t) => {
    const { b, h, adminId } = await withAdmin(t);
    const token = await tokenUser(b);
    const userId = await idOf(b, token.tokens.access_token);
    const browser = await sessionSignIn(b, { email: token.email, password: token.password });
    const cookie = browser.cookies.map((c) => `${c.name}=${c.value}`).join('; ');

    const off = await b.app.inject({
      method: 'PATCH',
      url: `/api/admin/users/${userId}`,
      headers: h,
      payload: { enabled: false },
    });
    assert.equal(off.statusCode, 200, off.body);
    assert.equal(off.json().enabled, false);
    assert.equal(
      (
        await b.app.inject({
          method: 'GET',
          url: '/api/users/me',
          headers: bearer(token.tokens.access_token),
        })
      ).statusCode,
      401,
    );
    assert.equal(
      (await b.app.inject({ method: 'GET', url: '/api/users/me', headers: { cookie } })).statusCode,
      401,
    );
    const refused = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email: token.email, password: token.password },
    });
    assert.ok([401, 403].includes(refused.statusCode), refused.body);
    const disabled = (
      await b.app.inject({ method: 'GET', url: '/api/admin/users?status=disabled', headers: h })
    ).json();
    assert.deepEqual(
      disabled.users.map((u: { user_id: string }) => u.user_id),
      [userId],
    );

    const on = await b.app.inject({
      method: 'PATCH',
      url: `/api/admin/users/${userId}`,
      headers: h,
      payload: { enabled: true },
    });
    assert.equal(on.json().enabled, true);
    const back = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email: token.email, password: token.password },
    });
    assert.equal(back.statusCode, 200, back.body);

    const trail = (
      await b.app.inject({
        method: 'GET',
        url: `/api/admin/audit?subject_id=${userId}&limit=100`,
        headers: h,
      })
    ).json();
    const types = trail.events.map(
      (e: { type: string; actor_id: string }) => `${e.type}:${e.actor_id === adminId}`,
    );
    assert.ok(types.includes('user.disabled:true') && types.includes('user.enabled:true'), types.join());
  });

  test('groups: PATCH sets the whole set; a removed role stops working at once; unknown groups are 400', async (t) => {
    const { b, h } = await withAdmin(t);
    const u = await tokenUser(b);
    const userId = await idOf(b, u.tokens.access_token);
    const promote = await b.app.inject({
      method: 'PATCH',
      url: `/api/admin/users/${userId}`,
      headers: h,
      payload: { groups: ['user', 'admin'] },
    });
    assert.equal(promote.statusCode, 200, promote.body);
    assert.deepEqual([...promote.json().groups].sort(), ['admin', 'user']);
    const fresh = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email: u.email, password: u.password },
    });
    const newAdmin = bearer(fresh.json().access_token);
    assert.equal(
      (await b.app.inject({ method: 'GET', url: '/api/admin/users', headers: newAdmin })).statusCode,
      200,
    );

    const demote = await b.app.inject({
      method: 'PATCH',
      url: `/api/admin/users/${userId}`,
      headers: h,
      payload: { groups: ['user'] },
    });
    assert.deepEqual(demote.json().groups, ['user']);
    const after = await b.app.inject({ method: 'GET', url: '/api/admin/users', headers: newAdmin });
    assert.equal(after.statusCode, 401, 'tokens that carried the admin group are void');

    for (const payload of [
      { groups: ['root'] },
      { groups: 'admin' },
      { enabled: 'no' },
      { email: 'x@y.z' },
    ]) {
      const res = await b.app.inject({
        method: 'PATCH',
        url: `/api/admin/users/${userId}`,
        headers: h,
        payload,
      });
      assert.equal(res.statusCode, 400, JSON.stringify(payload));
    }
    const missing = await b.app.inject({
      method: 'PATCH',
      url: '/api/admin/users/no-such-user',
      headers: h,
      payload: { enabled: false },
    });
    assert.equal(missing.statusCode, 404);
  });

  test('an admin cannot disable, demote or delete themselves (409 SELF_LOCKOUT)', async (t) => {
    const { b, h, adminId } = await withAdmin(t);
    for (const [method, payload] of [
      ['PATCH', { enabled: false }],
      ['PATCH', { groups: ['user'] }],
      ['DELETE', undefined],
    ] as const) {
      const res = await b.app.inject({
        method,
        url: `/api/admin/users/${adminId}`,
        headers: h,
        ...(payload ? { payload } : {}),
      });
      assert.equal(res.statusCode, 409, `${method} ${JSON.stringify(payload)}`);
      assert.equal(res.json().error.code, 'SELF_LOCKOUT');
    }
    assert.equal(
      (await b.app.inject({ method: 'GET', url: '/api/admin/users', headers: h })).statusCode,
      200,
    );
  });

  test('the audit trail filters by type, actor and subject, pages, and records admin reads too', async (t) => {
    const { b, h, adminId } = await withAdmin(t);
    const u = await cookieUser(b);
    await b.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email: u.email, password: 'wrong password entirely' },
    });
    const failures = (
      await b.app.inject({ method: 'GET', url: '/api/admin/audit?type=auth.signin', headers: h })
    ).json();
    assert.ok(failures.events.some((e: { outcome: string }) => e.outcome === 'failure'));
    assert.ok(failures.events.every((e: { type: string }) => e.type === 'auth.signin'));

    const bySubject = (
      await b.app.inject({ method: 'GET', url: `/api/admin/audit?subject_id=${u.userId}`, headers: h })
    ).json();
    assert.ok(bySubject.events.length > 0);
    assert.ok(bySubject.events.every((e: { subject_id: string }) => e.subject_id === u.userId));

    const all: string[] = [];
    let cursor = '';
    for (let i = 0; i < 50; i++) {
      const page = (
        await b.app.inject({
          method: 'GET',
          url: `/api/admin/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          headers: h,
        })
      ).json();
      all.push(...page.events.map((e: { id: string }) => e.id));
      if (!page.next_cursor) break;
      cursor = page.next_cursor;
    }
    assert.equal(new Set(all).size, all.length, 'no event twice');
    const reads = (
      await b.app.inject({
        method: 'GET',
        url: `/api/admin/audit?actor_id=${adminId}&type=admin.audit.viewed`,
        headers: h,
      })
    ).json();
    assert.ok(reads.events.length >= 3, 'each read of the trail is itself recorded');
    const bad = await b.app.inject({ method: 'GET', url: '/api/admin/audit?type=DROP%20TABLE', headers: h });
    assert.equal(bad.statusCode, 400);
  });
});
