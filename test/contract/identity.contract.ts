/**
 * The identity port's contract: every adapter (built-in today, Cognito later) must pass it
 * unchanged. `make` supplies the adapter, a way to read the codes it mails, and a clock it can move
 * (TOTP steps are 30 s; without a movable clock a test would have to wait).
 */
import assert from 'node:assert/strict';
import { after, before, describe } from 'node:test';
import { createLocalJWKSet, decodeJwt, jwtVerify } from 'jose';
import { totpAt } from '../../src/domain/totp.ts';
import type { IdentityProvider } from '../../src/ports/identity.ts';
import { rejectsWith } from '../helpers/app-errors.ts';
import { contractCases } from '../helpers/contract-cases.ts';

export interface IdentityHarness {
  readonly identity: IdentityProvider;
  codeFor(email: string): string;
  mailCount(email: string): number;
  /** Moves the adapter's clock forward. */
  advance(ms: number): void;
  now(): number;
  cleanup(): Promise<void>;
}

const PW = 'a long and unremarkable passphrase';
let n = 0;
const email = () => `contract.${Date.now()}.${++n}@example.test`;

/**
 * `exclude`: cases a peer cannot run (its runner says why and covers them elsewhere). They are not
 * registered, so never show as skipped; a name matching no case fails, so the list cannot rot.
 */
