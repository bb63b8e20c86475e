/**
 * Revocation holds across instances (issue 19, item 4): two server processes (dist/server.js, as
 * deployed) on the same AWS stand-ins (cognito-local, one DynamoDB Local table, s3rver), nothing
 * shared between them but those. A user's Bearer token and browser session are first served by
 * process B (so whatever B keeps in memory is warm); then sign-out everywhere, an admin's disable,
 * a password reset or a group removal happens on process A; B's very next request with either
 * credential is refused. Nothing in a process decides access from memory: every request reads the
 * user's record, with its revocation mark, strongly consistent.
 *
 * The disable case proves that read is fresh, not merely that something refuses: a disable also
 * deletes the sessions and stores a disabled profile, either of which would refuse B's requests even
 * if B had kept the mark from its earlier requests. So the test puts the session item back after
 * the disable and expects the mark's own answers (TOKEN_REVOKED, SESSION_EXPIRED), not the disabled
 * profile's (UNAUTHENTICATED).
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { type AwsPeers, startAwsPeers } from '../helpers/aws-mode.ts';
import { waitFor } from '../helpers/build.ts';
import { freePort } from '../helpers/kit.ts';
import { PASSWORD, uniqueEmail } from '../helpers/users.ts';
import { startServer } from './browser/browser-kit.ts';

const ADMIN = uniqueEmail('two-admin');
let peers: AwsPeers;
let a: { origin: string; stop(): Promise<void> };
let b: { origin: string; stop(): Promise<void> };
let table: { db: DynamoDBDocumentClient; name: string };

before(async () => {
  peers = await startAwsPeers('gatehouse-two-processes');
  // One table, one pool, one bucket for both; A creates the table, then B starts on it.
  const shared = peers.settings({ ADMIN_EMAILS: ADMIN, RATE_LIMIT_PER_MINUTE: '100000' });
  a = await startServer(await freePort(), shared);
  b = await startServer(await freePort(), shared);
  table = {
    db: DynamoDBDocumentClient.from(
      new DynamoDBClient({ region: shared.AWS_REGION, endpoint: shared.DYNAMODB_ENDPOINT }),
    ),
    name: String(shared.DYNAMODB_TABLE),
  };
});
after(async () => {
  table?.db.destroy();
  await b?.stop();
  await a?.stop();
  await peers?.close();
});

async function call(
  origin: string,
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; json?: unknown } = {},
): Promise<Response> {
  return fetch(`${origin}${path}`, {
    method,
    headers: {
      origin,
      ...(opts.json === undefined ? {} : { 'content-type': 'application/json' }),
      ...opts.headers,
    },
    ...(opts.json === undefined ? {} : { body: JSON.stringify(opts.json) }),
  });
}

async function ok(res: Promise<Response>, what: string): Promise<Response> {
  const r = await res;
  if (r.status >= 300) assert.fail(`${what}: ${r.status} ${await r.text()}`);
  return r;
}

/** A confirmed user with a Bearer token and a browser session, both made and used on B. */
async function userOnB(email = uniqueEmail('two')) {
  await ok(call(b.origin, 'POST', '/api/auth/signup', { json: { email, password: PASSWORD } }), 'sign-up');
  await ok(
    call(b.origin, 'POST', '/api/auth/confirm', {
      json: { email, confirmation_code: peers.cognito.codeFor(email) },
    }),
    'confirm',
  );
  const tokens = (await (
    await ok(call(b.origin, 'POST', '/api/auth/signin', { json: { email, password: PASSWORD } }), 'sign-in')
  ).json()) as { access_token: string };
  const session = await ok(
    call(b.origin, 'POST', '/api/session', { json: { email, password: PASSWORD } }),
    'browser sign-in',
  );
  const cookie = session.headers
    .getSetCookie()
    .map((c) => c.split(';')[0])
    .join('; ');
  const bearer = { authorization: `Bearer ${tokens.access_token}` };
  const me = (await (await ok(call(b.origin, 'GET', '/api/users/me', { headers: bearer }), 'me')).json()) as {
    user_id: string;
  };
  return { email, userId: me.user_id, bearer, cookie: { cookie } };
}

