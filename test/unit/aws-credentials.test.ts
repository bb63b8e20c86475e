/**
 * Identity-pool credentials through the real SDK over HTTP against the fake identity-pool API:
 * the exact requests (pool, developer provider, the user id as the login, the token traded back),
 * one stable identity per user and a different one per user, and every failure as UNAVAILABLE with
 * the reason in the log but no token or key anywhere in it.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createIdentityPoolCredentials } from '../../src/adapters/credentials/cognito/identity-pool-credentials.ts';
import { AppError } from '../../src/domain/errors.ts';
import { startFakeCognitoIdentity } from '../fakes/cognito-identity.ts';

const POOL = 'eu-west-1:11111111-2222-3333-4444-555555555555';
const PROVIDER = 'login.gatehouse';
let fake: Awaited<ReturnType<typeof startFakeCognitoIdentity>>;
before(async () => {
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';
  fake = await startFakeCognitoIdentity({
    region: 'eu-west-1',
    identityPoolId: POOL,
    developerProvider: PROVIDER,
  });
});
after(() => fake.close());

function broker(overrides: { identityPoolId?: string; endpoint?: string } = {}) {
  const lines: string[] = [];
  const b = createIdentityPoolCredentials({
    region: 'eu-west-1',
    identityPoolId: overrides.identityPoolId ?? POOL,
    developerProvider: PROVIDER,
    endpoint: overrides.endpoint ?? fake.endpoint,
    log: { warn: (obj, msg) => lines.push(JSON.stringify({ ...obj, msg })) },
  });
  return { b, lines };
}

test('the server vouches for the user id, then trades the OpenID token for credentials', async () => {
  const { b } = broker();
  fake.requests.length = 0;
  const c = await b.forUser('user-a');
  assert.match(c.accessKeyId, /^ASIA/);
  assert.ok(c.secretAccessKey && c.sessionToken);
  assert.ok(Date.parse(c.expiration) > Date.now());
  const [mint, trade] = fake.requests;
  assert.equal(mint?.operation, 'GetOpenIdTokenForDeveloperIdentity');
  assert.deepEqual(mint?.body, {
    IdentityPoolId: POOL,
    Logins: { [PROVIDER]: 'user-a' },
    TokenDuration: 900,
  });
  assert.equal(trade?.operation, 'GetCredentialsForIdentity');
  assert.equal(trade?.body.IdentityId, c.identityId);
  assert.equal(fake.requests.length, 2);
  b.close();
});

test('one stable identity per user, another for another user', async () => {
  const { b } = broker();
  const first = await b.forUser('user-b');
  const again = await b.forUser('user-b');
  const other = await b.forUser('user-c');
  assert.equal(first.identityId, again.identityId);
  assert.notEqual(first.accessKeyId, again.accessKeyId, 'fresh credentials each time');
  assert.notEqual(other.identityId, first.identityId);
  b.close();
});

const unavailable = (err: unknown) => err instanceof AppError && err.code === 'UNAVAILABLE';

test('a wrong pool, a refused trade and an unreachable endpoint are UNAVAILABLE, logged without secrets', async () => {
  const wrongPool = broker({ identityPoolId: 'eu-west-1:00000000-0000-0000-0000-000000000000' });
  await assert.rejects(wrongPool.b.forUser('user-d'), unavailable);
  assert.match(wrongPool.lines.join('\n'), /ResourceNotFoundException/);

  const refused = broker();
  fake.failNext('NotAuthorizedException');
  await assert.rejects(refused.b.forUser('user-d'), unavailable);
  const ok = await refused.b.forUser('user-d');
  assert.ok(ok.accessKeyId);
  for (const line of refused.lines) {
    assert.equal(line.includes(ok.secretAccessKey), false);
    assert.equal(line.includes('fake-openid.'), false);
  }

  const down = broker({ endpoint: 'http://127.0.0.1:9' });
  await assert.rejects(down.b.forUser('user-d'), (err: unknown) => {
    assert.ok(unavailable(err));
    assert.equal(String((err as Error).message).includes('127.0.0.1'), false, 'no endpoint in the answer');
    return true;
  });
  for (const x of [wrongPool, refused, down]) x.b.close();
});
