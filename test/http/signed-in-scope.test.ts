/**
 * The signed-in route scope (src/http/signed-in.ts), judged from the outside through what the
 * OpenAPI document says: every operation it marks as taking a Bearer token or the session cookie
 * refuses a caller without one with 401, before reading the body (a malformed body is not a 400),
 * and every /api/admin operation refuses a signed-in non-admin with 403, also before the body. The
 * rate limit still comes first.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Built } from '../helpers/build.ts';
import { build } from '../helpers/build.ts';
import { bearer, tokenUser } from '../helpers/users.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const SIGNED_IN = [{ bearer: [] }, { session: [] }];
const WITH_BODY = new Set<Method>(['POST', 'PUT', 'PATCH', 'DELETE']);

/** Every operation the document marks as signed-in, with its path parameters filled in. */
async function signedInOperations(b: Built): Promise<{ method: Method; url: string }[]> {
  const doc = (await b.app.inject({ url: '/openapi.json' })).json();
  const out: { method: Method; url: string }[] = [];
  for (const [path, ops] of Object.entries(
    doc.paths as Record<string, Record<string, { security?: unknown }>>,
  )) {
    for (const [method, op] of Object.entries(ops)) {
      if (JSON.stringify(op.security) !== JSON.stringify(SIGNED_IN)) continue;
      // Parameters are validated after authentication: any value reaches the hook.
      out.push({ method: method.toUpperCase() as Method, url: path.replace(/\{[^}]+\}/g, 'x') });
    }
  }
  return out;
}

/** A request whose body, if anything read it, would be a 400. */
const malformed = (method: Method) =>
  WITH_BODY.has(method) ? { headers: { 'content-type': 'application/json' }, payload: '{"unclosed' } : {};

test('every operation documented as signed-in refuses a caller without credentials before its body is read', async (t) => {
  const b = await build(t);
  const ops = await signedInOperations(b);
  // The document itself must keep saying so: the scope writes these marks.
  assert.ok(ops.length >= 40, `only ${ops.length} operations are documented as signed-in`);
  for (const { method, url } of ops) {
    const res = await b.app.inject({ method, url, ...malformed(method) });
    assert.equal(res.statusCode, 401, `${method} ${url}: ${res.body}`);
    assert.equal(res.json().error.code, 'UNAUTHENTICATED', `${method} ${url}`);
  }
});

test('every admin operation refuses a signed-in non-admin before its body is read', async (t) => {
  const b = await build(t);
  const u = await tokenUser(b);
  const admin = (await signedInOperations(b)).filter((op) => op.url.startsWith('/api/admin/'));
  assert.ok(admin.length >= 9, `only ${admin.length} admin operations are documented as signed-in`);
  for (const { method, url } of admin) {
    const res = await b.app.inject({
      method,
      url,
      ...malformed(method),
      headers: { ...malformed(method).headers, ...bearer(u.tokens.access_token) },
    });
    assert.equal(res.statusCode, 403, `${method} ${url}: ${res.body}`);
    assert.equal(res.json().error.code, 'FORBIDDEN', `${method} ${url}`);
  }
});

test('the rate limit counts refused callers of the scope: it runs before authentication', async (t) => {
  const b = await build(t, { RATE_LIMIT_PER_MINUTE: '3' });
  const codes: number[] = [];
  for (let i = 0; i < 4; i++) {
    codes.push((await b.app.inject({ method: 'PUT', url: '/api/users/me', ...malformed('PUT') })).statusCode);
  }
  assert.deepEqual(codes, [401, 401, 401, 429]);
});
