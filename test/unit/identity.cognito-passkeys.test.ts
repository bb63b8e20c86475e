/**
 * The Cognito passkey adapter's requests and Cognito's WebAuthn errors, with aws-sdk-client-mock
 * (cognito-local has no WebAuthn API): the exact StartWebAuthnRegistration,
 * CompleteWebAuthnRegistration, ListWebAuthnCredentials, DeleteWebAuthnCredential, InitiateAuth
 * USER_AUTH and RespondToAuthChallenge WEB_AUTHN requests; the answers mapped to the port; each
 * Cognito error translated at the boundary; and the ceremonies single use, short lived and bound
 * to their user, on the store's real single-use take (the SQLite store).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, beforeEach, test } from 'node:test';
import {
  CompleteWebAuthnRegistrationCommand,
  DeleteWebAuthnCredentialCommand,
  InitiateAuthCommand,
  ListWebAuthnCredentialsCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  StartWebAuthnRegistrationCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createSqliteStore } from '../../src/adapters/store/sqlite/sqlite-store.ts';
import type { AuthenticationResponseJSON, RegistrationResponseJSON } from '../../src/ports/passkeys.ts';
import { rejectsWith } from '../helpers/app-errors.ts';
import {
  authResult,
  CLIENT_ID,
  cognito,
  cognitoError,
  EMAIL,
  expectedHash,
  inputs,
  jwt,
  makeIdp,
  SUB,
  stubUser,
} from '../helpers/cognito-mock.ts';

const dir = mkdtempSync(join(tmpdir(), 'gh-cognito-passkeys-'));
let now = Date.parse('2026-03-01T10:00:00Z');
const store = createSqliteStore(join(dir, 'store.db'));
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});

const RP = { id: 'app.example.test', name: 'Gatehouse', origin: 'https://app.example.test' };
const ACCESS = jwt({ sub: SUB, token_use: 'access', iat: 1, exp: 3601 });
const caller = { accessToken: ACCESS };
const SESSION = 'AYABeC0gNitc-cognito-session';
const CRED_ID = 'q83vEjRWeJCrze8SNFZ4kA';

const passkeys = () => makeIdp({ passkeyCeremonies: store.oauthFlows, clock: () => now }).passkeys;

const creationOptions = (rpId = 'app.example.test') => ({
  challenge: 'Y2hhbGxlbmdlLWZyb20tY29nbml0bw',
  rp: { id: rpId, name: 'Gatehouse' },
  user: { id: 'dXNlcg', name: EMAIL, displayName: EMAIL },
  pubKeyCredParams: [{ type: 'public-key', alg: -7 }],
  authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
  excludeCredentials: [],
});
const registration: RegistrationResponseJSON = {
  id: CRED_ID,
  rawId: CRED_ID,
  type: 'public-key',
  response: { clientDataJSON: 'Y2Q', attestationObject: 'YW8', transports: ['internal'] },
  clientExtensionResults: {},
};
const assertion: AuthenticationResponseJSON = {
  id: CRED_ID,
  rawId: CRED_ID,
  type: 'public-key',
  response: { clientDataJSON: 'Y2Q', authenticatorData: 'YWQ', signature: 'c2ln', userHandle: 'dXNlcg' },
  clientExtensionResults: {},
};
const described = {
  CredentialId: CRED_ID,
  FriendlyCredentialName: 'iCloud Keychain',
  RelyingPartyId: 'app.example.test',
  AuthenticatorAttachment: 'platform',
  AuthenticatorTransports: ['internal', 'hybrid'],
  CreatedAt: new Date('2026-02-03T04:05:06Z'),
};
const webAuthnChallenge = (rpId = 'app.example.test') => ({
  ChallengeName: 'WEB_AUTHN' as const,
  Session: SESSION,
  ChallengeParameters: {
    USERNAME: SUB,
    CREDENTIAL_REQUEST_OPTIONS: JSON.stringify({
      challenge: 'c2lnbi1pbi1jaGFsbGVuZ2U',
      rpId,
      allowCredentials: [{ id: CRED_ID, type: 'public-key', transports: ['internal'] }],
      userVerification: 'required',
      timeout: 180000,
    }),
  },
});

beforeEach(() => {
  cognito.reset();
  now += 3_600_000; // every test's ceremonies are long dead for the next one
});

test('registration: StartWebAuthnRegistration with the access token, options passed through', async () => {
  cognito.on(StartWebAuthnRegistrationCommand).resolves({ CredentialCreationOptions: creationOptions() });
  const { options, handle } = await passkeys().registrationOptions(SUB, RP, caller);
  assert.deepEqual(inputs(cognito.commandCalls(StartWebAuthnRegistrationCommand)), [{ AccessToken: ACCESS }]);
  assert.deepEqual(options, creationOptions());
  assert.match(handle, /^[A-Za-z0-9_-]{43}$/);
});

test('registration complete: CompleteWebAuthnRegistration with the credential JSON, then the listed passkey', async () => {
  cognito.on(StartWebAuthnRegistrationCommand).resolves({ CredentialCreationOptions: creationOptions() });
  cognito.on(CompleteWebAuthnRegistrationCommand).resolves({});
  cognito.on(ListWebAuthnCredentialsCommand).resolves({ Credentials: [described] });
  const p = passkeys();
  const { handle } = await p.registrationOptions(SUB, RP, caller);
  const added = await p.register(SUB, handle, registration, 'My laptop', caller);
  assert.deepEqual(inputs(cognito.commandCalls(CompleteWebAuthnRegistrationCommand)), [
    { AccessToken: ACCESS, Credential: registration },
  ]);
  assert.deepEqual(added, {
    id: CRED_ID,
    name: 'iCloud Keychain', // Cognito's name: the one given is not kept
    createdAt: '2026-02-03T04:05:06.000Z',
    lastUsedAt: null,
    transports: ['internal', 'hybrid'],
    backedUp: false,
  });
});

test('a registration ceremony is single use, short lived and answers only for its user', async () => {
  cognito.on(StartWebAuthnRegistrationCommand).resolves({ CredentialCreationOptions: creationOptions() });
  cognito.on(CompleteWebAuthnRegistrationCommand).resolves({});
  cognito.on(ListWebAuthnCredentialsCommand).resolves({ Credentials: [described] });
  const p = passkeys();
  const first = await p.registrationOptions(SUB, RP, caller);
  const both = await Promise.allSettled([
    p.register(SUB, first.handle, registration, 'x', caller),
    p.register(SUB, first.handle, registration, 'x', caller),
  ]);
  assert.deepEqual(
    both.map((r) => r.status),
    ['fulfilled', 'rejected'],
    'two answers to one ceremony: one passes',
  );
  await rejectsWith(p.register(SUB, first.handle, registration, 'x', caller), 'PASSKEY_CHALLENGE_INVALID');

  const other = await p.registrationOptions(SUB, RP, caller);
  const stranger = '11111111-2222-4333-8444-555555555555';
  await rejectsWith(
    p.register(stranger, other.handle, registration, 'x', caller),
    'PASSKEY_CHALLENGE_INVALID',
  );

  const late = await p.registrationOptions(SUB, RP, caller);
  now += 301_000;
  await rejectsWith(p.register(SUB, late.handle, registration, 'x', caller), 'PASSKEY_CHALLENGE_INVALID');
  await rejectsWith(
    p.register(SUB, 'made-up-handle', registration, 'x', caller),
    'PASSKEY_CHALLENGE_INVALID',
  );
  assert.equal(cognito.commandCalls(CompleteWebAuthnRegistrationCommand).length, 1, 'Cognito asked once');
});

test("registration needs the user's own token: none is NOT_AVAILABLE_IN_MODE, another user's INVALID_TOKEN", async () => {
  const p = passkeys();
  await rejectsWith(p.registrationOptions(SUB, RP), 'NOT_AVAILABLE_IN_MODE');
  const theirs = { accessToken: jwt({ sub: 'someone-else', token_use: 'access' }) };
  await rejectsWith(p.registrationOptions(SUB, RP, theirs), 'INVALID_TOKEN');
  await rejectsWith(p.list(SUB, theirs), 'INVALID_TOKEN');
  assert.equal(cognito.calls().length, 0, 'nothing was sent to Cognito');
});

test("a pool whose relying party is not the page's is refused before the browser is asked", async () => {
  cognito.on(StartWebAuthnRegistrationCommand).resolves({
    CredentialCreationOptions: creationOptions('elsewhere.example'),
  });
  await rejectsWith(
    passkeys().registrationOptions(SUB, RP, caller),
    'PASSKEY_VERIFICATION_FAILED',
    /elsewhere\.example/,
  );
  // A parent domain as the pool's RP ID covers the app's host.
  cognito
    .on(StartWebAuthnRegistrationCommand)
    .resolves({ CredentialCreationOptions: creationOptions('example.test') });
  await passkeys().registrationOptions(SUB, RP, caller);
});

test('registration errors: each Cognito WebAuthn refusal has its stable code', async () => {
  const cases: [string, string][] = [
    ['WebAuthnNotEnabledException', 'NOT_AVAILABLE_IN_MODE'],
    ['WebAuthnConfigurationMissingException', 'NOT_AVAILABLE_IN_MODE'],
    ['WebAuthnChallengeNotFoundException', 'PASSKEY_CHALLENGE_INVALID'],
    ['WebAuthnOriginNotAllowedException', 'PASSKEY_VERIFICATION_FAILED'],
    ['WebAuthnRelyingPartyMismatchException', 'PASSKEY_VERIFICATION_FAILED'],
    ['WebAuthnClientMismatchException', 'PASSKEY_VERIFICATION_FAILED'],
    ['WebAuthnCredentialNotSupportedException', 'PASSKEY_VERIFICATION_FAILED'],
    ['NotAuthorizedException', 'INVALID_TOKEN'],
    ['LimitExceededException', 'CONFLICT'],
    ['TooManyRequestsException', 'UNAVAILABLE'],
  ];
  const p = passkeys();
  for (const [name, code] of cases) {
    cognito.reset();
    cognito.on(StartWebAuthnRegistrationCommand).resolves({ CredentialCreationOptions: creationOptions() });
    cognito.on(CompleteWebAuthnRegistrationCommand).rejects(cognitoError(name, 'Cognito says no'));
    const { handle } = await p.registrationOptions(SUB, RP, caller);
    await rejectsWith(p.register(SUB, handle, registration, 'x', caller), code);
  }
  cognito.reset();
  cognito.on(StartWebAuthnRegistrationCommand).rejects(cognitoError('WebAuthnNotEnabledException'));
  await rejectsWith(p.registrationOptions(SUB, RP, caller), 'NOT_AVAILABLE_IN_MODE', /not turned on/);
});

test('list: every page of ListWebAuthnCredentials, mapped, oldest first', async () => {
  const older = {
    ...described,
    CredentialId: 'b2xkZXI',
    FriendlyCredentialName: '',
    CreatedAt: new Date('2025-01-01T00:00:00Z'),
  };
  cognito
    .on(ListWebAuthnCredentialsCommand, { AccessToken: ACCESS, MaxResults: 20 })
    .resolves({ Credentials: [described], NextToken: 'page-2' })
    .on(ListWebAuthnCredentialsCommand, { AccessToken: ACCESS, MaxResults: 20, NextToken: 'page-2' })
    .resolves({ Credentials: [older] });
  const list = await passkeys().list(SUB, caller);
  assert.deepEqual(
    list.map((p) => [p.id, p.name, p.createdAt]),
    [
      ['b2xkZXI', 'Passkey', '2025-01-01T00:00:00.000Z'],
      [CRED_ID, 'iCloud Keychain', '2026-02-03T04:05:06.000Z'],
    ],
  );
  assert.equal(cognito.commandCalls(ListWebAuthnCredentialsCommand).length, 2);
});

test('remove: DeleteWebAuthnCredential with the credential id; an unknown id is NOT_FOUND, nothing deleted', async () => {
  cognito.on(ListWebAuthnCredentialsCommand).resolves({ Credentials: [described] });
  cognito.on(DeleteWebAuthnCredentialCommand).resolves({});
  const p = passkeys();
  await p.remove(SUB, CRED_ID, { caller });
  assert.deepEqual(inputs(cognito.commandCalls(DeleteWebAuthnCredentialCommand)), [
    { AccessToken: ACCESS, CredentialId: CRED_ID },
  ]);
  await rejectsWith(p.remove(SUB, 'bm90LW1pbmU', { caller }), 'NOT_FOUND');
  // keepOne (no other way in): the last passkey stays.
  await rejectsWith(p.remove(SUB, CRED_ID, { caller, keepOne: true }), 'LAST_SIGN_IN_METHOD');
  assert.equal(cognito.commandCalls(DeleteWebAuthnCredentialCommand).length, 1);
  cognito.on(DeleteWebAuthnCredentialCommand).rejects(cognitoError('ResourceNotFoundException'));
  await rejectsWith(p.remove(SUB, CRED_ID, { caller }), 'NOT_FOUND');
});

test('rename: Cognito has none, NOT_AVAILABLE_IN_MODE, and the capabilities say so', async () => {
  const p = passkeys();
  await rejectsWith(p.rename(SUB, CRED_ID, 'New name'), 'NOT_AVAILABLE_IN_MODE', /Renaming a passkey/);
  assert.deepEqual(p.capabilities, {
    rename: false,
    signInNeedsEmail: true,
    keepsGivenName: false,
    reportsLastUse: false,
  });
  assert.equal(cognito.calls().length, 0);
});

test('sign-in start: InitiateAuth USER_AUTH preferring WEB_AUTHN, with SECRET_HASH over the email', async () => {
  cognito.on(InitiateAuthCommand).resolves(webAuthnChallenge());
  const { options, handle } = await passkeys().authenticationOptions(RP, EMAIL);
  assert.deepEqual(inputs(cognito.commandCalls(InitiateAuthCommand)), [
    {
      ClientId: CLIENT_ID,
      AuthFlow: 'USER_AUTH',
      AuthParameters: { USERNAME: EMAIL, PREFERRED_CHALLENGE: 'WEB_AUTHN', SECRET_HASH: expectedHash(EMAIL) },
    },
  ]);
  assert.deepEqual(options, {
    challenge: 'c2lnbi1pbi1jaGFsbGVuZ2U',
    rpId: 'app.example.test',
    allowCredentials: [{ id: CRED_ID, type: 'public-key' }],
    userVerification: 'required',
    timeout: 300000,
  });
  assert.doesNotMatch(JSON.stringify(options), /AYAB/, 'the session string stays on the server');
  assert.match(handle, /^[A-Za-z0-9_-]{43}$/);
  await rejectsWith(passkeys().authenticationOptions(RP), 'VALIDATION_FAILED', /email address/);
});

test('sign-in answer: RespondToAuthChallenge WEB_AUTHN with CREDENTIAL, USERNAME and SECRET_HASH over the sub', async () => {
  stubUser();
  cognito.on(InitiateAuthCommand).resolves(webAuthnChallenge());
  cognito.on(RespondToAuthChallengeCommand).resolves(authResult({ RefreshToken: 'cognito-refresh' }));
  cognito.on(ListWebAuthnCredentialsCommand).resolves({ Credentials: [described] });
  const p = passkeys();
  const { handle } = await p.authenticationOptions(RP, EMAIL);
  const result = await p.authenticate(handle, assertion);
  assert.deepEqual(inputs(cognito.commandCalls(RespondToAuthChallengeCommand)), [
    {
      ClientId: CLIENT_ID,
      ChallengeName: 'WEB_AUTHN',
      Session: SESSION,
      ChallengeResponses: {
        USERNAME: SUB,
        CREDENTIAL: JSON.stringify(assertion),
        SECRET_HASH: expectedHash(SUB),
      },
    },
  ]);
  assert.equal(result.kind, 'tokens');
  if (result.kind !== 'tokens') return;
  assert.equal(result.user.userId, SUB);
  assert.equal(result.passkey.id, CRED_ID);
  assert.equal(result.tokens.refreshToken, `${Buffer.from(SUB).toString('base64url')}~cognito-refresh`);
  // Single use: the same ceremony again is refused without asking Cognito.
  await rejectsWith(p.authenticate(handle, assertion), 'PASSKEY_CHALLENGE_INVALID');
  assert.equal(cognito.commandCalls(RespondToAuthChallengeCommand).length, 1);
});

test('sign-in ceremonies: two answers at once, one passes; expired and registration handles are refused', async () => {
  stubUser();
  cognito.on(InitiateAuthCommand).resolves(webAuthnChallenge());
  cognito.on(RespondToAuthChallengeCommand).resolves(authResult({ RefreshToken: 'r' }));
  cognito.on(ListWebAuthnCredentialsCommand).resolves({ Credentials: [described] });
  cognito.on(StartWebAuthnRegistrationCommand).resolves({ CredentialCreationOptions: creationOptions() });
  const p = passkeys();
  const { handle } = await p.authenticationOptions(RP, EMAIL);
  const both = await Promise.allSettled([
    p.authenticate(handle, assertion),
    p.authenticate(handle, assertion),
  ]);
  assert.deepEqual(both.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
  const late = await p.authenticationOptions(RP, EMAIL);
  now += 301_000;
  await rejectsWith(p.authenticate(late.handle, assertion), 'PASSKEY_CHALLENGE_INVALID');
  const reg = await p.registrationOptions(SUB, RP, caller);
  await rejectsWith(p.authenticate(reg.handle, assertion), 'PASSKEY_CHALLENGE_INVALID');
  assert.equal(cognito.commandCalls(RespondToAuthChallengeCommand).length, 1);
});

test('an address without an account or a passkey gets options of the same shape that never sign in', async () => {
  cognito.on(InitiateAuthCommand).resolves(webAuthnChallenge());
  const real = (await passkeys().authenticationOptions(RP, EMAIL)).options;
  const answers: Record<string, () => void> = {
    'no account': () => cognito.on(InitiateAuthCommand).rejects(cognitoError('UserNotFoundException')),
    'masked by PreventUserExistenceErrors': () =>
      cognito
        .on(InitiateAuthCommand)
        .rejects(cognitoError('NotAuthorizedException', 'Incorrect username or password.')),
    unconfirmed: () => cognito.on(InitiateAuthCommand).rejects(cognitoError('UserNotConfirmedException')),
    'no passkey: a password challenge instead': () =>
      cognito
        .on(InitiateAuthCommand)
        .resolves({ ChallengeName: 'PASSWORD', Session: 's', ChallengeParameters: {} }),
    'no passkey: a choice instead': () =>
      cognito.on(InitiateAuthCommand).resolves({
        ChallengeName: 'SELECT_CHALLENGE',
        Session: 's',
        AvailableChallenges: ['PASSWORD'],
      }),
  };
  const shape = (o: object) =>
    JSON.stringify(o, (_k, v: unknown) => (typeof v === 'string' ? (v.length > 16 ? 'id' : v) : v));
  for (const [what, stub] of Object.entries(answers)) {
    cognito.reset();
    stub();
    const p = passkeys();
    const { options, handle } = await p.authenticationOptions(RP, 'nobody@example.test');
    assert.equal(shape(options), shape(real), what);
    await rejectsWith(p.authenticate(handle, assertion), 'INVALID_CREDENTIALS');
    assert.equal(cognito.commandCalls(RespondToAuthChallengeCommand).length, 0, what);
  }
});

test('sign-in errors: each Cognito refusal of the answer has its stable code', async () => {
  const cases: [string, string, string][] = [
    ['NotAuthorizedException', 'Incorrect username or password.', 'INVALID_CREDENTIALS'],
    [
      'NotAuthorizedException',
      'Invalid session for the user, session is expired.',
      'PASSKEY_CHALLENGE_INVALID',
    ],
    ['NotAuthorizedException', 'User is disabled.', 'USER_DISABLED'],
    ['UserNotConfirmedException', 'User is not confirmed.', 'USER_NOT_CONFIRMED'],
    ['ExpiredCodeException', 'expired', 'PASSKEY_CHALLENGE_INVALID'],
    ['WebAuthnChallengeNotFoundException', 'x', 'PASSKEY_CHALLENGE_INVALID'],
    ['WebAuthnOriginNotAllowedException', 'x', 'PASSKEY_VERIFICATION_FAILED'],
    ['WebAuthnRelyingPartyMismatchException', 'x', 'PASSKEY_VERIFICATION_FAILED'],
    ['WebAuthnClientMismatchException', 'x', 'PASSKEY_VERIFICATION_FAILED'],
    ['WebAuthnNotEnabledException', 'x', 'NOT_AVAILABLE_IN_MODE'],
    ['LimitExceededException', 'x', 'UNAVAILABLE'],
  ];
  const p = passkeys();
  for (const [name, message, code] of cases) {
    cognito.reset();
    cognito.on(InitiateAuthCommand).resolves(webAuthnChallenge());
    cognito.on(RespondToAuthChallengeCommand).rejects(cognitoError(name, message));
    const { handle } = await p.authenticationOptions(RP, EMAIL);
    await rejectsWith(p.authenticate(handle, assertion), code);
  }
  cognito.reset();
  cognito.on(InitiateAuthCommand).rejects(cognitoError('WebAuthnNotEnabledException'));
  await rejectsWith(p.authenticationOptions(RP, EMAIL), 'NOT_AVAILABLE_IN_MODE');
  cognito.on(InitiateAuthCommand).resolves(webAuthnChallenge('elsewhere.example'));
  await rejectsWith(p.authenticationOptions(RP, EMAIL), 'PASSKEY_VERIFICATION_FAILED');
});

test('a disabled user gets no session: its fresh refresh token is revoked', async () => {
  stubUser({ Enabled: false });
  cognito.on(InitiateAuthCommand).resolves(webAuthnChallenge());
  cognito.on(RespondToAuthChallengeCommand).resolves(authResult({ RefreshToken: 'fresh' }));
  cognito.on(RevokeTokenCommand).resolves({});
  const p = passkeys();
  const { handle } = await p.authenticationOptions(RP, EMAIL);
  await rejectsWith(p.authenticate(handle, assertion), 'USER_DISABLED');
  assert.deepEqual(
    inputs(cognito.commandCalls(RevokeTokenCommand)).map((i) => i.Token),
    ['fresh'],
  );
});

test('without a ceremony store the pool offers no passkeys: NOT_AVAILABLE_IN_MODE, nothing sent', async () => {
  const p = makeIdp().passkeys;
  await rejectsWith(p.authenticationOptions(RP, EMAIL), 'NOT_AVAILABLE_IN_MODE');
  await rejectsWith(p.list(SUB, caller), 'NOT_AVAILABLE_IN_MODE');
  assert.equal(cognito.calls().length, 0);
});
