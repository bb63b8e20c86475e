/**
 * Any port on this machine: with APP_ORIGIN left to its default (http://localhost:<PORT>) and HOST
 * on loopback, a browser at localhost, 127.0.0.1 or [::1] on that port is this app (its Origin is
 * accepted, its mail links point where its cookie is); any other origin is refused as before, and
 * the refusal says in the log what came and what was expected. A set APP_ORIGIN, or a HOST beyond
 * loopback, keeps the strict check of exactly APP_ORIGIN.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Built, build } from '../helpers/build.ts';
import { confirmedUser, cookieUser, PASSWORD, sessionSignIn, uniqueEmail } from '../helpers/users.ts';

const PORT = '3101';
const HERE = ['http://localhost:3101', 'http://127.0.0.1:3101', 'http://[::1]:3101'];

const browserSignIn = (b: Built, email: string, origin: string) =>
  sessionSignIn(b, { email, password: PASSWORD }, { origin, 'sec-fetch-site': 'same-origin' });

/** The warn lines of the refusals logged so far. */
const refusals = (b: Built) =>
  b
    .logs()
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l) as { level: number; msg: string; expected?: string })
    .filter((l) => l.msg.startsWith('Refused '));

describe('the default origin on loopback', () => {
  test('sign-in is accepted from localhost, 127.0.0.1 and [::1] at PORT, refused from anywhere else', async (t) => {
    const b = await build(t, { PORT });
    const { email } = await confirmedUser(b);
    for (const origin of HERE) {
      const res = await browserSignIn(b, email, origin);
      assert.equal(res.statusCode, 200, `${origin}: ${res.body}`);
      // A cookie-authenticated unsafe request from there passes too.
      const cookie = `gh_session=${res.cookies.find((c) => c.name === 'gh_session')?.value}`;
      const out = await b.app.inject({ method: 'DELETE', url: '/api/session', headers: { cookie, origin } });
      assert.equal(out.statusCode, 204, `${origin}: ${out.body}`);
    }
    for (const origin of [
      'http://localhost:3000',
      'http://127.0.0.1:3102',
      'https://localhost:3101',
      'http://127.0.0.2:3101',
      'http://localhost.evil.test:3101',
      'https://evil.test',
    ]) {
      const res = await browserSignIn(b, email, origin);
      assert.equal(res.statusCode, 403, origin);
      assert.equal(res.json().error.code, 'ORIGIN_REJECTED');
    }
    const crossSite = await sessionSignIn(
      b,
      { email, password: PASSWORD },
      { 'sec-fetch-site': 'cross-site' },
    );
    assert.equal(crossSite.statusCode, 403);
  });

  test('a refused Origin is logged in one line naming it and the APP_ORIGIN expected', async (t) => {
    const b = await build(t, { PORT });
    const { email } = await confirmedUser(b);
    assert.equal((await browserSignIn(b, email, 'http://192.168.1.20:3101')).statusCode, 403);
    const lines = refusals(b);
    assert.equal(lines.length, 1, JSON.stringify(lines));
    assert.equal(lines[0]?.level, 40);
    assert.equal(lines[0]?.expected, 'http://localhost:3101');
    assert.match(
      lines[0]?.msg ?? '',
      /^Refused POST \/api\/session: its Origin is "http:\/\/192\.168\.1\.20:3101"\./,
    );
    assert.match(lines[0]?.msg ?? '', /APP_ORIGIN is http:\/\/localhost:3101; .*set APP_ORIGIN/);
    // Nothing of the credentials reaches that line.
    assert.equal(b.logs().includes(PASSWORD), false);
  });

  test('mail links go to the loopback origin the browser is at, and to APP_ORIGIN otherwise', async (t) => {
    const b = await build(t, { PORT });
    const post = (url: string, payload: object, origin?: string) =>
      b.app.inject({ method: 'POST', url, payload, headers: origin ? { origin } : {} });
    const linkOf = async (email: string, action: () => Promise<unknown>) => {
      await b.expectMail(email, action);
      return /Or open[^:]*: (\S+)/.exec(b.mailTo(email)[0]?.text ?? '')?.[1] ?? '';
    };

    const ip = uniqueEmail('ip');
    const signup = () => post('/api/auth/signup', { email: ip, password: PASSWORD }, 'http://127.0.0.1:3101');
    assert.match(await linkOf(ip, signup), /^http:\/\/127\.0\.0\.1:3101\/confirm\?/);
    const resend = () => post('/api/auth/resend-code', { email: ip }, 'http://[::1]:3101');
    assert.match(await linkOf(ip, resend), /^http:\/\/\[::1\]:3101\/confirm\?/);

    const { email } = await confirmedUser(b);
    const forgot = () => post('/api/auth/forgot-password', { email }, 'http://127.0.0.1:3101');
    assert.match(await linkOf(email, forgot), /^http:\/\/127\.0\.0\.1:3101\/reset-password\?/);
    // No Origin (curl), or one that is not this machine: the configured origin, never the header's.
    const plain = () => post('/api/auth/forgot-password', { email });
    assert.match(await linkOf(email, plain), /^http:\/\/localhost:3101\/reset-password\?/);
    const evil = () => post('/api/auth/forgot-password', { email }, 'https://evil.test');
    assert.match(await linkOf(email, evil), /^http:\/\/localhost:3101\/reset-password\?/);
    const otherPort = () => post('/api/auth/forgot-password', { email }, 'http://127.0.0.1:3000');
    assert.match(await linkOf(email, otherPort), /^http:\/\/localhost:3101\/reset-password\?/);

    // The already-registered notice follows the same rule.
    await b.expectMail(email, () =>
      post('/api/auth/signup', { email, password: PASSWORD }, 'http://127.0.0.1:3101'),
    );
    assert.match(b.mailTo(email)[0]?.text ?? '', /http:\/\/127\.0\.0\.1:3101\/forgot-password/);
  });
});

