/** PUT /api/users/me and the profile photo routes, for Bearer and cookie callers. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import sharp from 'sharp';
import { build } from '../helpers/build.ts';
import { download, filePart, photo } from '../helpers/uploads.ts';
import { bearer, cookieUser, tokenUser } from '../helpers/users.ts';

const ORIGIN = { origin: 'http://localhost:3000' };

describe('PUT /api/users/me', () => {
  test('sets name, E.164 phone and address; GET /me shows them; null clears a field', async (t) => {
    const b = await build(t);
    const u = await tokenUser(b);
    const h = bearer(u.tokens.access_token);
    const put = await b.app.inject({
      method: 'PUT',
      url: '/api/users/me',
      headers: h,
      payload: {
        name: '  Ada Lovelace ',
        phone_number: '+442071234567',
        address: {
          line1: '12 St James Sq',
          line2: '  ',
          city: 'London',
          postal_code: 'SW1Y 4LB',
          country: 'gb',
        },
      },
    });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal(put.json().message, 'Profile saved.');
    const me = (await b.app.inject({ method: 'GET', url: '/api/users/me', headers: h })).json();
    assert.equal(me.name, 'Ada Lovelace');
    assert.equal(me.phone_number, '+442071234567');
    assert.deepEqual(me.address, {
      line1: '12 St James Sq',
      city: 'London',
      postal_code: 'SW1Y 4LB',
      country: 'GB',
    });

    const partial = await b.app.inject({
      method: 'PUT',
      url: '/api/users/me',
      headers: h,
      payload: { phone_number: null },
    });
    assert.equal(partial.statusCode, 200);
    const after = partial.json().user;
    assert.equal(after.phone_number, undefined, 'null clears the phone number');
    assert.equal(after.name, 'Ada Lovelace', 'fields not sent are kept');
    assert.equal(after.address.city, 'London');
  });

  test('refuses invalid values with 400 (VALIDATION_FAILED, INVALID_PHONE_NUMBER) and changes nothing', async (t) => {
    const b = await build(t);
    const u = await tokenUser(b);
    const h = bearer(u.tokens.access_token);
    await b.app.inject({ method: 'PUT', url: '/api/users/me', headers: h, payload: { name: 'Kept' } });
    for (const [payload, code] of [
      [{ phone_number: '0207 123 4567' }, 'INVALID_PHONE_NUMBER'],
      [{ phone_number: '+0123456' }, 'INVALID_PHONE_NUMBER'],
      [{ phone_number: '+1234567890123456' }, 'INVALID_PHONE_NUMBER'],
      [{ phone_number: '+44 20 7946 0958 ext. 12' }, 'VALIDATION_FAILED'],
      [{ name: '' }, 'VALIDATION_FAILED'],
      [{ name: '   ' }, 'VALIDATION_FAILED'],
      [{ name: 'a\nb' }, 'VALIDATION_FAILED'],
      [{ name: 'x'.repeat(101) }, 'VALIDATION_FAILED'],
      [{ name: 42 }, 'VALIDATION_FAILED'],
      [{ address: { planet: 'Mars' } }, 'VALIDATION_FAILED'],
      [{ address: { country: 'GBR' } }, 'VALIDATION_FAILED'],
      [{ address: 'London' }, 'VALIDATION_FAILED'],
    ] as const) {
      const res = await b.app.inject({ method: 'PUT', url: '/api/users/me', headers: h, payload });
      assert.equal(res.statusCode, 400, `${JSON.stringify(payload)} -> ${res.body}`);
      assert.equal(res.json().error.code, code, JSON.stringify(payload));
    }
    const me = (await b.app.inject({ method: 'GET', url: '/api/users/me', headers: h })).json();
    assert.equal(me.name, 'Kept');
  });

  test('a cookie caller needs an allowed Origin, like every unsafe cookie request', async (t) => {
    const b = await build(t);
    const u = await cookieUser(b);
    const payload = { name: 'Grace' };
    const cross = await b.app.inject({
      method: 'PUT',
      url: '/api/users/me',
      headers: { cookie: u.cookie, origin: 'https://evil.test' },
      payload,
    });
    assert.equal(cross.statusCode, 403);
    const ok = await b.app.inject({
      method: 'PUT',
      url: '/api/users/me',
      headers: { cookie: u.cookie, ...ORIGIN },
      payload,
    });
    assert.equal(ok.statusCode, 200, ok.body);
    assert.equal(ok.json().user.name, 'Grace');
  });

  test('needs a signed-in caller', async (t) => {
    const b = await build(t);
    const res = await b.app.inject({ method: 'PUT', url: '/api/users/me', payload: { name: 'x' } });
    assert.equal(res.statusCode, 401);
  });
});

describe('profile photo', () => {
  for (const format of ['png', 'jpeg', 'webp'] as const) {
    test(`a ${format} becomes square WebP renditions with no metadata, served with a year of caching`, async (t) => {
      const b = await build(t);
      const u = await tokenUser(b);
      const h = bearer(u.tokens.access_token);
      const original = await photo(format, 800, 600);
      assert.ok((await sharp(original).metadata()).exif, 'the test image carries EXIF');
      const up = filePart(original, 'holiday.bin', 'application/octet-stream');
      const res = await b.app.inject({
        method: 'PUT',
        url: '/api/users/me/photo',
        headers: { ...h, ...up.headers },
        payload: up.payload,
      });
      assert.equal(res.statusCode, 200, res.body);
      const url: string = res.json().photo_url;
      assert.match(url, /^\/api\/users\/me\/photo\/[A-Za-z0-9_-]+\/256$/);
      const me = (await b.app.inject({ method: 'GET', url: '/api/users/me', headers: h })).json();
      assert.equal(me.photo_url, url);

      for (const size of [64, 256, 512]) {
        // The bytes from the app (local blobs), or from S3 through a short-lived redirect.
        const { app, final } = await download(b, url.replace(/256$/, String(size)), h);
        assert.equal(final.status, 200);
        assert.equal(final.headers['content-type'], 'image/webp');
        assert.equal(
          app.headers['cache-control'],
          app.statusCode === 302 ? 'private, max-age=60' : 'private, max-age=31536000, immutable',
        );
        assert.equal(app.headers['x-content-type-options'], 'nosniff');
        const img = { rawPayload: final.body };
        const meta = await sharp(img.rawPayload).metadata();
        assert.equal(meta.format, 'webp');
        assert.equal(meta.width, size);
        assert.equal(meta.height, size);
        assert.equal(meta.exif, undefined, 'EXIF (GPS included) is gone');
        assert.equal(meta.icc, undefined);
        assert.ok(!img.rawPayload.includes('GatehouseCam') && !img.rawPayload.includes('secret-owner'));
      }
    });
  }

  test('a new photo changes the URL, the old URL stops working, and DELETE removes it', async (t) => {
    const b = await build(t);
    const u = await tokenUser(b);
    const h = bearer(u.tokens.access_token);
    const put = async () => {
      const up = filePart(await photo('png', 100, 100), 'a.png', 'image/png');
      const res = await b.app.inject({
        method: 'PUT',
        url: '/api/users/me/photo',
        headers: { ...h, ...up.headers },
        payload: up.payload,
      });
      assert.equal(res.statusCode, 200, res.body);
      return res.json().photo_url as string;
    };
    const first = await put();
    const second = await put();
    assert.notEqual(first, second);
    assert.equal((await b.app.inject({ method: 'GET', url: first, headers: h })).statusCode, 404);
    assert.equal((await download(b, second, h)).final.status, 200);
    const { keys } = await b.deps.blobs.list(
      `photos/${(await b.app.inject({ method: 'GET', url: '/api/users/me', headers: h })).json().user_id}/`,
    );
    assert.equal(keys.length, 3, 'only the current version is kept, at three sizes');

    const del = await b.app.inject({ method: 'DELETE', url: '/api/users/me/photo', headers: h });
    assert.equal(del.statusCode, 204);
    assert.equal((await b.app.inject({ method: 'GET', url: second, headers: h })).statusCode, 404);
    const me = (await b.app.inject({ method: 'GET', url: '/api/users/me', headers: h })).json();
    assert.equal(me.photo_url, undefined);
    assert.equal((await b.deps.blobs.list(`photos/${me.user_id}/`)).keys.length, 0);
  });

  test('a browser session can upload (with Origin) and read its photo', async (t) => {
    const b = await build(t);
    const u = await cookieUser(b);
    const up = filePart(await photo('jpeg', 300, 200), 'me.jpg', 'image/jpeg');
    const res = await b.app.inject({
      method: 'PUT',
      url: '/api/users/me/photo',
      headers: { cookie: u.cookie, ...ORIGIN, ...up.headers },
      payload: up.payload,
    });
    assert.equal(res.statusCode, 200, res.body);
    const img = await download(b, res.json().photo_url, { cookie: u.cookie });
    assert.equal(img.final.status, 200);
  });

  test('the photo route takes multipart only, and a multipart body without a file is a 400', async (t) => {
    const b = await build(t);
    const u = await tokenUser(b);
    const h = bearer(u.tokens.access_token);
    const json = await b.app.inject({
      method: 'PUT',
      url: '/api/users/me/photo',
      headers: h,
      payload: { photo: 'x' },
    });
    assert.equal(json.statusCode, 400, json.body);
    const raw = await b.app.inject({
      method: 'PUT',
      url: '/api/users/me/photo',
      headers: { ...h, 'content-type': 'image/png' },
      payload: await photo('png', 10, 10),
    });
    assert.equal(raw.statusCode, 415);
    const empty = await b.app.inject({
      method: 'PUT',
      url: '/api/users/me/photo',
      headers: { ...h, 'content-type': 'multipart/form-data; boundary=abc' },
      payload: '--abc--\r\n',
    });
    assert.equal(empty.statusCode, 400, empty.body);
    assert.equal(empty.json().error.code, 'MALFORMED_UPLOAD');
    const broken = await b.app.inject({
      method: 'PUT',
      url: '/api/users/me/photo',
      headers: { ...h, 'content-type': 'multipart/form-data; boundary=abc' },
      payload: '--abc\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\nnot finished',
    });
    assert.equal(broken.statusCode, 400, broken.body);
    assert.equal(broken.json().error.code, 'MALFORMED_UPLOAD');
  });
});
