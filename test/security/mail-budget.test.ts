/**
 * The per-address send budget (issue 14, item 5): messages answering sign-up, resend-code and
 * forgot-password requests to one address are capped per hour, whoever asks and from whichever
 * client address; past the cap they are withheld and audited, and the answers are byte for byte
 * what they would have been. Security notices are never withheld. The counters are the store's
 * atomic throttle counters: this file runs again on DynamoDB Local in the AWS pass.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { StoredMail } from '../../src/ports/dev-outbox.ts';
import { type Built, build } from '../helpers/build.ts';
import { poolSettings, startCognitoLocal } from '../helpers/cognito-local.ts';
import { waitFor } from '../helpers/kit.ts';
import {
  changePassword,
  confirmedUser,
  cookieUser,
  PASSWORD,
  signUp,
  uniqueEmail,
} from '../helpers/users.ts';

type Res = Awaited<ReturnType<Built['app']['inject']>>;
/** Everything a client sees but the clock and the rate limiter's own counters. */
const seen = (r: Res) => ({
  status: r.statusCode,
  body: r.body,
  headers: Object.fromEntries(
    Object.entries(r.headers).filter(
      ([k]) => !['date', 'x-ratelimit-remaining', 'x-ratelimit-reset'].includes(k),
    ),
  ),
  cookies: r.cookies,
});

const post = (b: Built, url: string, payload: object, ip: string) =>
  b.app.inject({ method: 'POST', url, payload, headers: { 'x-forwarded-for': ip } });

const withheld = async (b: Built, to: string) =>
  (await b.deps.store.audit.list({ type: 'mail.withheld', limit: 100 })).items.filter(
    (e) => e.detail.to === to,
  );

/** Waits (up to 5 s, then fails) until `n` messages to `to` were withheld: the mail work runs after the answers. */
async function untilWithheld(b: Built, to: string, n: number): Promise<void> {
  await waitFor(async () => (await withheld(b, to)).length >= n, { what: `${n} withheld mails to ${to}` });
}

const kinds = (mail: StoredMail[]) => mail.map((m) => m.kind).reverse();

describe('the per-address send budget', () => {
  test('30 forgot-password requests from 30 client addresses: 3 mails in the hour (the sign-up code among them), 28 withheld and audited, identical answers', async (t) => {
    const b = await build(t, { MAIL_BUDGET_PER_HOUR: '3', TRUST_PROXY_HOPS: '1' });
    const email = uniqueEmail('budget');
    await signUp(b, email);
    const confirm = await b.app.inject({
      method: 'POST',
      url: '/api/auth/confirm',
      payload: { email, confirmation_code: b.codeFor(email) },
    });
    assert.equal(confirm.statusCode, 200);
    const answers: ReturnType<typeof seen>[] = [];
    for (let i = 0; i < 30; i++) {
      // Each from another client, with the address written another way now and then.
      const asked = i % 3 === 0 ? email.toUpperCase() : email;
      answers.push(seen(await post(b, '/api/auth/forgot-password', { email: asked }, `198.51.100.${i + 1}`)));
    }
    for (const a of answers) assert.deepEqual(a, answers[0], 'spent or not, the answer is the same');
    assert.equal(answers[0]?.status, 202);
    // The confirmation code was the first of the three; two reset codes followed.
    await untilWithheld(b, email, 28);
    assert.deepEqual(kinds(b.mailTo(email)), ['confirmation-code', 'reset-code', 'reset-code']);
    const events = await withheld(b, email);
    assert.equal(events.length, 28);
    assert.deepEqual(events[0]?.detail, { kind: 'reset-code', to: email, reason: 'send budget spent' });
    assert.equal(events[0]?.actorId, null);
  });

  test('sign-up, resend and forgot-password share one budget; the withheld kinds are audited', async (t) => {
    const b = await build(t, { MAIL_BUDGET_PER_HOUR: '2' });
    const email = uniqueEmail('budget');
    await signUp(b, email);
    await post(b, '/api/auth/resend-code', { email }, '203.0.113.1');
    await post(b, '/api/auth/signup', { email, password: PASSWORD }, '203.0.113.2');
    await post(b, '/api/auth/resend-code', { email }, '203.0.113.3');
    await untilWithheld(b, email, 2);
    assert.deepEqual(kinds(b.mailTo(email)), ['confirmation-code', 'confirmation-code']);
    // The second sign-up replaces the unconfirmed registration (SECURITY 15), so it asks for a
    // confirmation code too; both it and the last resend were withheld.
    assert.deepEqual((await withheld(b, email)).map((e) => e.detail.kind).sort(), [
      'confirmation-code',
      'confirmation-code',
    ]);
    // Another address has a budget of its own.
    const other = uniqueEmail('budget');
    await signUp(b, other);
    assert.equal(b.mailTo(other).length, 1);
  });

  test('an hour after the first message the address gets mail again', async (t) => {
    const clock = { now: Date.now() };
    const b = await build(t, { MAIL_BUDGET_PER_HOUR: '1' }, () => clock.now);
    const email = uniqueEmail('budget');
    await signUp(b, email);
    await post(b, '/api/auth/resend-code', { email }, '203.0.113.1');
    await untilWithheld(b, email, 1);
    assert.equal(b.mailTo(email).length, 1);
    clock.now += 3601_000;
    await b.expectMail(email, () => post(b, '/api/auth/resend-code', { email }, '203.0.113.1'));
    assert.equal(b.mailTo(email).length, 2);
  });

  test('a spent budget never holds back a security notice', async (t) => {
    const b = await build(t, { MAIL_BUDGET_PER_HOUR: '1' });
    const u = await cookieUser(b);
    for (let i = 0; i < 5; i++)
      await post(b, '/api/auth/forgot-password', { email: u.email }, `203.0.113.${i}`);
    await untilWithheld(b, u.email, 5);
    const res = await changePassword(
      b,
      { current_password: PASSWORD, new_password: 'a brand new passphrase for this one' },
      { cookie: u.cookie, origin: 'http://localhost:3000' },
    );
    assert.equal(res.statusCode, 200, res.body);
    assert.deepEqual(kinds(b.mailTo(u.email)), ['confirmation-code', 'notice.password-changed']);
  });

  test('Cognito mode: past the budget the pool is not asked to mail a code at all', async (t) => {
    const local = await startCognitoLocal();
    t.after(() => local.close());
    const b = await build(t, { ...poolSettings(local), MAIL_BUDGET_PER_HOUR: '3' });
    const { email } = await confirmedUser(b, uniqueEmail('budget'));
    assert.equal(local.mailCount(email), 1, 'the sign-up code, which counts');
    for (let i = 0; i < 6; i++) await post(b, '/api/auth/forgot-password', { email }, `203.0.113.${i}`);
    await untilWithheld(b, email, 4);
    assert.equal(local.mailCount(email), 3, 'two reset codes, then nothing');
    assert.equal((await withheld(b, email)).length, 4);
  });
});
