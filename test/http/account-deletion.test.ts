/** DELETE /api/users/me: everything goes, in an order that keeps a half-way failure safe. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AppError } from '../../src/domain/errors.ts';
import { type Built, build } from '../helpers/build.ts';
import { filePart, photo } from '../helpers/uploads.ts';
import { bearer, cookieUser, sessionSignIn, tokenUser, uniqueEmail } from '../helpers/users.ts';

/** A user with a photo, two files and a browser session besides the token. */
async function fullUser(b: Built, email = uniqueEmail()) {
  const u = await tokenUser(b, email);
  const h = bearer(u.tokens.access_token);
  const pic = filePart(await photo('png', 64, 64), 'me.png');
  assert.equal(
    (
      await b.app.inject({
        method: 'PUT',
        url: '/api/users/me/photo',
        headers: { ...h, ...pic.headers },
        payload: pic.payload,
      })
    ).statusCode,
    200,
  );
  for (const text of ['one', 'two']) {
    const f = filePart(text, `${text}.txt`);
    await b.app.inject({
      method: 'POST',
      url: '/api/files',
      headers: { ...h, ...f.headers },
      payload: f.payload,
    });
  }
  await b.app.inject({
    method: 'PUT',
    url: '/api/users/me',
    headers: h,
    payload: { name: 'Soon Gone', phone_number: '+1 415 555 0100' },
  });
  const browser = await sessionSignIn(b, { email: u.email, password: u.password });
  const cookie = browser.cookies.map((c) => `${c.name}=${c.value}`).join('; ');
  const userId = (await b.app.inject({ method: 'GET', url: '/api/users/me', headers: h })).json()
    .user_id as string;
  return { ...u, h, cookie, userId };
}

/** What leftovers() finds of an account deleted in full. */
const NOTHING_LEFT = { identity: null, profile: null, files: 0, blobs: 0, sessions: 0 };

async function leftovers(b: Built, userId: string) {
  return {
    identity: await b.deps.identity.adminGetUser(userId),
    profile: await b.deps.store.profiles.get(userId),
    files: (await b.deps.store.files.usage(userId)).count,
    blobs:
      (await b.deps.blobs.list(`files/${userId}/`)).keys.length +
      (await b.deps.blobs.list(`photos/${userId}/`)).keys.length,
    sessions: (await b.deps.store.sessions.listForUser(userId)).length,
  };
}

/** The account's old Bearer token and cookie get 401; the answer to a sign-in with its password. */
async function oldCredentialsRefused(b: Built, u: Awaited<ReturnType<typeof fullUser>>) {
  assert.equal((await b.app.inject({ method: 'GET', url: '/api/users/me', headers: u.h })).statusCode, 401);
  assert.equal(
    (await b.app.inject({ method: 'GET', url: '/api/files', headers: { cookie: u.cookie } })).statusCode,
    401,
  );
  return b.app.inject({
    method: 'POST',
    url: '/api/auth/signin',
    payload: { email: u.email, password: u.password },
  });
}

