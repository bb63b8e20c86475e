/**
 * The requests `npm run bench:aws` measures, in the order of its table, and the user they act as:
 * signed up, confirmed (the code from cognito-local), signed in with a Bearer token and a browser
 * session, all through Gatehouse's public API as a client would. Each scenario sends one request
 * and checks its answer, so a broken route cannot pass for a cheap one.
 */
import type { CognitoLocal } from '../test/helpers/cognito-local.ts';
import { BENCH_PASSWORD } from './gatehouse-user.ts';

export interface AwsScenario {
  readonly name: string;
  /** What the targets ask of it, shown beside the measurement. */
  readonly target: string;
  /** Unmeasured set-up before each request (the calls it causes are not counted). */
  prepare?(): Promise<unknown>;
  send(prepared: unknown): Promise<void>;
  /** A pause after each request (the /ready probes are spaced like a load balancer's). */
  readonly pauseMs?: number;
}

async function call(
  [origin, appOrigin]: readonly [string, string],
  method: string,
  path: string,
  opts: { headers?: Record<string, string>; json?: unknown; form?: FormData; expect?: number } = {},
): Promise<Response> {
  const res = await fetch(`${origin}${path}`, {
    method,
    redirect: 'manual',
    headers: {
      ...(opts.json === undefined ? {} : { 'content-type': 'application/json' }),
      origin: appOrigin,
      ...opts.headers,
    },
    ...(opts.json === undefined ? {} : { body: JSON.stringify(opts.json) }),
    ...(opts.form ? { body: opts.form } : {}),
  });
  const expected = opts.expect ?? 200;
  if (res.status !== expected) {
    throw new Error(`${method} ${path} answered ${res.status}, not ${expected}: ${await res.text()}`);
  }
  return res;
}

/** Reads the answer to its end, so the request is over when the scenario's promise is. */
const drain = async (res: Response): Promise<void> => {
  await res.arrayBuffer();
};

export async function awsScenarios(
  origin: string,
  appOrigin: string,
  cognito: CognitoLocal,
): Promise<AwsScenario[]> {
  const at = [origin, appOrigin] as const;
  const email = `bench-aws-${Date.now()}@example.com`;
  const password = BENCH_PASSWORD;
  await call(at, 'POST', '/api/auth/signup', { json: { email, password, name: 'Bench' }, expect: 202 });
  await call(at, 'POST', '/api/auth/confirm', {
    json: { email, confirmation_code: cognito.codeFor(email) },
  });
  const signIn = async () => {
    const res = await fetch(`${origin}/api/auth/signin`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
    });
    if (res.status !== 200) throw new Error(`sign-in answered ${res.status}: ${await res.text()}`);
    return ((await res.json()) as { access_token: string }).access_token;
  };
  const browser = async () => {
    const res = await fetch(`${origin}/api/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: appOrigin },
      body: JSON.stringify({ email, password }),
    });
    if (res.status !== 200) throw new Error(`browser sign-in answered ${res.status}: ${await res.text()}`);
    const set = res.headers.getSetCookie().find((c) => c.includes('gh_session='));
    if (!set) throw new Error('no session cookie');
    return set.split(';')[0] as string;
  };
  const bearer = { authorization: `Bearer ${await signIn()}` };
  const cookie = { cookie: await browser() };
  const form = () => {
    const f = new FormData();
    f.append('file', new Blob(['notes on the analytical engine\n'], { type: 'text/plain' }), 'notes.txt');
    return f;
  };
  const upload = await call(at, 'POST', '/api/files', { headers: bearer, form: form(), expect: 201 });
  const uploaded = (await upload.json()) as { file: { id: string } };
  let names = 0;

  return [
    {
      name: 'GET /api/users/me, Bearer',
      target: '1 DynamoDB round trip',
      send: () => call(at, 'GET', '/api/users/me', { headers: bearer }).then(drain),
    },
    {
      name: 'GET /api/users/me, cookie',
      target: '2',
      send: () => call(at, 'GET', '/api/users/me', { headers: cookie }).then(drain),
    },
    {
      name: 'GET /api/data',
      target: '1 DynamoDB round trip',
      send: () => call(at, 'GET', '/api/data', { headers: bearer }).then(drain),
    },
    {
      name: 'GET /api/files',
      target: '1 step',
      send: () => call(at, 'GET', '/api/files', { headers: bearer }).then(drain),
    },
    {
      name: 'GET /api/files/:id',
      target: '1 step',
      send: () =>
        call(at, 'GET', `/api/files/${uploaded.file.id}`, { headers: bearer, expect: 302 }).then(
          () => undefined,
        ),
    },
    {
      name: 'POST /api/files (31 bytes)',
      target: '<= 3 calls incl. S3, audit in the same transaction',
      send: () => call(at, 'POST', '/api/files', { headers: bearer, form: form(), expect: 201 }).then(drain),
    },
    {
      name: 'GET /api/billing/subscription',
      target: '2',
      send: () => call(at, 'GET', '/api/billing/subscription', { headers: bearer }).then(drain),
    },
    {
      name: 'PUT /api/users/me',
      target: '2',
      send: () =>
        call(at, 'PUT', '/api/users/me', {
          headers: bearer,
          json: { name: `Bench ${++names}` },
        }).then(drain),
    },
    {
      name: 'POST /api/auth/signin',
      target: '<= 5, no AdminGetUser',
      send: async () => {
        await signIn();
      },
    },
    {
      name: 'POST /api/auth/signout (2 browser sessions live)',
      target: 'session deletes batched',
      prepare: async () => {
        const token = await signIn();
        await browser();
        await browser();
        return token;
      },
      send: (token) =>
        call(at, 'POST', '/api/auth/signout', {
          headers: { authorization: `Bearer ${String(token)}` },
        }).then(drain),
    },
    {
      name: 'GET /ready (a probe every 0.5 s)',
      target: 'checks cached a few seconds',
      send: () => call(at, 'GET', '/ready').then(drain),
      pauseMs: 500,
    },
  ];
}
