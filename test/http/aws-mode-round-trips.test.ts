/**
 * The AWS calls each request makes, in steady state (issue 19, item 1), through the composition
 * exactly as deployed (Cognito on cognito-local, the store on DynamoDB Local, blobs on s3rver): the
 * DynamoDB commands the store's client sends and the calls that reach the pool, per request. The
 * counts in time and cost are bench:aws's (bench/README.md); this holds the calls themselves, so a
 * change that adds a round trip fails here.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { type AwsPeers, startAwsPeers } from '../helpers/aws-mode.ts';
import { type Built, build } from '../helpers/build.ts';
import { filePart } from '../helpers/uploads.ts';
import { confirmedUser, PASSWORD, uniqueEmail } from '../helpers/users.ts';

let peers: AwsPeers;
before(async () => {
  peers = await startAwsPeers('gatehouse-round-trips');
});
after(() => peers.close());

/** Records the name of every command the DynamoDB client sends. */
function recorder(b: Built) {
  const sent: string[] = [];
  const client = (b.deps.store as unknown as { client: DynamoDBClient }).client;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      sent.push(String(context.commandName).replace(/Command$/, ''));
      return next(args);
    },
    { step: 'initialize', name: 'round-trip-recorder' },
  );
  /** The DynamoDB commands and the pool's operations `run` caused, each sorted. */
  return async (run: () => Promise<{ statusCode: number; body: string }>, status = 200) => {
    const fromDynamo = sent.length;
    const fromPool = peers.cognito.calls.length;
    const res = await run();
    assert.equal(res.statusCode, status, res.body);
    return {
      dynamo: sent.slice(fromDynamo).sort(),
      cognito: peers.cognito.calls.slice(fromPool).map((c) => c.operation),
    };
  };
}

test('each signed-in request reads the user once; writes carry their audit event; sign-in asks Cognito once', async (t) => {
  const b = await build(t, peers.settings());
  const calls = recorder(b);
  const inject = b.app.inject.bind(b.app);
  const { email } = await confirmedUser(b, uniqueEmail('round-trips'));
  const signIn = () =>
    inject({ method: 'POST', url: '/api/auth/signin', payload: { email, password: PASSWORD } });
  const tokens = (await signIn()).json() as { access_token: string };
  const bearer = { authorization: `Bearer ${tokens.access_token}` };
  const browser = await inject({
    method: 'POST',
    url: '/api/session',
    payload: { email, password: PASSWORD },
  });
  const set = browser.cookies.find((c) => c.name.endsWith('gh_session'));
  assert.ok(set);
  const cookie = { cookie: `${set.name}=${set.value}` };
  const get = (url: string, headers: Record<string, string>) => () => inject({ method: 'GET', url, headers });
  await get('/api/users/me', bearer)(); // the JWKS is fetched once, before the steady state

  assert.deepEqual(await calls(get('/api/users/me', bearer)), { dynamo: ['GetItem'], cognito: [] });
  assert.deepEqual(await calls(get('/api/users/me', cookie)), {
    dynamo: ['GetItem', 'GetItem'],
    cognito: [],
  });
  assert.deepEqual((await calls(get('/api/data', bearer))).dynamo, ['GetItem']);
  assert.deepEqual((await calls(get('/api/billing/subscription', bearer))).dynamo, ['GetItem']);

  const up = filePart('a few words\n', 'notes.txt', 'text/plain');
  let fileId = '';
  const upload = await calls(async () => {
    const res = await inject({
      method: 'POST',
      url: '/api/files',
      headers: { ...bearer, ...up.headers },
      payload: up.payload,
    });
    fileId = (res.json() as { file: { id: string } }).file.id;
    return res;
  }, 201);
  assert.deepEqual(
    upload.dynamo,
    ['GetItem', 'TransactWriteItems'],
    'the record and its audit event: one transaction',
  );
  assert.deepEqual((await calls(get('/api/files', bearer))).dynamo, ['GetItem', 'Query']);
  assert.deepEqual((await calls(get(`/api/files/${fileId}`, bearer), 302)).dynamo, ['GetItem', 'GetItem']);
  const put = await calls(() =>
    inject({ method: 'PUT', url: '/api/users/me', headers: bearer, payload: { name: 'Ada' } }),
  );
  assert.deepEqual(put.dynamo, ['GetItem', 'TransactWriteItems']);

  const signin = await calls(signIn);
  assert.deepEqual(signin.cognito, ['InitiateAuth'], 'no AdminGetUser');
  assert.deepEqual(signin.dynamo, ['GetItem', 'TransactWriteItems', 'UpdateItem']);

  const out = await calls(() => inject({ method: 'POST', url: '/api/auth/signout', headers: bearer }));
  assert.ok(out.dynamo.includes('BatchWriteItem'), out.dynamo.join());
  assert.equal(out.dynamo.includes('DeleteItem'), false, 'the sessions go in a batch, not one by one');
  assert.equal((await inject({ method: 'GET', url: '/api/users/me', headers: cookie })).statusCode, 401);
});

test('a disabled user whom the stand-in still hands tokens is refused, and those tokens are revoked', async (t) => {
  const b = await build(t, peers.settings({ ADMIN_EMAILS: '' }));
  const inject = b.app.inject.bind(b.app);
  const { email } = await confirmedUser(b, uniqueEmail('round-trips-off'));
  const user = await b.deps.identity.adminGetUserByEmail(email);
  assert.ok(user);
  await b.deps.identity.adminDisableUser(user.userId);
  const profile = await b.deps.store.profiles.get(user.userId);
  assert.ok(profile);
  await b.deps.store.profiles.put({ ...profile, enabled: false });
  const from = peers.cognito.calls.length;
  const res = await inject({
    method: 'POST',
    url: '/api/auth/signin',
    payload: { email, password: PASSWORD },
  });
  assert.equal(res.json().error.code, 'USER_DISABLED', res.body);
  const asked = peers.cognito.calls.slice(from).map((c) => c.operation);
  // cognito-local signs disabled users in; the stored profile says no, and Cognito's own record decides.
  assert.deepEqual(asked.slice(0, 2), ['InitiateAuth', 'AdminGetUser']);
  assert.ok(asked.includes('RevokeToken'), asked.join());
});