describe('DELETE /api/users/me', () => {
  test('removes identity, profile, photo, files and sessions, audits it, and leaves nothing readable', async (t) => {
    const b = await build(t);
    const u = await fullUser(b);
    const other = await fullUser(b);
    const res = await b.app.inject({ method: 'DELETE', url: '/api/users/me', headers: u.h });
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(await leftovers(b, u.userId), NOTHING_LEFT);

    const signin = await oldCredentialsRefused(b, u);
    assert.equal(signin.statusCode, 401);
    const refresh = await b.app.inject({
      method: 'POST',
      url: '/api/auth/refresh',
      payload: { refresh_token: u.tokens.refresh_token },
    });
    assert.equal(refresh.statusCode, 401);

    const audit = await b.deps.store.audit.list({ type: 'user.deleted', subjectId: u.userId, limit: 5 });
    assert.equal(audit.items.length, 1);
    assert.equal(audit.items[0]?.actorId, u.userId);

    const survivor = await leftovers(b, other.userId);
    assert.ok(survivor.identity && survivor.profile);
    assert.equal(survivor.files, 2);
    assert.equal(survivor.blobs, 5, "another user's files and photo are untouched");

    const again = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signup',
      payload: { email: u.email, password: u.password },
    });
    assert.equal(again.statusCode, 202, 'the address can sign up afresh');
  });

  test('a cookie caller is signed out in the same answer', async (t) => {
    const b = await build(t);
    const u = await cookieUser(b);
    const res = await b.app.inject({
      method: 'DELETE',
      url: '/api/users/me',
      headers: { cookie: u.cookie, origin: 'http://localhost:3000' },
    });
    assert.equal(res.statusCode, 200, res.body);
    const cleared = res.cookies.find((c) => c.name.endsWith('gh_session'));
    assert.ok(cleared && (cleared.value === '' || (cleared.maxAge ?? 1) <= 0), 'the cookie is cleared');
  });

  test('a failure half-way leaves the account locked with its data, and a retry finishes the job', async (t) => {
    const adminEmail = uniqueEmail('admin');
    const b = await build(t, { ADMIN_EMAILS: adminEmail });
    const admin = await tokenUser(b, adminEmail);
    const u = await fullUser(b);
    const realDelete = b.deps.blobs.delete;
    let failing = true;
    let attempts = 0;
    (b.deps.blobs as { delete: typeof realDelete }).delete = async (key) => {
      attempts++;
      if (failing) throw new AppError('UNAVAILABLE', 'Blob storage is unavailable.');
      return realDelete(key);
    };

    const res = await b.app.inject({ method: 'DELETE', url: '/api/users/me', headers: u.h });
    assert.equal(res.statusCode, 503, res.body);
    assert.equal(res.json().error.code, 'UNAVAILABLE');
    // Each file's bytes once after its record (best effort: files.ts), then the sweep of
    // the user's blobs, the step that failed, three times.
    assert.equal(attempts, 2 + 3, 'the failing step was tried three times');

    // Locked: no sign-in, no old credential works, but nothing it owns has been orphaned: the file
    // records went first (a file is never listed without its bytes), the bytes wait for the retry.
    const state = await leftovers(b, u.userId);
    assert.equal(state.identity?.enabled, false);
    assert.equal(state.files, 0);
    assert.equal(state.blobs, 5);
    const signin = await oldCredentialsRefused(b, u);
    assert.notEqual(signin.statusCode, 200);

    failing = false;
    const finish = await b.app.inject({
      method: 'DELETE',
      url: `/api/admin/users/${u.userId}`,
      headers: bearer(admin.tokens.access_token),
    });
    assert.equal(finish.statusCode, 200, finish.body);
    assert.deepEqual(await leftovers(b, u.userId), NOTHING_LEFT);
  });
});

describe('GET /api/data', () => {
  test('a trial user reads trial items; items for higher plans are listed locked, without their body', async (t) => {
    const b = await build(t);
    const u = await tokenUser(b);
    const res = await b.app.inject({
      method: 'GET',
      url: '/api/data',
      headers: bearer(u.tokens.access_token),
    });
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.plan, 'trial');
    const open = body.data.filter((d: { locked: boolean }) => !d.locked);
    const locked = body.data.filter((d: { locked: boolean }) => d.locked);
    assert.ok(open.length >= 1 && locked.length >= 1);
    assert.ok(
      open.every((d: { required_plan: string; body?: string }) => d.required_plan === 'trial' && d.body),
    );
    assert.ok(locked.some((d: { required_plan: string }) => d.required_plan === 'premium'));
    assert.ok(locked.every((d: { body?: string }) => d.body === undefined));
  });

  test('needs a signed-in caller', async (t) => {
    const b = await build(t);
    assert.equal((await b.app.inject({ method: 'GET', url: '/api/data' })).statusCode, 401);
  });
});
