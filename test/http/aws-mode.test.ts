/**
 * The main journeys through the HTTP API with the server in AWS mode, against local peers started
 * by this file (DynamoDB Local, s3rver, cognito-local): Cognito is cognito-local (through the composition, exactly as a deployment selects
 * it: IDENTITY_PROVIDER=cognito and its settings), and the app-client secret comes from a Secrets
 * Manager secret (SECRETS=aws, the in-repo fake speaking its protocol).
 * Sign-up, confirmation, sign-in, TOTP enrolment with the caller's own Cognito token, the MFA
 * challenge, profile, photo, files, browser sessions and sign-out everywhere.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { compose } from '../../src/composition.ts';
import { loadConfig } from '../../src/config/config.ts';
import { ConfigError } from '../../src/config/settings.ts';
import { totpAt } from '../../src/domain/totp.ts';
import { startFakeCognitoIdentity } from '../fakes/cognito-identity.ts';
import { type AwsPeers, startAwsPeers } from '../helpers/aws-mode.ts';
import { type Built, build, TEST_DEFAULTS } from '../helpers/build.ts';
import type { CognitoLocal } from '../helpers/cognito-local.ts';
import { filePart, photo } from '../helpers/uploads.ts';
import { PASSWORD, type Tokens, uniqueEmail } from '../helpers/users.ts';

let peers: AwsPeers;
let local: CognitoLocal;
before(async () => {
  peers = await startAwsPeers('gatehouse-aws-mode');
  local = peers.cognito;
});
after(() => peers.close());

const awsSettings = () => peers.settings({ ADMIN_EMAILS: 'boss@example.test' });

const bearer = (t: Tokens) => ({ authorization: `Bearer ${t.access_token}` });

describe('AWS mode: the main journeys over HTTP', () => {
  test('sign-up, confirm, sign-in, TOTP, the MFA challenge, profile, photo, files, sign-out everywhere', async (t) => {
    const b: Built = await build(t, awsSettings());
    assert.equal(b.deps.identity.mode, 'cognito');
    assert.ok('client' in b.deps.store, 'the DynamoDB store');
    const inject = b.app.inject.bind(b.app);
    const email = uniqueEmail('aws');

    // Sign-up answers the same for a new, an unconfirmed and a taken email; codes come from the pool.
    const signup = () =>
      inject({ method: 'POST', url: '/api/auth/signup', payload: { email, password: PASSWORD } });
    const first = await signup();
    assert.equal(first.statusCode, 202, first.body);
    const again = await signup();
    assert.equal(again.statusCode, 202);
    assert.deepEqual(again.json(), first.json());
    assert.equal(local.mailCount(email), 2, 'an unconfirmed sign-up starts afresh, with a new code');
    const confirm = await inject({
      method: 'POST',
      url: '/api/auth/confirm',
      payload: { email, confirmation_code: local.codeFor(email) },
    });
    assert.equal(confirm.statusCode, 200, confirm.body);
    const taken = await signup();
    assert.deepEqual(taken.json(), first.json());
    assert.equal(local.mailCount(email), 2, 'a taken email gets no code');

    // A wrong password and an unknown user answer alike.
    const wrong = await inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email, password: `${PASSWORD}x` },
    });
    const unknown = await inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email: uniqueEmail('nobody'), password: PASSWORD },
    });
    assert.equal(wrong.statusCode, 401);
    assert.deepEqual(wrong.json(), unknown.json());

    const signin = await inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email, password: PASSWORD },
    });
    assert.equal(signin.statusCode, 200, signin.body);
    const tokens = signin.json() as Tokens;
    const me = await inject({ method: 'GET', url: '/api/users/me', headers: bearer(tokens) });
    assert.equal(me.statusCode, 200, me.body);
    assert.equal(me.json().email, email);
    assert.equal(me.json().mfa_enabled, false);

    // TOTP enrolment goes to Cognito with the caller's own access token.
    const setup = await inject({ method: 'POST', url: '/api/auth/mfa/totp/setup', headers: bearer(tokens) });
    assert.equal(setup.statusCode, 200, setup.body);
    const { secret, otpauth_uri } = setup.json() as { secret: string; otpauth_uri: string };
    assert.match(otpauth_uri, /^otpauth:\/\/totp\//);
    const verify = await inject({
      method: 'POST',
      url: '/api/auth/mfa/totp/verify',
      headers: bearer(tokens),
      payload: { code: totpAt(secret, Date.now()) },
    });
    assert.equal(verify.statusCode, 200, verify.body);

    // Sign-in now stops at the SOFTWARE_TOKEN_MFA challenge.
    const challenged = await inject({
      method: 'POST',
      url: '/api/auth/signin',
      payload: { email, password: PASSWORD },
    });
    assert.equal(challenged.statusCode, 200, challenged.body);
    const { challenge, session } = challenged.json() as { challenge: string; session: string };
    assert.equal(challenge, 'SOFTWARE_TOKEN_MFA');
    const mfa = await inject({
      method: 'POST',
      url: '/api/auth/mfa',
      // The enrolment's code is spent (Cognito takes a code once): the next step's.
      payload: { session, code: totpAt(secret, Date.now() + 30_000) },
    });
    assert.equal(mfa.statusCode, 200, mfa.body);
    const mfaTokens = mfa.json() as Tokens;
    const meAfter = await inject({ method: 'GET', url: '/api/users/me', headers: bearer(mfaTokens) });
    assert.equal(meAfter.json().mfa_enabled, true);

    // Profile and photo.
    const put = await inject({
      method: 'PUT',
      url: '/api/users/me',
      headers: bearer(mfaTokens),
      payload: { name: 'Ada Lovelace', phone_number: '+441234567890' },
    });
    assert.equal(put.statusCode, 200, put.body);
    assert.equal(put.json().user.name, 'Ada Lovelace');
    const pic = filePart(await photo('png', 320, 240), 'me.png', 'image/png');
    const photoPut = await inject({
      method: 'PUT',
      url: '/api/users/me/photo',
      headers: { ...bearer(mfaTokens), ...pic.headers },
      payload: pic.payload,
    });
    assert.equal(photoPut.statusCode, 200, photoPut.body);
    const photoUrl = (photoPut.json() as { photo_url: string }).photo_url;
    const photoGet = await inject({ method: 'GET', url: photoUrl, headers: bearer(mfaTokens) });
    assert.equal(photoGet.statusCode, 302, 'S3 serves the photo through a short-lived URL');
    const signedPhoto = new URL(String(photoGet.headers.location));
    assert.equal(signedPhoto.searchParams.get('X-Amz-Expires'), '300');
    assert.equal(photoGet.headers['cache-control'], 'private, max-age=60', 'the redirect outlives no URL');
    const photoRes = await fetch(signedPhoto);
    assert.equal(photoRes.headers.get('content-type'), 'image/webp');
    const photoBytes = Buffer.from(await photoRes.arrayBuffer());
    assert.equal(photoBytes.subarray(8, 12).toString('latin1'), 'WEBP', 'the stored rendition, re-encoded');
    const page = await inject({ method: 'GET', url: '/' });
    assert.ok(
      String(page.headers['content-security-policy']).includes(
        `img-src 'self' data: blob: ${signedPhoto.origin};`,
      ),
      'pages may show images from the bucket, and from nowhere else new',
    );

    // Files: upload, list, download, delete.
    const content = Buffer.from('numbers, figures and a little poetry\n'.repeat(100));
    const up = filePart(content, 'notes.txt', 'text/plain');
    const upload = await inject({
      method: 'POST',
      url: '/api/files',
      headers: { ...bearer(mfaTokens), ...up.headers },
      payload: up.payload,
    });
    assert.equal(upload.statusCode, 201, upload.body);
    const fileId = (upload.json() as { file: { id: string } }).file.id;
    const list = await inject({ method: 'GET', url: '/api/files', headers: bearer(mfaTokens) });
    assert.deepEqual(
      (list.json() as { files: { id: string }[] }).files.map((f) => f.id),
      [fileId],
    );
    const download = await inject({ method: 'GET', url: `/api/files/${fileId}`, headers: bearer(mfaTokens) });
    assert.equal(download.statusCode, 302, 'S3 serves the download through a short-lived URL');
    assert.match(String(download.headers.location), /X-Amz-Expires=60/);
    if (download.statusCode === 302) {
      const bytes = Buffer.from(await (await fetch(String(download.headers.location))).arrayBuffer());
      assert.deepEqual(bytes, content);
    } else {
      assert.equal(download.statusCode, 200, download.body);
      assert.deepEqual(download.rawPayload, content);
    }
    const del = await inject({ method: 'DELETE', url: `/api/files/${fileId}`, headers: bearer(mfaTokens) });
    assert.equal(del.statusCode, 204);

    // Sign-out everywhere from the API client: the pool is told, and every earlier token dies.
    const signout = await inject({ method: 'POST', url: '/api/auth/signout', headers: bearer(mfaTokens) });
    assert.equal(signout.statusCode, 200, signout.body);
    const userId = (meAfter.json() as { user_id: string }).user_id;
    assert.ok(local.globalSignOuts.includes(userId), 'Cognito was asked to sign the user out everywhere');
    for (const stale of [tokens, mfaTokens]) {
      const res = await inject({ method: 'GET', url: '/api/users/me', headers: bearer(stale) });
      assert.equal(res.statusCode, 401, 'every access token issued before the sign-out is void');
    }

    // SECURITY 36 in this mode: the whole journey logged no password, token, TOTP secret or code.
    const logs = b.logs();
    assert.ok(logs.length > 1000, 'the journey was logged');
    const code = local.codeFor(email);
    for (const [what, value] of [
      ['password', PASSWORD],
      ['access token', tokens.access_token],
      ['refresh token', tokens.refresh_token.split('~')[1] ?? tokens.refresh_token],
      ['ID token', mfaTokens.id_token],
      ['TOTP secret', secret],
      ['MFA session', session.split('~')[1] ?? session],
      ['app-client secret', local.clientSecret],
    ] as const) {
      assert.equal(logs.includes(value), false, `the log holds no ${what}`);
    }
    assert.doesNotMatch(logs, new RegExp(`\\b${code}\\b`), 'the log holds no confirmation code');
  });

  test('a browser session on a Cognito sign-in: cookie, /api/users/me, sign-out', async (t) => {
    const b = await build(t, awsSettings());
    const inject = b.app.inject.bind(b.app);
    const email = uniqueEmail('aws-cookie');
    await inject({ method: 'POST', url: '/api/auth/signup', payload: { email, password: PASSWORD } });
    await inject({
      method: 'POST',
      url: '/api/auth/confirm',
      payload: { email, confirmation_code: local.codeFor(email) },
    });
    const res = await inject({ method: 'POST', url: '/api/session', payload: { email, password: PASSWORD } });
    assert.equal(res.statusCode, 200, res.body);
    const set = res.cookies.find((c) => c.name === 'gh_session' || c.name === '__Host-gh_session');
    assert.ok(set, 'a session cookie was set');
    assert.equal(JSON.stringify(res.json()).includes('eyJ'), false, 'no token reaches the browser');
    const cookie = `${set.name}=${set.value}`;
    const me = await inject({ method: 'GET', url: '/api/users/me', headers: { cookie } });
    assert.equal(me.statusCode, 200, me.body);
    assert.equal(me.json().email, email);
    const out = await inject({
      method: 'DELETE',
      url: '/api/session',
      headers: { cookie, origin: b.deps.config.appOrigin },
    });
    assert.equal(out.statusCode, 204, out.body);
    assert.equal(
      (await inject({ method: 'GET', url: '/api/users/me', headers: { cookie } })).statusCode,
      401,
    );
  });

  test('ADMIN_EMAILS joins the admin group in the pool on confirmation', async (t) => {
    const b = await build(t, { ...awsSettings(), ADMIN_EMAILS: 'boss.aws@example.test' });
    const email = 'boss.aws@example.test';
    const inject = b.app.inject.bind(b.app);
    await inject({ method: 'POST', url: '/api/auth/signup', payload: { email, password: PASSWORD } });
    const ok = await inject({
      method: 'POST',
      url: '/api/auth/confirm',
      payload: { email, confirmation_code: local.codeFor(email) },
    });
    assert.equal(ok.statusCode, 200, ok.body);
    const tokens = (
      await inject({ method: 'POST', url: '/api/auth/signin', payload: { email, password: PASSWORD } })
    ).json() as Tokens;
    const users = await inject({ method: 'GET', url: '/api/admin/users', headers: bearer(tokens) });
    assert.equal(users.statusCode, 200, users.body);
  });
});

describe('GET /api/aws/credentials', () => {
  const POOL = 'us-east-1:0a1b2c3d-0000-4000-8000-000000000001';

  test('in Cognito mode: credentials of the caller’s own identity, for Bearer and cookie callers, never cached', async (t) => {
    const fake = await startFakeCognitoIdentity({
      region: 'us-east-1',
      identityPoolId: POOL,
      developerProvider: 'login.gatehouse',
    });
    t.after(() => fake.close());
    const b = await build(t, {
      ...awsSettings(),
      COGNITO_IDENTITY_POOL_ID: POOL,
      COGNITO_IDENTITY_ENDPOINT: fake.endpoint,
    });
    const inject = b.app.inject.bind(b.app);
    const email = uniqueEmail('aws-creds');
    await inject({ method: 'POST', url: '/api/auth/signup', payload: { email, password: PASSWORD } });
    await inject({
      method: 'POST',
      url: '/api/auth/confirm',
      payload: { email, confirmation_code: local.codeFor(email) },
    });
    const tokens = (
      await inject({ method: 'POST', url: '/api/auth/signin', payload: { email, password: PASSWORD } })
    ).json() as Tokens;

    assert.equal((await inject({ method: 'GET', url: '/api/aws/credentials' })).statusCode, 401);
    const res = await inject({ method: 'GET', url: '/api/aws/credentials', headers: bearer(tokens) });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['cache-control'], 'no-store');
    const creds = res.json() as Record<string, string>;
    assert.deepEqual(Object.keys(creds).sort(), [
      'access_key_id',
      'expiration',
      'identity_id',
      'secret_access_key',
      'session_token',
    ]);
    const me = (await inject({ method: 'GET', url: '/api/users/me', headers: bearer(tokens) })).json() as {
      user_id: string;
    };
    const minted = fake.requests.find((r) => r.operation === 'GetOpenIdTokenForDeveloperIdentity');
    assert.deepEqual(minted?.body.Logins, { 'login.gatehouse': me.user_id }, 'the identity is the caller’s');
    assert.equal(
      b.logs().includes(creds.secret_access_key ?? 'missing'),
      false,
      'credentials are not logged',
    );

    const session = await inject({
      method: 'POST',
      url: '/api/session',
      payload: { email, password: PASSWORD },
    });
    const set = session.cookies.find((c) => c.name === 'gh_session' || c.name === '__Host-gh_session');
    const viaCookie = await inject({
      method: 'GET',
      url: '/api/aws/credentials',
      headers: { cookie: `${set?.name}=${set?.value}` },
    });
    assert.equal(viaCookie.statusCode, 200, viaCookie.body);
    assert.equal(viaCookie.json().identity_id, creds.identity_id, 'the same identity for the same user');

    fake.failNext('ResourceNotFoundException');
    const broken = await inject({ method: 'GET', url: '/api/aws/credentials', headers: bearer(tokens) });
    assert.equal(broken.statusCode, 503);
    assert.equal(broken.json().error.code, 'UNAVAILABLE');
  });

  test('with the built-in identity provider: 501 NOT_AVAILABLE_IN_MODE', async (t) => {
    const b = await build(t);
    const email = uniqueEmail('builtin-creds');
    await b.app.inject({ method: 'POST', url: '/api/auth/signup', payload: { email, password: PASSWORD } });
    await b.app.inject({
      method: 'POST',
      url: '/api/auth/confirm',
      payload: { email, confirmation_code: b.codeFor(email) },
    });
    const tokens = (
      await b.app.inject({ method: 'POST', url: '/api/auth/signin', payload: { email, password: PASSWORD } })
    ).json() as Tokens;
    const res = await b.app.inject({ method: 'GET', url: '/api/aws/credentials', headers: bearer(tokens) });
    assert.equal(res.statusCode, 501);
    assert.equal(res.json().error.code, 'NOT_AVAILABLE_IN_MODE');
  });

  test('an identity pool without Cognito mode stops the start, naming the setting', async () => {
    const config = loadConfig({
      ...TEST_DEFAULTS,
      DATA_DIR: '/nonexistent/never-created',
      COGNITO_IDENTITY_POOL_ID: POOL,
    });
    await assert.rejects(
      compose(config, { info() {}, warn() {}, error() {} }, {}),
      (err: unknown) => err instanceof ConfigError && err.variable === 'COGNITO_IDENTITY_POOL_ID',
    );
  });
});