describe('an operator-set origin, or serving beyond loopback: exactly APP_ORIGIN', () => {
  for (const [what, env] of [
    ['APP_ORIGIN set (to what the default would be)', { PORT, APP_ORIGIN: 'http://localhost:3101' }],
    ['HOST beyond loopback', { PORT, HOST: '0.0.0.0' }],
  ] as const) {
    test(`${what}: 127.0.0.1 and [::1] are refused, and mail links stay on APP_ORIGIN`, async (t) => {
      const b = await build(t, env);
      const u = await cookieUser(b);
      assert.equal((await browserSignIn(b, u.email, 'http://localhost:3101')).statusCode, 200);
      for (const origin of ['http://127.0.0.1:3101', 'http://[::1]:3101']) {
        assert.equal((await browserSignIn(b, u.email, origin)).statusCode, 403, origin);
        const res = await b.app.inject({
          method: 'DELETE',
          url: '/api/session',
          headers: { cookie: u.cookie, origin },
        });
        assert.equal(res.statusCode, 403, origin);
      }
      const email = uniqueEmail();
      await b.expectMail(email, () =>
        b.app.inject({
          method: 'POST',
          url: '/api/auth/signup',
          headers: { origin: 'http://127.0.0.1:3101' },
          payload: { email, password: PASSWORD },
        }),
      );
      assert.match(b.mailTo(email)[0]?.text ?? '', /Or open[^:]*: http:\/\/localhost:3101\/confirm\?/);
    });
  }

  test('a public https APP_ORIGIN keeps __Host- cookies and refuses loopback origins', async (t) => {
    const b = await build(t, { PORT, APP_ORIGIN: 'https://app.example.com' });
    const { email } = await confirmedUser(b);
    const ok = await browserSignIn(b, email, 'https://app.example.com');
    assert.equal(ok.statusCode, 200);
    const cookie = ok.cookies[0];
    assert.equal(cookie?.name, '__Host-gh_session');
    assert.equal(cookie?.secure, true);
    assert.equal((await browserSignIn(b, email, 'http://localhost:3101')).statusCode, 403);
  });
});
