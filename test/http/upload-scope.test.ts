/**
 * The upload scope (src/http/uploads.ts) maps upload errors once for every upload route: each
 * operation the OpenAPI document lists as taking multipart/form-data answers a body that breaks
 * off mid-part with 400 MALFORMED_UPLOAD and closes the connection after the answer, and a
 * refusal from before the handler (no credentials) is left as it is, with the connection kept.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type Built, build } from '../helpers/build.ts';
import { bearer, tokenUser } from '../helpers/users.ts';

type Method = 'POST' | 'PUT';

async function uploadOperations(b: Built): Promise<{ method: Method; url: string }[]> {
  const doc = (await b.app.inject({ url: '/openapi.json' })).json();
  const out: { method: Method; url: string }[] = [];
  for (const [url, ops] of Object.entries(
    doc.paths as Record<string, Record<string, { requestBody?: unknown }>>,
  )) {
    for (const [method, op] of Object.entries(ops)) {
      if (JSON.stringify(op.requestBody ?? {}).includes('multipart/form-data'))
        out.push({ method: method.toUpperCase() as Method, url });
    }
  }
  return out;
}

const broken = {
  'content-type': 'multipart/form-data; boundary=abc',
};
const brokenBody =
  '--abc\r\nContent-Disposition: form-data; name="file"; filename="a.bin"\r\n\r\nnot finished';

test('every upload route maps a broken multipart body to 400 MALFORMED_UPLOAD and closes the connection', async (t) => {
  const b = await build(t);
  const u = await tokenUser(b);
  const ops = await uploadOperations(b);
  assert.deepEqual(ops.map((o) => `${o.method} ${o.url}`).sort(), [
    'POST /api/files',
    'PUT /api/users/me/photo',
  ]);
  for (const { method, url } of ops) {
    const res = await b.app.inject({
      method,
      url,
      headers: { ...broken, ...bearer(u.tokens.access_token) },
      payload: brokenBody,
    });
    assert.equal(res.statusCode, 400, `${method} ${url}: ${res.body}`);
    assert.equal(res.json().error.code, 'MALFORMED_UPLOAD', `${method} ${url}`);
    assert.equal(res.headers.connection, 'close', `${method} ${url}`);

    const anonymous = await b.app.inject({ method, url, headers: broken, payload: brokenBody });
    assert.equal(anonymous.statusCode, 401, `${method} ${url} anonymous`);
    assert.notEqual(anonymous.headers.connection, 'close', `${method} ${url} anonymous`);
  }
});
