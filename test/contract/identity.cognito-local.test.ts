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
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, test } from 'node:test';
import {
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { decodeJwt } from 'jose';
import pino from 'pino';
import { createCognitoIdentity } from '../../src/adapters/identity/cognito/cognito-identity.ts';
import { AppError } from '../../src/domain/errors.ts';
import { totpAt } from '../../src/domain/totp.ts';
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
  // Recovery codes do not exist in Cognito; the clock cannot move; cognito-local ignores the
  // challenge session and accepts a TOTP code twice.
  'TOTP: challenge, single-use codes, 5-attempt cap, one-use recovery codes, disable needs a code',
  'two concurrent answers with one TOTP code: at most one succeeds',
  // A disabled user can still sign in and refresh on cognito-local.
  'admin: disable blocks sign-in and refresh, enable restores, groups, delete',
];

const POOL = 'us-east-1_TestPool1';
const PW = 'a long and unremarkable passphrase';

const freePort = () =>
  new Promise<number>((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

// cognito-local keeps its state in ./.cognito, resolved against the working directory on every
// access, and reads PORT and HOST once when first loaded: so chdir first, for good, then load it.
const dir = mkdtempSync(join(tmpdir(), 'gh-cognito-local-'));
process.chdir(dir);
mkdirSync('.cognito/db', { recursive: true });
writeFileSync(
  `.cognito/db/${POOL}.json`,
  JSON.stringify({
    Users: {},
    Options: { Id: POOL, UsernameAttributes: ['email'], AutoVerifiedAttributes: ['email'] },
  }),
);
// Tokens then carry the real pool's issuer, so the adapter's default issuer is what is tested.
writeFileSync(
  '.cognito/config.json',
  JSON.stringify({ TokenConfig: { IssuerDomain: 'https://cognito-idp.us-east-1.amazonaws.com' } }),
);
const port = await freePort();
process.env.PORT = String(port);
process.env.HOST = '127.0.0.1';
// Admin calls are signed; cognito-local accepts any credentials.
process.env.AWS_ACCESS_KEY_ID = 'local';
process.env.AWS_SECRET_ACCESS_KEY = 'local';

const deliveries: { to: string; code: string }[] = [];
const sink = new Writable({
  write(chunk: Buffer, _enc, done) {
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.includes('Confirmation Code Delivery')) continue;
      const msg = String((JSON.parse(line) as { msg?: unknown }).msg ?? '');
      const to = /Destination:\s+(\S+)/.exec(msg)?.[1];
      const code = /Code:\s+(\d{6})/.exec(msg)?.[1];
      if (to && code) deliveries.push({ to, code });
    }
    done();
  },
});

const require = createRequire(import.meta.url);
const { createDefaultServer } = require('cognito-local') as {
  createDefaultServer(logger: unknown): Promise<{ start(): Promise<Server> }>;
};
const server = await (await createDefaultServer(pino({ level: 'info' }, sink))).start();
const endpoint = `http://127.0.0.1:${port}`;

const admin = new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint });
const appClient = await admin.send(
  new CreateUserPoolClientCommand({ UserPoolId: POOL, ClientName: 'gatehouse', GenerateSecret: true }),
);
for (const GroupName of ['admin', 'user'])
  await admin.send(new CreateGroupCommand({ UserPoolId: POOL, GroupName }));
const clientId = appClient.UserPoolClient?.ClientId ?? '';
const clientSecret = appClient.UserPoolClient?.ClientSecret ?? '';
assert.ok(clientId && clientSecret, 'cognito-local created the app client with a secret');

after(async () => {
  admin.destroy();
  await new Promise((resolve) => server.close(resolve));
  process.chdir(tmpdir());
  rmSync(dir, { recursive: true, force: true });
});

/** The test stands in for wherever the app keeps the user's own access token. */
const accessTokens = new Map<string, string>();
const makeIdentity = () =>
  createCognitoIdentity({
    region: 'us-east-1',
    userPoolId: POOL,
    clientId,
    clientSecret,
    endpoint,
    jwksUri: `${endpoint}/${POOL}/.well-known/jwks.json`,
    userAccessToken: async (userId) => accessTokens.get(userId) ?? null,
  });

const codeFor = (email: string): string => {
  const last = deliveries.filter((d) => d.to === email).at(-1);
  if (!last) throw new Error(`no code delivered to ${email}`);
  return last.code;
};
const mailCount = (email: string) => deliveries.filter((d) => d.to === email).length;

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

const rejectsWith = (p: Promise<unknown>, code: string) =>
  assert.rejects(p, (err: unknown) => err instanceof AppError && err.code === code);

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

  test('TOTP: enrolment with the user’s own access token, then the SOFTWARE_TOKEN_MFA challenge', async () => {
    const { e, user } = await confirmed();
    await rejectsWith(idp.associateSoftwareToken(user.userId), 'NOT_AVAILABLE_IN_MODE');
    const other = await confirmed();
    accessTokens.set(user.userId, (await signIn(other.e)).tokens.accessToken);
    await rejectsWith(idp.associateSoftwareToken(user.userId), 'INVALID_TOKEN');
    accessTokens.set(user.userId, (await signIn(e)).tokens.accessToken);

    const { secret } = await idp.associateSoftwareToken(user.userId);
    await rejectsWith(idp.verifySoftwareToken(user.userId, '000000'), 'INVALID_CODE');
    assert.deepEqual(await idp.verifySoftwareToken(user.userId, totpAt(secret, Date.now())), {
      recoveryCodes: [],
    });
    assert.equal((await idp.adminGetUser(user.userId))?.mfaEnabled, true);
    await rejectsWith(idp.associateSoftwareToken(user.userId), 'MFA_ALREADY_ENABLED');

    const c = await idp.initiateAuth(e, PW);
    if (c.kind !== 'challenge') throw new Error('expected a challenge');
    assert.equal(c.challenge, 'SOFTWARE_TOKEN_MFA');
    await rejectsWith(
      idp.respondToMfaChallenge(c.session, { recoveryCode: 'abcd-ef01-2345-6789' }),
      'NOT_AVAILABLE_IN_MODE',
    );
    const wrong = totpAt(secret, Date.now() + 5 * 60_000);
    await rejectsWith(idp.respondToMfaChallenge(c.session, { totp: wrong }), 'INVALID_CODE');
    const ok = await idp.respondToMfaChallenge(c.session, { totp: totpAt(secret, Date.now()) });
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
