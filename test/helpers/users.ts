/** Object mothers: accounts in known states, through the public HTTP API only. */
import assert from 'node:assert/strict';
import type { InjectOptions } from 'fastify';
import type { Built } from './build.ts';

type Headers = NonNullable<InjectOptions['headers']>;

let counter = 0;
export const uniqueEmail = (prefix = 'user') =>
  `${prefix}.${process.pid}.${Date.now()}.${++counter}@example.test`;
export const PASSWORD = 'correct horse battery staple violin';

export interface Tokens {
  id_token: string;
  access_token: string;
  refresh_token: string;
  expires_in: number;
  token_type: string;
}

export async function signUp(b: Built, email = uniqueEmail(), password = PASSWORD) {
  const res = await b.app.inject({ method: 'POST', url: '/api/auth/signup', payload: { email, password } });
  assert.equal(res.statusCode, 202, res.body);
  await new Promise((r) => setImmediate(r));
  return { email, password };
}

export async function confirmedUser(b: Built, email = uniqueEmail(), password = PASSWORD) {
  await signUp(b, email, password);
  const res = await b.app.inject({
    method: 'POST',
    url: '/api/auth/confirm',
    payload: { email, confirmation_code: b.codeFor(email) },
  });
  assert.equal(res.statusCode, 200, res.body);
  return { email, password };
}

export async function signIn(b: Built, email: string, password = PASSWORD): Promise<Tokens> {
  const res = await b.app.inject({ method: 'POST', url: '/api/auth/signin', payload: { email, password } });
  assert.equal(res.statusCode, 200, res.body);
  const body = res.json() as Tokens;
  assert.ok(body.access_token, `expected tokens, got ${res.body}`);
  return body;
}

/** A confirmed user signed in through the token API. */
export async function tokenUser(b: Built, email = uniqueEmail()) {
  const user = await confirmedUser(b, email);
  return { ...user, tokens: await signIn(b, user.email, user.password) };
}

/** POST /api/session (the browser's sign-in) with `payload` as given; the answer, unchecked. */
export const sessionSignIn = (b: Built, payload: object, headers: Headers = {}) =>
  b.app.inject({ method: 'POST', url: '/api/session', headers, payload });

/** POST /api/auth/change-password with `payload` as given, as `headers` (bearer or cookie); unchecked. */
export const changePassword = (b: Built, payload: object, headers: Headers) =>
  b.app.inject({ method: 'POST', url: '/api/auth/change-password', headers, payload });

/** A confirmed user signed in through the browser session; `cookie` is ready for a Cookie header. */
export async function cookieUser(b: Built, email = uniqueEmail()) {
  const user = await confirmedUser(b, email);
  const res = await sessionSignIn(b, { email: user.email, password: user.password });
  assert.equal(res.statusCode, 200, res.body);
  const set = res.cookies.find((c) => c.name === 'gh_session' || c.name === '__Host-gh_session');
  assert.ok(set, 'session cookie set');
  const body = res.json() as { user: { user_id: string }; csrf_token: string };
  return {
    ...user,
    cookie: `${set.name}=${set.value}`,
    cookieValue: set.value,
    csrf: body.csrf_token,
    userId: body.user.user_id,
  };
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
