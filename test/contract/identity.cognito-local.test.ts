/**
 * The identity contract against the Cognito adapter on cognito-local, started in-process once for
 * this file, plus the Cognito flows the contract cannot reach on this peer (TOTP enrolment through
 * the user's access token, refresh without rotation, revocation, groups by sub).
 *
 * cognito-local cannot run every contract case; EXCLUDED names them with the reason, and each
 * excluded behaviour is covered in test/unit/identity.cognito-mock.test.ts against Cognito's real
 * error shapes. Codes are not fixed with CODE: they are random, and read from cognito-local's
 * "Confirmation Code Delivery" log lines, so a code of one user or purpose cannot pass for another's
 * by accident, and the delivery count per address is the contract's mail count.
 */
import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { decodeJwt } from 'jose';
import { createCognitoIdentity } from '../../src/adapters/identity/cognito/cognito-identity.ts';
import { totpAt } from '../../src/domain/totp.ts';
import { rejectsWith } from '../helpers/app-errors.ts';
import { startCognitoLocal } from '../helpers/cognito-local.ts';
import { identityContract } from './identity.contract.ts';

/** Contract cases cognito-local cannot run, and why. Each is covered by the mock tests instead. */
const EXCLUDED = [
  // No ResendConfirmationCode, and a code never dies after wrong guesses.
  'confirmation: wrong codes count, the fifth voids the code, a new code works once',
  // Rotation and reuse detection are Cognito's (app-client refresh-token rotation); cognito-local,
  // like Cognito without rotation, hands back no new refresh token.
  'refresh rotates; a spent refresh token kills its whole family',
  'two concurrent refreshes with one token leave no live family',
  // Needs a movable clock; cognito-local runs on real time.
  'refresh families die when idle too long, and at their absolute lifetime',
  // No AdminUserGlobalSignOut.
  'global sign-out ends every refresh token of the user',
  // The reset ends sessions through AdminUserGlobalSignOut; cognito-local also keeps one code per
  // user for both purposes and mails reset codes to unconfirmed users.
  'reset codes are bound to purpose and user, and the reset ends every session',
  // cognito-local takes the current password again; a real pool refuses it only with a password
  // history (PasswordHistoryPolicyViolationException -> PASSWORD_REUSED, in the mock tests).
  'a reset to the current password is PASSWORD_REUSED, only with the right code, which stays good',
  // Recovery codes do not exist in Cognito; the clock cannot move; cognito-local ignores the
  // challenge session and accepts a TOTP code twice.
  'TOTP: challenge, single-use codes, 5-attempt cap, one-use recovery codes, disable needs a code',
  'two concurrent answers with one TOTP code: at most one succeeds',
  // A disabled user can still sign in and refresh on cognito-local.
  'admin: disable blocks sign-in and refresh, enable restores, groups, delete',
];

const PW = 'a long and unremarkable passphrase';

const local = await startCognitoLocal();
const POOL = local.poolId;
after(() => local.close());

const makeIdentity = () =>
  createCognitoIdentity({
    region: local.region,
    userPoolId: POOL,
    clientId: local.clientId,
    clientSecret: local.clientSecret,
    endpoint: local.endpoint,
    jwksUri: local.jwksUri,
  });

const codeFor = (email: string) => local.codeFor(email);
const mailCount = (email: string) => local.mailCount(email);

identityContract(
  'cognito (cognito-local)',
  async () => {
    const identity = makeIdentity();
    return {
      identity,
      codeFor,
      mailCount,
      advance() {
        throw new Error('cognito-local runs on real time; cases that move the clock are excluded');
      },
      now: () => Date.now(),
      cleanup: () => identity.close(),
    };
  },
  { exclude: EXCLUDED },
);

