/**
 * Whether the Cognito adapter offers passkeys: only when DescribeUserPool says the pool allows
 * WEB_AUTHN as a first factor; the answer kept five minutes, a failed check answered false and
 * retried after thirty seconds; concurrent askers share one call. With aws-sdk-client-mock:
 * cognito-local's DescribeUserPool has no sign-in policy.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, beforeEach, test } from 'node:test';
import { DescribeUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createSqliteStore } from '../../src/adapters/store/sqlite/sqlite-store.ts';
import { cognito, cognitoError, makeIdp } from '../helpers/cognito-mock.ts';

const dir = mkdtempSync(join(tmpdir(), 'gh-cognito-offered-'));
const store = createSqliteStore(join(dir, 'store.db'));
after(async () => {
  await store.close();
  rmSync(dir, { recursive: true, force: true });
});
let now = Date.parse('2026-03-01T10:00:00Z');
const offered = () => makeIdp({ passkeyCeremonies: store.oauthFlows, clock: () => now }).passkeys.offered;
const pool = (factors?: string[]) => ({
  UserPool: {
    Id: 'pool',
    ...(factors ? { Policies: { SignInPolicy: { AllowedFirstAuthFactors: factors } } } : {}),
  },
});
const describes = () => cognito.commandCalls(DescribeUserPoolCommand).length;

beforeEach(() => cognito.reset());

test('a pool that allows WEB_AUTHN as a first factor offers passkeys; the answer is kept five minutes', async () => {
  cognito.on(DescribeUserPoolCommand).resolves(pool(['PASSWORD', 'WEB_AUTHN']) as never);
  const ask = offered();
  assert.deepEqual(await Promise.all([ask(), ask(), ask()]), [true, true, true]);
  assert.equal(describes(), 1, 'concurrent askers share one call');
  now += 4 * 60_000;
  assert.equal(await ask(), true);
  assert.equal(describes(), 1);
  now += 2 * 60_000;
  await ask();
  assert.equal(describes(), 2, 'asked again after five minutes');
});

test('a pool without WEB_AUTHN, or without a sign-in policy (cognito-local), offers none', async () => {
  cognito.on(DescribeUserPoolCommand).resolves(pool(['PASSWORD']) as never);
  assert.equal(await offered()(), false);
  cognito.reset();
  cognito.on(DescribeUserPoolCommand).resolves(pool() as never);
  assert.equal(await offered()(), false);
});

test('a failed check offers none and is retried after thirty seconds', async () => {
  cognito.on(DescribeUserPoolCommand).rejects(cognitoError('InternalErrorException'));
  const ask = offered();
  assert.equal(await ask(), false);
  now += 10_000;
  assert.equal(await ask(), false);
  assert.equal(describes(), 1);
  cognito.reset();
  cognito.on(DescribeUserPoolCommand).resolves(pool(['WEB_AUTHN', 'PASSWORD']) as never);
  now += 25_000;
  assert.equal(await ask(), true);
});
