/**
 * A user's whole life against the app in AWS mode, over HTTP as an API client would live it:
 * readiness, sign-up, confirmation, sign-in, profile, photo, a file round trip, account deletion.
 * Downloads follow the app's 302 to the presigned S3 URL, as a browser does.
 *
 * Not relied on, because moto differs from AWS there: confirmation codes (moto delivers none and
 * accepts any, so the account is confirmed the way an administrator can on AWS, AdminConfirmSignUp),
 * refresh (moto keys its SECRET_HASH by username), TOTP (moto's secret is fixed and any code passes),
 * the password policy (the pool's is length only, but moto reads flags the provider leaves out as
 * true: the password here passes either reading).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import {
  AdminConfirmSignUpCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  UserNotFoundException,
} from '@aws-sdk/client-cognito-identity-provider';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import { filePart, photo } from '../../helpers/uploads.ts';

export interface JourneyPeers {
  readonly origin: string;
  readonly cognito: CognitoIdentityProviderClient;
  readonly userPoolId: string;
  readonly s3: S3Client;
  readonly bucket: string;
}

export const PASSWORD = 'Lanterns drift over 7 quiet harbours!';

const json = async (r: Response) => (await r.json()) as Record<string, unknown>;

export async function journey(p: JourneyPeers): Promise<{ userId: string; email: string }> {
  const api = (path: string, init: RequestInit & { token?: string } = {}) => {
    const headers = new Headers(init.headers);
    if (init.token) headers.set('authorization', `Bearer ${init.token}`);
    if (typeof init.body === 'string') headers.set('content-type', 'application/json');
    return fetch(`${p.origin}${path}`, { ...init, headers, redirect: 'manual' });
  };
  const post = (path: string, body: object, token?: string) =>
    api(path, { method: 'POST', body: JSON.stringify(body), ...(token ? { token } : {}) });

  const ready = await api('/ready');
  // checked_at says when the (cached) checks ran: a time of this minute, not a fixed value.
  const { checked_at, ...answer } = (await json(ready)) as { checked_at?: string };
  assert.deepEqual(
    [ready.status, answer],
    [200, { status: 'ready', checks: { identity: 'ok', store: 'ok', blobs: 'ok' } }],
    'every adapter answers: Cognito, DynamoDB, S3 (HeadBucket)',
  );
  assert.ok(Math.abs(Date.parse(String(checked_at)) - Date.now()) < 60_000, `checked_at ${checked_at}`);

  const email = `moto.${Date.now()}@example.test`;
  const signup = await post('/api/auth/signup', { email, password: PASSWORD, name: 'Ada Moto' });
  assert.equal(signup.status, 202, await signup.text());
  const early = await post('/api/auth/signin', { email, password: PASSWORD });
  assert.equal(early.status, 403, 'an unconfirmed account cannot sign in');
  assert.equal(((await json(early)).error as { code: string }).code, 'USER_NOT_CONFIRMED');
  await p.cognito.send(new AdminConfirmSignUpCommand({ UserPoolId: p.userPoolId, Username: email }));

  const signin = await post('/api/auth/signin', { email, password: PASSWORD });
  assert.equal(signin.status, 200, await signin.clone().text());
  const token = String((await json(signin)).access_token);
  const me = await json(await api('/api/users/me', { token }));
  assert.equal(me.email, email);
  const userId = String(me.user_id);

  const profile = {
    name: 'Ada Lovelace',
    phone_number: '+442071234567',
    address: { city: 'London', country: 'GB' },
  };
  const put = await api('/api/users/me', { method: 'PUT', body: JSON.stringify(profile), token });
  assert.equal(put.status, 200, await put.clone().text());
  const after = await json(await api('/api/users/me', { token }));
  assert.equal(after.name, 'Ada Lovelace');
  assert.equal(after.phone_number, '+442071234567');

  const pic = filePart(await photo('png', 96, 96), 'me.png');
  const setPhoto = await api('/api/users/me/photo', {
    method: 'PUT',
    headers: pic.headers,
    body: new Uint8Array(pic.payload),
    token,
  });
  assert.equal(setPhoto.status, 200, await setPhoto.clone().text());
  const photoUrl = String((await json(setPhoto)).photo_url);
  const webp = await followToS3(api, photoUrl, token, p);
  assert.equal(webp.subarray(8, 12).toString('latin1'), 'WEBP', 'the photo comes back from S3 as WebP');

  const text = `Notes on the analytical engine ${Date.now()}\n`;
  const keep = filePart('kept until the account goes\n', 'kept.txt', 'text/plain');
  assert.equal(
    (
      await api('/api/files', {
        method: 'POST',
        headers: keep.headers,
        body: new Uint8Array(keep.payload),
        token,
      })
    ).status,
    201,
  );
  const up = filePart(text, 'notes.txt', 'text/plain');
  const created = await api('/api/files', {
    method: 'POST',
    headers: up.headers,
    body: new Uint8Array(up.payload),
    token,
  });
  assert.equal(created.status, 201, await created.clone().text());
  const file = (await json(created)).file as { id: string; sha256: string; size: number };
  assert.equal(file.sha256, createHash('sha256').update(text).digest('hex'));
  const listed = (await json(await api('/api/files', { token }))).files as { id: string }[];
  assert.deepEqual(listed.map((f) => f.id).includes(file.id), true);
  assert.equal((await followToS3(api, `/api/files/${file.id}`, token, p)).toString('utf8'), text);
  assert.equal((await api(`/api/files/${file.id}`, { method: 'DELETE', token })).status, 204);
  assert.equal((await api(`/api/files/${file.id}`, { token })).status, 404);

  const objects = async () =>
    (
      await Promise.all(
        ['files', 'photos'].map((folder) =>
          p.s3.send(new ListObjectsV2Command({ Bucket: p.bucket, Prefix: `${folder}/${userId}/` })),
        ),
      )
    ).flatMap((o) => o.Contents ?? []);
  assert.equal((await objects()).length, 1 + 3, 'the kept file and three photo sizes are in the bucket');
  const gone = await api('/api/users/me', { method: 'DELETE', token });
  assert.equal(gone.status, 200, await gone.clone().text());
  assert.equal((await objects()).length, 0, "the account's files and photos are gone from S3");
  await assert.rejects(
    p.cognito.send(new AdminGetUserCommand({ UserPoolId: p.userPoolId, Username: userId })),
    UserNotFoundException,
    'the Cognito user is gone',
  );
  assert.equal((await post('/api/auth/signin', { email, password: PASSWORD })).status === 200, false);
  return { userId, email };
}

/** GET `path` from the app, which answers 302 to a presigned S3 URL, and the bytes from there. */
async function followToS3(
  api: (path: string, init?: RequestInit & { token?: string }) => Promise<Response>,
  path: string,
  token: string,
  p: JourneyPeers,
): Promise<Buffer> {
  const redirect = await api(path, { token });
  assert.equal(redirect.status, 302, `${path}: ${await redirect.clone().text()}`);
  const location = redirect.headers.get('location') ?? '';
  assert.ok(location.includes(`/${p.bucket}/`) && location.includes('X-Amz-Signature='), location);
  const got = await fetch(location);
  assert.equal(got.status, 200, `the presigned URL works: ${await got.clone().text()}`);
  return Buffer.from(await got.arrayBuffer());
}

export const cognitoClient = (endpoint: string, region: string) =>
  new CognitoIdentityProviderClient({
    region,
    endpoint,
    credentials: { accessKeyId: 'test', secretAccessKey: 'test' },
    maxAttempts: 1,
  });
