/**
 * Account pre-registration takeover (issue 16, item 1; SECURITY 9 and 15): an attacker signs up the
 * victim's address with a password of their own and leaves it unconfirmed. When the victim signs
 * up, their sign-up must take the registration over: the attacker's password and every code sent
 * for it are void, the victim gets a fresh code, and confirming activates only the victim's
 * password. The answers stay those of any sign-up. Runs with both identity providers.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { comparable } from '../helpers/api-checks.ts';
import { type Built, build } from '../helpers/build.ts';
import { uniqueEmail } from '../helpers/users.ts';

const ATTACKER = 'the attacker chose this passphrase';
const VICTIM = 'the owner of the mailbox chose this one';

const post = (b: Built, url: string, payload: object) => b.app.inject({ method: 'POST', url, payload });
const signUp = (b: Built, email: string, password: string) =>
  post(b, '/api/auth/signup', { email, password });
const confirm = (b: Built, email: string, code: string) =>
  post(b, '/api/auth/confirm', { email, confirmation_code: code });
const signIn = (b: Built, email: string, password: string) =>
  post(b, '/api/auth/signin', { email, password });

test('SECURITY 15: a pre-registered address is taken over by its owner’s sign-up, never by the attacker’s password', async (t) => {
  const b = await build(t);
  const victim = uniqueEmail('victim');

  // The attacker pre-registers the address; the welcome mail with its code lands in the victim's box.
  assert.equal((await signUp(b, victim, ATTACKER)).statusCode, 202);
  const attackersCode = b.codeFor(victim);
  const attackersUser = await b.deps.identity.adminGetUserByEmail(victim);
  assert.equal(attackersUser?.status, 'UNCONFIRMED');

  // The victim signs up: the answer is any sign-up's, and a fresh code of their own arrives.
  const owners = await signUp(b, victim, VICTIM);
  const someoneElse = await signUp(b, uniqueEmail('fresh'), VICTIM);
  assert.deepEqual(comparable(owners), comparable(someoneElse));
  const ownersCode = b.codeFor(victim);
  assert.notEqual(ownersCode, attackersCode, 'a new code was mailed for the new sign-up');

  // The code of the earlier mail confirms nothing, and the attacker's password opens nothing.
  const stale = await confirm(b, victim, attackersCode);
  assert.equal(stale.statusCode, 400);
  assert.equal(stale.json().error.code, 'INVALID_CODE');
  assert.equal((await signIn(b, victim, ATTACKER)).json().error.code, 'INVALID_CREDENTIALS');

  // The owner's code confirms the owner's password, and only it.
  assert.equal((await confirm(b, victim, ownersCode)).statusCode, 200);
  const attacker = await signIn(b, victim, ATTACKER);
  assert.equal(attacker.statusCode, 401);
  assert.equal(attacker.json().error.code, 'INVALID_CREDENTIALS');
  const owner = await signIn(b, victim, VICTIM);
  assert.equal(owner.statusCode, 200, owner.body);

  // An admin can see that a registration gave way to another.
  const voided = await b.deps.store.audit.list({ type: 'auth.signup.voided', limit: 10 });
  assert.deepEqual(
    voided.items.map((e) => e.subjectId),
    [attackersUser.userId],
  );
});

test('SECURITY 15: a code confirms only the sign-up it was sent for, whoever signed up last', async (t) => {
  const b = await build(t);
  const victim = uniqueEmail('victim');
  const codes: string[] = [];
  // Three registrations in a row (attacker, owner, attacker again): each voids the one before.
  for (const password of [ATTACKER, VICTIM, `${ATTACKER} again`]) {
    assert.equal((await signUp(b, victim, password)).statusCode, 202);
    codes.push(b.codeFor(victim));
  }
  for (const code of codes.slice(0, 2)) {
    if (code === codes[2]) continue; // one chance in a million: the same six digits
    assert.equal((await confirm(b, victim, code)).json().error?.code, 'INVALID_CODE', `code ${code}`);
  }
  assert.equal((await confirm(b, victim, codes[2] ?? '')).statusCode, 200);
  // Only the password of the sign-up whose code was used is active.
  assert.equal((await signIn(b, victim, VICTIM)).statusCode, 401);
  assert.equal((await signIn(b, victim, ATTACKER)).statusCode, 401);
  assert.equal((await signIn(b, victim, `${ATTACKER} again`)).statusCode, 200);
  // A confirmed account is never replaced: signing up again changes nothing.
  assert.equal((await signUp(b, victim, VICTIM)).statusCode, 202);
  assert.equal((await signIn(b, victim, VICTIM)).statusCode, 401);
  assert.equal((await signIn(b, victim, `${ATTACKER} again`)).statusCode, 200);
});
