/**
 * Social sign-in round trips in tests: the app (app.inject) and a local OpenID Provider
 * (helpers/oidc-provider.ts, over real HTTP) in between, the way a browser carries the flow:
 * start (a 302 and the flow cookie), the provider's pages, the callback with the cookie back.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import { type Built, build } from './build.ts';
import { followToApp, type LocalOp, type Person, startOidcProvider } from './oidc-provider.ts';

export const APP = 'http://localhost:3000';
export const GOOGLE = { client_id: 'gatehouse-google', client_secret: 'google-secret-0123456789' };
export const callbackOf = (provider: string) => `${APP}/api/auth/oauth/${provider}/callback`;

/** A provider playing Google for the app at APP. */
export const startGoogle = () =>
  startOidcProvider({ clients: [{ ...GOOGLE, redirect_uris: [callbackOf('google')] }] });

export const googleSettings = (op: LocalOp): Record<string, string> => ({
  GOOGLE_ISSUER: op.issuer,
  GOOGLE_CLIENT_ID: GOOGLE.client_id,
  GOOGLE_CLIENT_SECRET: GOOGLE.client_secret,
});

export const buildWithGoogle = (
  t: TestContext,
  op: LocalOp,
  more: Record<string, string> = {},
  clock?: () => number,
) => build(t, { ...googleSettings(op), ...more }, clock);

export interface Started {
  /** `name=value` of the flow cookie, for a Cookie header. */
  readonly flowCookie: string;
  /** The provider's authorization URL. */
  readonly location: string;
}

export async function start(
  b: Built,
  provider = 'google',
  query = '',
  headers: Record<string, string> = {},
): Promise<Started> {
  const res = await b.app.inject({
    method: 'GET',
    url: `/api/auth/oauth/${provider}/start${query}`,
    headers,
  });
  assert.equal(res.statusCode, 302, res.body);
  const set = res.cookies.find((c) => c.name.endsWith('gh_oauth'));
  assert.ok(set, 'the flow cookie is set');
  return { flowCookie: `${set.name}=${set.value}`, location: String(res.headers.location) };
}

/** The provider's answer for one authorization URL: the callback path the browser would open. */
export const atProvider = (op: LocalOp, person: Person, location: string): Promise<string> => {
  op.signInAs(person);
  return followToApp(location, APP);
};

export const callback = (b: Built, path: string, cookie?: string) =>
  b.app.inject({ method: 'GET', url: path, headers: cookie ? { cookie } : {} });

/** A whole sign-in: start, the provider, the callback. Returns the callback's answer. */
export async function signInWith(b: Built, op: LocalOp, person: Person, provider = 'google', query = '') {
  const s = await start(b, provider, query);
  return callback(b, await atProvider(op, person, s.location), s.flowCookie);
}

/** The session cookie a callback set, ready for a Cookie header; fails when there is none. */
export function sessionOf(res: { cookies: { name: string; value: string }[] }): string {
  const set = res.cookies.find((c) => c.name.endsWith('gh_session') && c.value);
  assert.ok(set, 'a session cookie was set');
  return `${set.name}=${set.value}`;
}

export const hasSession = (res: { cookies: { name: string; value: string }[] }) =>
  res.cookies.some((c) => c.name.endsWith('gh_session') && c.value !== '');

let n = 0;
export const person = (over: Partial<Person> = {}): Person => ({
  sub: `google-${process.pid}-${Date.now()}-${++n}`,
  email: `social.${process.pid}.${Date.now()}.${n}@example.test`,
  email_verified: true,
  name: 'Grace Hopper',
  ...over,
});
