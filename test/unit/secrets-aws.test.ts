/**
 * The Secrets Manager adapter through the real SDK over HTTP, against the fake: values are read
 * from one JSON secret, once; every way of failing stops the start with a ConfigError that names
 * the secret and the reason and carries no value.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createAwsSecrets } from '../../src/adapters/secrets/aws/aws-secrets.ts';
import { ConfigError } from '../../src/config/settings.ts';
import { startFakeSecretsManager } from '../fakes/secrets-manager.ts';

const VALUE = 'sk_test_value_that_must_never_be_printed';
const LOCAL = { accessKeyId: 'local', secretAccessKey: 'local' };
let fake: Awaited<ReturnType<typeof startFakeSecretsManager>>;
before(async () => {
  fake = await startFakeSecretsManager({
    secrets: [
      {
        name: 'gatehouse/app',
        secretString: JSON.stringify({ STRIPE_SECRET_KEY: VALUE, COGNITO_CLIENT_SECRET: 'c', EMPTY: '' }),
      },
      { name: 'gatehouse/binary', secretBinary: Buffer.from(VALUE) },
      { name: 'gatehouse/text', secretString: VALUE },
      { name: 'gatehouse/array', secretString: JSON.stringify([VALUE]) },
      { name: 'gatehouse/number', secretString: JSON.stringify({ STRIPE_SECRET_KEY: 42, OTHER: VALUE }) },
    ],
  });
});
after(() => fake.close());

const open = (secretId: string, endpoint = fake.endpoint) =>
  createAwsSecrets({ secretId, region: fake.region, endpoint, credentials: LOCAL });

test('values come from the one JSON secret, read once, by name or ARN', async () => {
  fake.requests.length = 0;
  const secrets = await open('gatehouse/app');
  assert.equal(await secrets.get('STRIPE_SECRET_KEY'), VALUE);
  assert.equal(await secrets.get('COGNITO_CLIENT_SECRET'), 'c');
  assert.equal(await secrets.get('EMPTY'), undefined, 'an empty value counts as unset');
  assert.equal(await secrets.get('MISSING'), undefined);
  assert.equal(fake.requests.length, 1, 'one GetSecretValue, at creation');
  assert.deepEqual(fake.requests[0]?.body, { SecretId: 'gatehouse/app' });
  assert.equal(fake.requests[0]?.operation, 'GetSecretValue');
  assert.match(
    String(fake.requests[0]?.headers.authorization),
    /Credential=local\//,
    'signed with the given keys',
  );

  const arn = fake.put({ name: 'gatehouse/by-arn', secretString: '{"A":"b"}' });
  assert.equal(await (await open(arn)).get('A'), 'b');
});

const failsWith = async (secretId: string, reason: RegExp, endpoint?: string) => {
  await assert.rejects(open(secretId, endpoint), (err: unknown) => {
    assert.ok(err instanceof ConfigError, `a ConfigError, got ${String(err)}`);
    assert.equal(err.variable, 'SECRETS_ID');
    assert.ok(err.message.includes(`"${secretId}"`), `names the secret: ${err.message}`);
    assert.match(err.message, reason);
    assert.equal(err.message.includes(VALUE), false, 'no secret value in the message');
    assert.equal(err.message.includes('\n'), false, 'one line');
    return true;
  });
};

test('a missing secret, refused access, binary and malformed values each stop the start, named', async () => {
  await failsWith('gatehouse/nope', /does not exist/);
  fake.failNext('AccessDeniedException');
  await failsWith('gatehouse/app', /access was denied/);
  fake.failNext('DecryptionFailure');
  await failsWith('gatehouse/app', /KMS key/);
  fake.failNext('UnrecognizedClientException');
  await failsWith('gatehouse/app', /credentials were refused/);
  await failsWith('gatehouse/binary', /binary/);
  await failsWith('gatehouse/text', /not JSON/);
  await failsWith('gatehouse/array', /not a JSON object/);
  await failsWith('gatehouse/number', /"STRIPE_SECRET_KEY" is not a string/);
});

test('an unreachable endpoint stops the start with the reason, not a stack trace', async () => {
  await failsWith('gatehouse/app', /could not be reached \(ECONNREFUSED\)/, 'http://127.0.0.1:9');
});
