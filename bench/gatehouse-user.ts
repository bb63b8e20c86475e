/**
 * A signed-in user for the benchmark, made only through Gatehouse's public API, as a client would:
 * sign up, read the code from the dev outbox, confirm, sign in (Bearer access token) and open a
 * browser session (session cookie).
 */
import { randomBytes } from 'node:crypto';
import { sleep } from './servers.ts';

export const BENCH_PASSWORD = 'purple lanterns drift over quiet harbours';

export interface Credentials {
  readonly email: string;
  readonly accessToken: string;
  /** `name=value`, ready for a Cookie header. */
  readonly cookie: string;
}

async function call(origin: string, method: string, path: string, body?: unknown): Promise<Response> {
  const res = await fetch(`${origin}${path}`, {
    method,
    ...(body === undefined
      ? {}
      : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${path} answered ${res.status}: ${await res.text()}`);
  return res;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null;

async function confirmationCode(origin: string, email: string): Promise<string> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const answer: unknown = await (
      await call(origin, 'GET', `/api/dev/mail?to=${encodeURIComponent(email)}`)
    ).json();
    const messages = isRecord(answer) && Array.isArray(answer.messages) ? answer.messages : [];
    for (const m of messages) {
      const code =
        isRecord(m) && typeof m.text === 'string' ? /code is (\d{6})/.exec(m.text)?.[1] : undefined;
      if (code) return code;
    }
    await sleep(100);
  }
  throw new Error(`no confirmation code for ${email} in the dev outbox`);
}

export async function createSignedInUser(origin: string, cookieName = 'gh_session'): Promise<Credentials> {
  const email = `bench-${randomBytes(6).toString('hex')}@example.com`;
  const password = BENCH_PASSWORD;
  await call(origin, 'POST', '/api/auth/signup', { email, password, name: 'Bench' });
  const code = await confirmationCode(origin, email);
  await call(origin, 'POST', '/api/auth/confirm', { email, confirmation_code: code });

  const tokens: unknown = await (await call(origin, 'POST', '/api/auth/signin', { email, password })).json();
  const accessToken = isRecord(tokens) ? tokens.access_token : undefined;
  if (typeof accessToken !== 'string') throw new Error('sign-in answered without an access_token');

  const session = await call(origin, 'POST', '/api/session', { email, password });
  const value = session.headers
    .getSetCookie()
    .map((c) => new RegExp(`^${cookieName}=([^;]+)`).exec(c)?.[1])
    .find((v) => v !== undefined);
  if (!value) throw new Error(`POST /api/session set no ${cookieName} cookie`);

  // Both credentials must work before any load is measured: a 401 under load would only show as non-2xx.
  const both: Record<string, string>[] = [
    { authorization: `Bearer ${accessToken}` },
    { cookie: `${cookieName}=${value}` },
  ];
  for (const headers of both) {
    const me = await fetch(`${origin}/api/users/me`, { headers });
    if (me.status !== 200) throw new Error(`GET /api/users/me answered ${me.status}: ${await me.text()}`);
  }
  return { email, accessToken, cookie: `${cookieName}=${value}` };
}
