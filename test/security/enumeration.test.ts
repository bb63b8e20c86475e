/** SECURITY.md items 7-11: enumeration safety, per-account throttling and per-client rate limits. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { comparable } from '../helpers/api-checks.ts';
import { build, midMinute, waitFor } from '../helpers/build.ts';
import { confirmedUser, PASSWORD, signUp, uniqueEmail } from '../helpers/users.ts';

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? 0;
};
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length * q)] ?? 0;

/** One timed password sign-in. */
const signInAttempt = (b: Awaited<ReturnType<typeof build>>, password: string) => async (email: string) => {
  const start = process.hrtime.bigint();
  const res = await b.app.inject({ method: 'POST', url: '/api/auth/signin', payload: { email, password } });
  return { res, ms: Number(process.hrtime.bigint() - start) / 1e6 };
};

describe('enumeration and throttling', () => {
  test('SECURITY 7: unknown user and wrong password answer identically, with overlapping timings', async (t) => {
    // Real hashing cost matters here: a cheap hash would hide a missing dummy verification.
    const b = await build(t, { PASSWORD_HASH_COST: '13', LOGIN_MAX_FAILURES: '100000' });
    const { email } = await confirmedUser(b);
    const unknown = uniqueEmail('nobody');
    const attempt = signInAttempt(b, 'wrong but long passphrase');
    const a = await attempt(email);
    const u = await attempt(unknown);
    assert.deepEqual(comparable(a.res), comparable(u.res));
    const known: number[] = [];
    const missing: number[] = [];
    for (let i = 0; i < 200; i++) {
      known.push((await attempt(email)).ms);
      missing.push((await attempt(unknown)).ms);
    }
    const [mk, mu] = [median(known), median(missing)];
    assert.ok(Math.abs(mk - mu) / Math.max(mk, mu) < 0.25, `medians ${mk.toFixed(2)} vs ${mu.toFixed(2)} ms`);
    // Interquartile ranges overlap.
    assert.ok(
      quantile(known, 0.25) <= quantile(missing, 0.75) && quantile(missing, 0.25) <= quantile(known, 0.75),
    );
  });

  test('SECURITY 7: a social-only account (no password) answers a password sign-in like an unknown one, in similar time', async (t) => {
    const b = await build(t, { PASSWORD_HASH_COST: '13', LOGIN_MAX_FAILURES: '100000' });
    const social = uniqueEmail('social');
    assert.equal((await b.deps.identity.createFederatedUser({ email: social })).outcome, 'created');
    const unknown = uniqueEmail('nobody');
    const attempt = signInAttempt(b, 'any long passphrase at all');
    const first = await attempt(social);
    assert.equal(first.res.statusCode, 401);
    assert.deepEqual(comparable(first.res), comparable((await attempt(unknown)).res));
    const known: number[] = [];
    const missing: number[] = [];
    for (let i = 0; i < 100; i++) {
      known.push((await attempt(social)).ms);
      missing.push((await attempt(unknown)).ms);
    }
    const [mk, mu] = [median(known), median(missing)];
    assert.ok(Math.abs(mk - mu) / Math.max(mk, mu) < 0.25, `medians ${mk.toFixed(2)} vs ${mu.toFixed(2)} ms`);
  });

  test('SECURITY 8: forgot-password and resend answer alike for existing, unknown, unconfirmed and social-only emails', async (t) => {
    const b = await build(t);
    const { email: confirmed } = await confirmedUser(b);
    const { email: unconfirmed } = await signUp(b);
    const unknown = uniqueEmail('ghost');
    const social = uniqueEmail('social');
    assert.equal((await b.deps.identity.createFederatedUser({ email: social })).outcome, 'created');
    for (const url of ['/api/auth/forgot-password', '/api/auth/resend-code']) {
      const emails = [confirmed, unconfirmed, unknown, social];
      const answers: ReturnType<typeof comparable>[] = [];
      const times: number[][] = emails.map(() => []);
      // Interleaved, so a busy machine slows every kind of address alike.
      for (let i = 0; i < 30; i++) {
        for (const [k, email] of emails.entries()) {
          const start = process.hrtime.bigint();
          const res = await b.app.inject({ method: 'POST', url, payload: { email } });
          times[k]?.push(Number(process.hrtime.bigint() - start) / 1e6);
          if (i === 0) answers.push(comparable(res));
        }
      }
      assert.equal(answers[0]?.status, 202);
      assert.deepEqual(answers[1], answers[0]);
      assert.deepEqual(answers[2], answers[0]);
      assert.deepEqual(answers[3], answers[0]);
      const medians = times.map(median);
      // The mail work happens after the answer, so every answer is equally quick: no kind of
      // address waits on work the others skip (a mail send, a provider call).
      const [fastest, slowest] = [Math.min(...medians), Math.max(...medians)];
      assert.ok(
        slowest - fastest < Math.max(8, fastest / 2),
        `${url} medians ${medians.map((m) => m.toFixed(1)).join(', ')} ms`,
      );
    }
    await waitFor(() => b.mailTo(confirmed).some((m) => /reset/i.test(m.subject)), 'the reset mail');
    assert.ok(b.mailTo(confirmed).some((m) => /reset/i.test(m.subject)));
    assert.equal(b.mailTo(unknown).length, 0);
  });

  test('SECURITY 9: signing up with a registered email answers like a new sign-up and mails the owner', async (t) => {
    const b = await build(t);
    const { email } = await confirmedUser(b);
    const fresh = uniqueEmail();
    const again = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signup',
      payload: { email, password: 'some other long passphrase' },
    });
    const newOne = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signup',
      payload: { email: fresh, password: 'some other long passphrase' },
    });
    assert.deepEqual(comparable(again), comparable(newOne));
    await waitFor(() => b.mailTo(email).length > 1, 'the notice to the owner');
    assert.match(b.mailTo(email)[0]?.subject ?? '', /someone tried to sign up/i);
  });

  test('SECURITY 9: a sign-up replacing an unconfirmed registration answers like a new one, in similar time', async (t) => {
    // Real hashing cost, as in SECURITY 7: the hash is most of a sign-up's time on every path.
    const b = await build(t, { PASSWORD_HASH_COST: '13' });
    const { email: unconfirmed } = await signUp(b);
    const timed = async (email: string) => {
      const start = process.hrtime.bigint();
      const res = await b.app.inject({
        method: 'POST',
        url: '/api/auth/signup',
        payload: { email, password: 'some other long passphrase' },
      });
      return { res, ms: Number(process.hrtime.bigint() - start) / 1e6 };
    };
    const created: number[] = [];
    const replaced: number[] = [];
    for (let i = 0; i < 60; i++) {
      const fresh = await timed(uniqueEmail('fresh'));
      const again = await timed(unconfirmed);
      if (i === 0) assert.deepEqual(comparable(again.res), comparable(fresh.res));
      created.push(fresh.ms);
      replaced.push(again.ms);
    }
    const [mc, mr] = [median(created), median(replaced)];
    assert.ok(Math.abs(mc - mr) / Math.max(mc, mr) < 0.25, `medians ${mc.toFixed(2)} vs ${mr.toFixed(2)} ms`);
    assert.equal(b.mailTo(unconfirmed).length, 61, 'each sign-up mailed a code of its own');
  });

  test('SECURITY 10: failures on one account are throttled well before 100, whatever the case or X-Forwarded-For', async (t) => {
    const b = await build(t, { TRUST_PROXY_HOPS: '1' });
    const { email, password } = await confirmedUser(b);
    const tries: number[] = [];
    for (let i = 0; i < 30; i++) {
      const e = i % 2 ? email.toUpperCase() : email;
      const res = await b.app.inject({
        method: 'POST',
        url: '/api/auth/signin',
        headers: { 'x-forwarded-for': `198.51.100.${i}` },
        payload: { email: e, password: 'wrong but long passphrase' },
      });
      tries.push(res.statusCode);
    }
    const firstBlock = tries.indexOf(429);
    assert.ok(firstBlock > 0 && firstBlock <= 10, `blocked at attempt ${firstBlock + 1}: ${tries.join(',')}`);
    assert.ok(tries.slice(firstBlock).every((s) => s === 429));
    // Even the right password is refused while throttled.
    const right = await b.app.inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email, password },
    });
    assert.equal(right.statusCode, 429);
    assert.equal(right.json().error.code, 'ACCOUNT_THROTTLED');
    // An unknown account is throttled the same way.
    const ghost = uniqueEmail('ghost');
    let ghostStatus = 0;
    for (let i = 0; i < 11; i++) {
      ghostStatus = (
        await b.app.inject({
          method: 'POST',
          url: '/api/auth/signin',
          payload: { email: ghost, password: 'x'.repeat(20) },
        })
      ).statusCode;
    }
    assert.equal(ghostStatus, 429);
  });

  test('SECURITY 10: a success resets the failure count', async (t) => {
    const b = await build(t);
    const { email, password } = await confirmedUser(b);
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 8; i++) {
        const r = await b.app.inject({
          method: 'POST',
          url: '/api/auth/signin',
          payload: { email, password: 'wrong but long passphrase' },
        });
        assert.equal(r.statusCode, 401);
      }
      const ok = await b.app.inject({
        method: 'POST',
        url: '/api/auth/signin',
        payload: { email, password },
      });
      assert.equal(ok.statusCode, 200, `round ${round}`);
    }
  });

  test('SECURITY 11: one client spraying a password across accounts, or hammering sign-up or forgot-password, gets 429', async (t) => {
    const b = await build(t, { RATE_LIMIT_AUTH_PER_MINUTE: '30' }, midMinute());
    for (const [url, payload] of [
      ['/api/auth/signin', (i: number) => ({ email: `victim${i}@example.test`, password: PASSWORD })],
      ['/api/auth/signup', (i: number) => ({ email: `new${i}@example.test`, password: PASSWORD })],
      ['/api/auth/forgot-password', (i: number) => ({ email: `victim${i}@example.test` })],
    ] as const) {
      const statuses: number[] = [];
      for (let i = 0; i < 40; i++) {
        statuses.push(
          (await b.app.inject({ method: 'POST', url, payload: payload(i), remoteAddress: '192.0.2.7' }))
            .statusCode,
        );
      }
      assert.ok(
        statuses.slice(0, 30).every((s) => s !== 429),
        `${url}: ${statuses.join(',')}`,
      );
      assert.ok(
        statuses.slice(30).every((s) => s === 429),
        `${url}: ${statuses.join(',')}`,
      );
      // Another client is unaffected.
      const other = await b.app.inject({
        method: 'POST',
        url,
        payload: payload(99),
        remoteAddress: '192.0.2.8',
      });
      assert.notEqual(other.statusCode, 429);
    }
  });
});
