/**
 * Environment secrets: set values are returned, unset and empty ones are undefined, and values
 * are read once at creation, as the secrets port promises.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createEnvSecrets } from '../../src/adapters/secrets/env/env-secrets.ts';

describe('env secrets', () => {
  test('returns a set value and undefined for an unset one', async () => {
    const secrets = createEnvSecrets({ STRIPE_SECRET_KEY: 'sk_test_123', OTHER: undefined });
    assert.equal(await secrets.get('STRIPE_SECRET_KEY'), 'sk_test_123');
    assert.equal(await secrets.get('OTHER'), undefined);
    assert.equal(await secrets.get('MISSING'), undefined);
  });

  test('an empty string counts as unset', async () => {
    const secrets = createEnvSecrets({ WEBHOOK_SECRET: '' });
    assert.equal(await secrets.get('WEBHOOK_SECRET'), undefined);
  });

  test('values are read once: later changes to the environment are not seen', async () => {
    const env: Record<string, string | undefined> = { KEY: 'first' };
    const secrets = createEnvSecrets(env);
    env.KEY = 'second';
    env.NEW = 'new';
    assert.equal(await secrets.get('KEY'), 'first');
    assert.equal(await secrets.get('NEW'), undefined);
  });

  test('names are exact: no prefix or case-insensitive match', async () => {
    const secrets = createEnvSecrets({ API_KEY: 'k' });
    assert.equal(await secrets.get('api_key'), undefined);
    assert.equal(await secrets.get('API'), undefined);
  });
});