/** The user's browser-session items as stored (docs/dynamodb.md: gsi1 partition SESSIONS#<userId>). */
async function sessionItems(userId: string) {
  const out = await table.db.send(
    new QueryCommand({
      TableName: table.name,
      IndexName: 'gsi1',
      KeyConditionExpression: 'gsi1pk = :p',
      ExpressionAttributeValues: { ':p': `SESSIONS#${userId}` },
    }),
  );
  return out.Items ?? [];
}

/** Both of the user's credentials answer 200 on B, twice, then `action` runs on A, then B refuses both. */
async function refusedOnBAfter(user: Awaited<ReturnType<typeof userOnB>>, action: () => Promise<unknown>) {
  for (let i = 0; i < 2; i++) {
    assert.equal((await call(b.origin, 'GET', '/api/users/me', { headers: user.bearer })).status, 200);
    assert.equal((await call(b.origin, 'GET', '/api/users/me', { headers: user.cookie })).status, 200);
  }
  await action();
  const token = await call(b.origin, 'GET', '/api/users/me', { headers: user.bearer });
  assert.equal(token.status, 401, 'the Bearer token, on the other process, at its next request');
  const browser = await call(b.origin, 'GET', '/api/users/me', { headers: user.cookie });
  assert.equal(browser.status, 401, 'the browser session, on the other process, at its next request');
  return { token: (await token.json()) as { error: { code: string } }, browser };
}

describe('revocation across two server processes on the same AWS stand-ins', () => {
  let admin: Record<string, string>;
  before(async () => {
    admin = (await userOnB(ADMIN)).bearer;
  });

  test('sign-out everywhere on A: B refuses the token and the session at once', async () => {
    const u = await userOnB();
    const { token } = await refusedOnBAfter(u, () =>
      ok(call(a.origin, 'POST', '/api/auth/signout', { headers: u.bearer }), 'sign-out on A'),
    );
    assert.equal(token.error.code, 'TOKEN_REVOKED');
  });

  test('disabling on A: B refuses the token and the session at once, by the mark it reads afresh', async () => {
    const u = await userOnB();
    const sessions = await sessionItems(u.userId);
    assert.equal(sessions.length, 1, 'the browser session is stored');
    const { token, browser } = await refusedOnBAfter(u, async () => {
      await ok(
        call(a.origin, 'PATCH', `/api/admin/users/${u.userId}`, { headers: admin, json: { enabled: false } }),
        'disable on A',
      );
      assert.equal((await sessionItems(u.userId)).length, 0, 'the disable deleted the session');
      // As if the deletion had not reached it: only the user item's mark can refuse the cookie now.
      for (const Item of sessions) await table.db.send(new PutCommand({ TableName: table.name, Item }));
      assert.equal((await sessionItems(u.userId)).length, 1, 'the session item is back');
    });
    // A mark B remembered from the requests before would let both through to the disabled profile,
    // which refuses with UNAUTHENTICATED: these codes come from the mark B has just read.
    assert.equal(token.error.code, 'TOKEN_REVOKED', 'the token is refused by the revocation mark');
    const refusal = (await browser.json()) as { error: { code: string } };
    assert.equal(refusal.error.code, 'SESSION_EXPIRED', 'the session is refused by the revocation mark');
  });

  test('a password reset on A: B refuses the token and the session at once', async () => {
    const u = await userOnB();
    const mails = peers.cognito.mailCount(u.email);
    await refusedOnBAfter(u, async () => {
      await ok(call(a.origin, 'POST', '/api/auth/forgot-password', { json: { email: u.email } }), 'forgot');
      await waitFor(() => peers.cognito.mailCount(u.email) > mails, 'the reset code');
      await ok(
        call(a.origin, 'POST', '/api/auth/reset-password', {
          json: {
            email: u.email,
            confirmation_code: peers.cognito.codeFor(u.email),
            new_password: `${PASSWORD} anew`,
          },
        }),
        'reset on A',
      );
    });
  });

  test('removing a group on A: B refuses the token that carries it and the session at once', async () => {
    const u = await userOnB();
    const { token } = await refusedOnBAfter(u, () =>
      ok(
        call(a.origin, 'PATCH', `/api/admin/users/${u.userId}`, { headers: admin, json: { groups: [] } }),
        'group removal on A',
      ),
    );
    assert.equal(token.error.code, 'TOKEN_REVOKED');
  });
});