describe('cognito adapter on cognito-local: flows outside the contract', () => {
  const idp = makeIdentity();
  let n = 0;
  const newEmail = () => `local.${Date.now()}.${++n}@example.test`;
  const confirmed = async () => {
    const e = newEmail();
    assert.deepEqual(await idp.signUp({ email: e, password: PW, name: 'Ada' }), { outcome: 'created' });
    const user = await idp.confirmSignUp(e, codeFor(e));
    return { e, user };
  };
  const signIn = async (e: string) => {
    const r = await idp.initiateAuth(e, PW);
    if (r.kind !== 'tokens') throw new Error('expected tokens');
    return r;
  };
  after(() => idp.close());

  test('confirmation: a wrong code is refused, the right one confirms once', async () => {
    const e = newEmail();
    await idp.signUp({ email: e, password: PW });
    const good = codeFor(e);
    await rejectsWith(idp.confirmSignUp(e, good === '000000' ? '000001' : '000000'), 'INVALID_CODE');
    const user = await idp.confirmSignUp(e, good);
    assert.equal(user.status, 'CONFIRMED');
    assert.equal(user.email, e);
    await rejectsWith(idp.confirmSignUp(e, good), 'INVALID_CODE');
    await rejectsWith(idp.confirmSignUp(newEmail(), good), 'INVALID_CODE');
  });

  test('refresh without rotation hands back the same refresh token; a revoked one is refused', async () => {
    const { e, user } = await confirmed();
    const { tokens } = await signIn(e);
    const again = await idp.refresh(tokens.refreshToken);
    assert.equal(again.refreshToken, tokens.refreshToken);
    assert.equal(decodeJwt(again.accessToken).sub, user.userId);
    assert.equal(again.tokenType, 'Bearer');
    assert.ok(again.expiresIn > 0);
    await idp.revokeRefreshToken(tokens.refreshToken);
    await rejectsWith(idp.refresh(tokens.refreshToken), 'INVALID_TOKEN');
    await idp.revokeRefreshToken(tokens.refreshToken); // revoking twice is not an error
  });

  test('groups by sub, lookup by email, delete is final and idempotent', async () => {
    const { e, user } = await confirmed();
    await idp.adminAddUserToGroup(user.userId, 'admin');
    await idp.adminAddUserToGroup(user.userId, 'user');
    assert.deepEqual((await idp.adminGetUser(user.userId))?.groups, ['admin', 'user']);
    assert.deepEqual((await signIn(e)).user.groups, ['admin', 'user']);
    await idp.adminRemoveUserFromGroup(user.userId, 'admin');
    assert.deepEqual((await idp.adminGetUserByEmail(e))?.groups, ['user']);
    assert.equal((await idp.adminGetUserByEmail(e))?.userId, user.userId);
    await idp.adminDeleteUser(user.userId);
    assert.equal(await idp.adminGetUser(user.userId), null);
    await rejectsWith(idp.initiateAuth(e, PW), 'INVALID_CREDENTIALS');
    await idp.adminDeleteUser(user.userId);
  });

  test('TOTP: enrolment with a token fetched only when needed, then the SOFTWARE_TOKEN_MFA challenge', async () => {
    const { e, user } = await confirmed();
    await rejectsWith(idp.associateSoftwareToken(user.userId), 'NOT_AVAILABLE_IN_MODE');
    await rejectsWith(idp.associateSoftwareToken(user.userId, {}), 'NOT_AVAILABLE_IN_MODE');
    const other = await confirmed();
    const othersToken = (await signIn(other.e)).tokens.accessToken;
    await rejectsWith(
      idp.associateSoftwareToken(user.userId, { accessTokenFor: async () => othersToken }),
      'INVALID_TOKEN',
    );
    // As a browser session does it: a fresh access token made from a kept refresh token, on demand.
    const { refreshToken } = (await signIn(e)).tokens;
    let asked = 0;
    const caller = {
      accessTokenFor: async () => {
        asked++;
        return (await idp.refresh(refreshToken)).accessToken;
      },
    };
    const { secret } = await idp.associateSoftwareToken(user.userId, caller);
    await rejectsWith(idp.verifySoftwareToken(user.userId, '000000', caller), 'INVALID_CODE');
    assert.deepEqual(await idp.verifySoftwareToken(user.userId, totpAt(secret, Date.now()), caller), {
      recoveryCodes: [],
    });
    assert.equal(asked, 3, 'one token per operation');
    assert.equal((await idp.adminGetUser(user.userId))?.mfaEnabled, true);
    await rejectsWith(idp.associateSoftwareToken(user.userId, caller), 'MFA_ALREADY_ENABLED');
    assert.equal(asked, 3, 'no token is made for an enrolment refused before it needs one');

    const c = await idp.initiateAuth(e, PW);
    if (c.kind !== 'challenge') throw new Error('expected a challenge');
    assert.equal(c.challenge, 'SOFTWARE_TOKEN_MFA');
    await rejectsWith(
      idp.respondToMfaChallenge(c.session, { recoveryCode: 'abcd-ef01-2345-6789' }),
      'NOT_AVAILABLE_IN_MODE',
    );
    const wrong = totpAt(secret, Date.now() + 5 * 60_000);
    await rejectsWith(idp.respondToMfaChallenge(c.session, { totp: wrong }), 'INVALID_CODE');
    // The next step's code: the enrolment's code is spent (Cognito takes a code once), and the pool
    // takes a code a step either side of its time.
    const ok = await idp.respondToMfaChallenge(c.session, { totp: totpAt(secret, Date.now() + 30_000) });
    assert.equal(ok.user.userId, user.userId);
    assert.equal(ok.user.mfaEnabled, true);
    assert.equal(decodeJwt(ok.tokens.accessToken).sub, user.userId);
    await rejectsWith(idp.respondToMfaChallenge('not-a-session', { totp: '123456' }), 'INVALID_MFA_SESSION');
    await rejectsWith(
      idp.disableSoftwareToken(user.userId, totpAt(secret, Date.now())),
      'NOT_AVAILABLE_IN_MODE',
    );
    await rejectsWith(
      idp.regenerateRecoveryCodes(user.userId, totpAt(secret, Date.now())),
      'NOT_AVAILABLE_IN_MODE',
    );
  });

  test('TOTP: the caller’s own token, passed with the call, is used first and must be the user’s', async () => {
    const { e, user } = await confirmed();
    const other = await confirmed();
    const otherToken = (await signIn(other.e)).tokens.accessToken;
    await rejectsWith(idp.associateSoftwareToken(user.userId, { accessToken: otherToken }), 'INVALID_TOKEN');
    const own = (await signIn(e)).tokens.accessToken;
    const { secret } = await idp.associateSoftwareToken(user.userId, { accessToken: own });
    const code = totpAt(secret, Date.now());
    assert.deepEqual(await idp.verifySoftwareToken(user.userId, code, { accessToken: own }), {
      recoveryCodes: [],
    });
    assert.equal((await idp.adminGetUser(user.userId))?.mfaEnabled, true);
  });

  test('ping reaches the pool; the JWKS is the pool’s, public members only', async () => {
    await idp.ping();
    const jwks = await idp.getJwks();
    assert.deepEqual(
      jwks.keys.map((k) => k.kid),
      ['CognitoLocal'],
    );
    assert.equal(idp.issuer, `https://cognito-idp.us-east-1.amazonaws.com/${POOL}`);
    assert.equal(idp.mode, 'cognito');
  });
});