export function identityContract(
  name: string,
  make: () => Promise<IdentityHarness>,
  options: { readonly exclude?: readonly string[] } = {},
): void {
  const { test, checkExclusions } = contractCases(options.exclude);
  describe(`identity contract: ${name}`, () => {
    let h: IdentityHarness;
    let idp: IdentityProvider;
    before(async () => {
      h = await make();
      idp = h.identity;
    });
    after(async () => h.cleanup());

    const confirmed = async (e = email(), pw = PW) => {
      assert.deepEqual(await idp.signUp({ email: e, password: pw, name: 'Ada' }), { outcome: 'created' });
      const user = await idp.confirmSignUp(e, h.codeFor(e));
      return { e, pw, user };
    };
    const tokensOf = async (e: string, pw = PW) => {
      const r = await idp.initiateAuth(e, pw);
      assert.equal(r.kind, 'tokens');
      if (r.kind !== 'tokens') throw new Error('unreachable');
      return r.tokens;
    };

    test('sign-up of a confirmed or disabled email reports exists and mails nothing', async () => {
      const { e } = await confirmed();
      const mails = h.mailCount(e);
      assert.deepEqual(await idp.signUp({ email: e, password: `${PW} other` }), { outcome: 'exists' });
      assert.equal(h.mailCount(e), mails);
      await tokensOf(e);
      const d = email();
      await idp.signUp({ email: d, password: PW });
      const held = await idp.adminGetUserByEmail(d);
      assert.ok(held);
      await idp.adminDisableUser(held.userId);
      const before = h.mailCount(d);
      assert.deepEqual(await idp.signUp({ email: d, password: `${PW} other` }), { outcome: 'exists' });
      assert.equal(h.mailCount(d), before, 'an account an admin disabled is not started afresh');
    });

    test('sign-up of an unconfirmed email replaces it: old password and codes void, the new code confirms the new password', async () => {
      const e = email();
      const other = `${PW} of the first registrant`;
      await idp.signUp({ email: e, password: other });
      const first = await idp.adminGetUserByEmail(e);
      assert.ok(first);
      const oldCode = h.codeFor(e);
      const mails = h.mailCount(e);
      const again = await idp.signUp({ email: e, password: PW });
      assert.deepEqual(again, { outcome: 'replaced', replacedUserId: first.userId });
      assert.equal(h.mailCount(e), mails + 1, 'a fresh code is mailed');
      const newCode = h.codeFor(e);
      if (newCode !== oldCode) await rejectsWith(idp.confirmSignUp(e, oldCode), 'INVALID_CODE');
      await rejectsWith(idp.initiateAuth(e, other), 'INVALID_CREDENTIALS');
      const user = await idp.confirmSignUp(e, newCode);
      assert.notEqual(user.userId, first.userId, 'a new registration, not the old one reworded');
      assert.equal(await idp.adminGetUser(first.userId), null);
      await tokensOf(e, PW);
      await rejectsWith(idp.initiateAuth(e, other), 'INVALID_CREDENTIALS');
    });

    test('confirmation: wrong codes count, the fifth voids the code, a new code works once', async () => {
      const e = email();
      await idp.signUp({ email: e, password: PW });
      const good = h.codeFor(e);
      const wrong = good === '000000' ? '000001' : '000000';
      for (let i = 0; i < 5; i++) await rejectsWith(idp.confirmSignUp(e, wrong), 'INVALID_CODE');
      await rejectsWith(idp.confirmSignUp(e, good), 'INVALID_CODE');
      await idp.resendConfirmationCode(e);
      const fresh = h.codeFor(e);
      const user = await idp.confirmSignUp(e, fresh);
      assert.equal(user.status, 'CONFIRMED');
      assert.equal(user.emailVerified, true);
      await rejectsWith(idp.confirmSignUp(e, fresh), 'INVALID_CODE');
    });

    test('sign-in: unknown user and wrong password are the same error; unconfirmed only with the right password', async () => {
      const { e } = await confirmed();
      await rejectsWith(idp.initiateAuth(email(), PW), 'INVALID_CREDENTIALS');
      await rejectsWith(idp.initiateAuth(e, `${PW}x`), 'INVALID_CREDENTIALS');
      await rejectsWith(idp.initiateAuth(e, PW.toUpperCase()), 'INVALID_CREDENTIALS');
      const u = email();
      await idp.signUp({ email: u, password: PW });
      await rejectsWith(idp.initiateAuth(u, `${PW}x`), 'INVALID_CREDENTIALS');
      await rejectsWith(idp.initiateAuth(u, PW), 'USER_NOT_CONFIRMED');
    });

    test('a sign-in names its user as the provider knows them', async () => {
      const { e, user } = await confirmed();
      await idp.adminAddUserToGroup(user.userId, 'user');
      const r = await idp.initiateAuth(e, PW);
      assert.equal(r.kind, 'tokens');
      if (r.kind !== 'tokens') throw new Error('unreachable');
      const known = await idp.adminGetUser(user.userId);
      assert.ok(known);
      const { userId, email: address, emailVerified, mfaEnabled, groups } = r.user;
      assert.deepEqual(
        { userId, email: address, emailVerified, mfaEnabled, groups: [...groups].sort() },
        {
          userId: known.userId,
          email: known.email,
          emailVerified: known.emailVerified,
          mfaEnabled: known.mfaEnabled,
          groups: [...known.groups].sort(),
        },
      );
    });

    test("tokens carry Cognito's claims and verify against the JWKS", async () => {
      const { e, user } = await confirmed();
      await idp.adminAddUserToGroup(user.userId, 'user');
      const t = await tokensOf(e);
      const keys = createLocalJWKSet(await idp.getJwks());
      const currentDate = new Date(h.now());
      const access = (await jwtVerify(t.accessToken, keys, { issuer: idp.issuer, currentDate })).payload;
      assert.equal(access.token_use, 'access');
      assert.equal(access.client_id, idp.clientId);
      assert.equal(access.sub, user.userId);
      assert.deepEqual(access['cognito:groups'], ['user']);
      assert.ok(access.jti && access.iat && access.exp);
      const id = (
        await jwtVerify(t.idToken, keys, { issuer: idp.issuer, audience: idp.clientId, currentDate })
      ).payload;
      assert.equal(id.token_use, 'id');
      assert.equal(id.email, e);
      assert.equal(t.tokenType, 'Bearer');
      assert.equal(t.expiresIn, (access.exp as number) - (access.iat as number));
    });

    test('refresh rotates; a spent refresh token kills its whole family', async () => {
      const { e } = await confirmed();
      const t1 = await tokensOf(e);
      const t2 = await idp.refresh(t1.refreshToken);
      assert.notEqual(t2.refreshToken, t1.refreshToken);
      await rejectsWith(idp.refresh(t1.refreshToken), 'INVALID_TOKEN');
      await rejectsWith(idp.refresh(t2.refreshToken), 'INVALID_TOKEN');
    });

    test('two concurrent refreshes with one token leave no live family', async () => {
      const { e } = await confirmed();
      const t = await tokensOf(e);
      const results = await Promise.allSettled([idp.refresh(t.refreshToken), idp.refresh(t.refreshToken)]);
      const won = results.filter((r) => r.status === 'fulfilled') as PromiseFulfilledResult<{
        refreshToken: string;
      }>[];
      assert.ok(won.length <= 1);
      for (const w of won) await rejectsWith(idp.refresh(w.value.refreshToken), 'INVALID_TOKEN');
    });

    test('refresh families die when idle too long, and at their absolute lifetime', async () => {
      const { e } = await confirmed();
      const t = await tokensOf(e);
      h.advance(8 * 24 * 3600 * 1000); // past the 7-day idle lifetime used by every harness
      await rejectsWith(idp.refresh(t.refreshToken), 'INVALID_TOKEN');
    });

    test('global sign-out ends every refresh token of the user', async () => {
      const { e, user } = await confirmed();
      const a = await tokensOf(e);
      const b = await tokensOf(e);
      await idp.globalSignOut(user.userId);
      await rejectsWith(idp.refresh(a.refreshToken), 'INVALID_TOKEN');
      await rejectsWith(idp.refresh(b.refreshToken), 'INVALID_TOKEN');
    });

    test('reset codes are bound to purpose and user, and the reset ends every session', async () => {
      const { e: a } = await confirmed();
      const { e: b } = await confirmed();
      const t = await tokensOf(a);
      await idp.forgotPassword(a);
      const code = h.codeFor(a);
      await rejectsWith(idp.confirmForgotPassword(b, code, `${PW} new`), 'INVALID_CODE');
      const unconfirmed = email();
      await idp.signUp({ email: unconfirmed, password: PW });
      await idp.forgotPassword(unconfirmed);
      await rejectsWith(idp.confirmSignUp(unconfirmed, code), 'INVALID_CODE');
      await idp.confirmForgotPassword(a, code, `${PW} new`);
      await rejectsWith(idp.confirmForgotPassword(a, code, `${PW} again`), 'INVALID_CODE');
      await rejectsWith(idp.refresh(t.refreshToken), 'INVALID_TOKEN');
      await rejectsWith(idp.initiateAuth(a, PW), 'INVALID_CREDENTIALS');
      await tokensOf(a, `${PW} new`);
    });

    test('a reset to the current password is PASSWORD_REUSED, only with the right code, which stays good', async () => {
      const { e } = await confirmed();
      await idp.forgotPassword(e);
      const code = h.codeFor(e);
      const wrong = code === '000000' ? '000001' : '000000';
      // Without the right code nothing is said about the password.
      await rejectsWith(idp.confirmForgotPassword(e, wrong, PW), 'INVALID_CODE');
      await rejectsWith(idp.confirmForgotPassword(e, code, PW), 'PASSWORD_REUSED');
      await idp.confirmForgotPassword(e, code, `${PW} renewed`);
      await tokensOf(e, `${PW} renewed`);
    });

    test('forgot-password for unknown or unconfirmed users mails nothing', async () => {
      const u = email();
      await idp.forgotPassword(u);
      assert.equal(h.mailCount(u), 0);
    });

    test('change password needs the current one', async () => {
      const { e, user } = await confirmed();
      await rejectsWith(idp.changePassword(user.userId, `${PW}x`, `${PW} new`), 'INVALID_CREDENTIALS');
      await idp.changePassword(user.userId, PW, `${PW} new`);
      await tokensOf(e, `${PW} new`);
    });

    test('email change: verifyPassword, then the old address signs in until the code, which works once', async () => {
      const { e, user } = await confirmed();
      await rejectsWith(idp.verifyPassword(user.userId, `${PW}x`), 'INVALID_CREDENTIALS');
      await idp.verifyPassword(user.userId, PW);
      const caller = { accessToken: (await tokensOf(e)).accessToken };
      const next = email();
      await idp.startEmailChange(user.userId, next, caller);
      const code = h.codeFor(next);
      await tokensOf(e);
      await rejectsWith(idp.initiateAuth(next, PW), 'INVALID_CREDENTIALS');
      assert.equal((await idp.adminGetUser(user.userId))?.email, e, 'nothing changed yet');
      const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
      await rejectsWith(idp.confirmEmailChange(user.userId, wrong, caller), 'INVALID_CODE');
      const out = await idp.confirmEmailChange(user.userId, code, caller);
      assert.equal(out.previousEmail, e);
      assert.equal(out.user.email, next);
      assert.equal(out.user.emailVerified, true);
      await tokensOf(next);
      await rejectsWith(idp.initiateAuth(e, PW), 'INVALID_CREDENTIALS');
      await rejectsWith(idp.confirmEmailChange(user.userId, code, caller), 'INVALID_CODE');
    });

    test('TOTP: challenge, single-use codes, 5-attempt cap, one-use recovery codes, disable needs a code', async () => {
      const { e, user } = await confirmed();
      const { secret } = await idp.associateSoftwareToken(user.userId);
      await rejectsWith(idp.verifySoftwareToken(user.userId, '000000'), 'INVALID_CODE');
      const { recoveryCodes } = await idp.verifySoftwareToken(user.userId, totpAt(secret, h.now()));
      assert.equal(recoveryCodes.length, 10);
      assert.equal((await idp.adminGetUser(user.userId))?.mfaEnabled, true);

      // The password alone gives a challenge, not tokens.
      h.advance(30_000);
      const c1 = await idp.initiateAuth(e, PW);
      assert.equal(c1.kind, 'challenge');
      if (c1.kind !== 'challenge') return;
      const code = totpAt(secret, h.now());
      const ok = await idp.respondToMfaChallenge(c1.session, { totp: code });
      assert.equal(ok.user.userId, user.userId);
      await rejectsWith(idp.respondToMfaChallenge(c1.session, { totp: code }), 'INVALID_MFA_SESSION');

      // The same code in a new attempt, inside its window, is refused.
      const c2 = await idp.initiateAuth(e, PW);
      if (c2.kind !== 'challenge') throw new Error('expected a challenge');
      await rejectsWith(idp.respondToMfaChallenge(c2.session, { totp: code }), 'CODE_ALREADY_USED');
      // Codes more than one step away are refused.
      await rejectsWith(
        idp.respondToMfaChallenge(c2.session, { totp: totpAt(secret, h.now() + 90_000) }),
        'INVALID_CODE',
      );
      await rejectsWith(
        idp.respondToMfaChallenge(c2.session, { totp: totpAt(secret, h.now() - 90_000) }),
        'INVALID_CODE',
      );
      await rejectsWith(
        idp.respondToMfaChallenge(c2.session, { totp: '123456' === code ? '654321' : '123456' }),
        'INVALID_CODE',
      );
      await rejectsWith(idp.respondToMfaChallenge(c2.session, { totp: '000000' }), 'INVALID_MFA_SESSION');
      h.advance(30_000);
      await rejectsWith(
        idp.respondToMfaChallenge(c2.session, { totp: totpAt(secret, h.now()) }),
        'INVALID_MFA_SESSION',
      );

      const rc = recoveryCodes[0] ?? '';
      const c3 = await idp.initiateAuth(e, PW);
      if (c3.kind !== 'challenge') throw new Error('expected a challenge');
      await idp.respondToMfaChallenge(c3.session, { recoveryCode: rc });
      const c4 = await idp.initiateAuth(e, PW);
      if (c4.kind !== 'challenge') throw new Error('expected a challenge');
      await rejectsWith(idp.respondToMfaChallenge(c4.session, { recoveryCode: rc }), 'RECOVERY_CODE_USED');
      await rejectsWith(
        idp.respondToMfaChallenge(c4.session, { recoveryCode: '0000-0000-0000-0000' }),
        'INVALID_CODE',
      );
      // A code that signed in cannot then turn MFA off: it is spent for every use.
      h.advance(30_000);
      const now = totpAt(secret, h.now());
      const c5 = await idp.initiateAuth(e, PW);
      if (c5.kind !== 'challenge') throw new Error('expected a challenge');
      await idp.respondToMfaChallenge(c5.session, { totp: now });
      await rejectsWith(idp.disableSoftwareToken(user.userId, now), 'CODE_ALREADY_USED');

      await rejectsWith(idp.disableSoftwareToken(user.userId, '000000'), 'INVALID_CODE');
      h.advance(30_000);
      await idp.disableSoftwareToken(user.userId, totpAt(secret, h.now()));
      assert.equal((await tokensOf(e)).tokenType, 'Bearer');
    });

    test('two concurrent answers with one TOTP code: at most one succeeds', async () => {
      const { e, user } = await confirmed();
      const { secret } = await idp.associateSoftwareToken(user.userId);
      await idp.verifySoftwareToken(user.userId, totpAt(secret, h.now()));
      h.advance(30_000);
      const [a, b] = await Promise.all([idp.initiateAuth(e, PW), idp.initiateAuth(e, PW)]);
      if (a.kind !== 'challenge' || b.kind !== 'challenge') throw new Error('expected challenges');
      const code = totpAt(secret, h.now());
      const results = await Promise.allSettled([
        idp.respondToMfaChallenge(a.session, { totp: code }),
        idp.respondToMfaChallenge(b.session, { totp: code }),
      ]);
      assert.equal(results.filter((r) => r.status === 'fulfilled').length, 1);
    });

    test('admin: disable blocks sign-in and refresh, enable restores, groups, delete', async () => {
      const { e, user } = await confirmed();
      const t = await tokensOf(e);
      await idp.adminDisableUser(user.userId);
      await rejectsWith(idp.initiateAuth(e, PW), 'USER_DISABLED');
      await rejectsWith(idp.initiateAuth(e, `${PW}x`), 'INVALID_CREDENTIALS');
      await rejectsWith(idp.refresh(t.refreshToken), 'INVALID_TOKEN');
      await idp.adminEnableUser(user.userId);
      await tokensOf(e);
      await idp.adminAddUserToGroup(user.userId, 'admin');
      assert.deepEqual((await idp.adminGetUser(user.userId))?.groups, ['admin']);
      await idp.adminRemoveUserFromGroup(user.userId, 'admin');
      assert.deepEqual((await idp.adminGetUser(user.userId))?.groups, []);
      assert.equal((await idp.adminGetUserByEmail(e))?.userId, user.userId);
      await idp.adminDeleteUser(user.userId);
      assert.equal(await idp.adminGetUser(user.userId), null);
      await rejectsWith(idp.initiateAuth(e, PW), 'INVALID_CREDENTIALS');
    });

    test('the JWKS publishes public members only', async () => {
      for (const key of (await idp.getJwks()).keys) {
        for (const member of ['d', 'p', 'q', 'dp', 'dq', 'qi']) assert.equal(member in key, false, member);
      }
    });

    test('access tokens are not ID tokens', async () => {
      const { e } = await confirmed();
      const t = await tokensOf(e);
      assert.equal(decodeJwt(t.idToken).token_use, 'id');
      assert.notEqual(t.idToken, t.accessToken);
    });

    checkExclusions();
  });
}
