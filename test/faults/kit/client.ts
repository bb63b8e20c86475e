/**
 * A client of a running Gatehouse for the fault suite, as an app would use it: JSON calls with a
 * Bearer token, multipart uploads, and the retry a well-behaved client does on 503 (it honours
 * Retry-After, scaled down so a test does not sit out the full seconds). Every answer is counted
 * by status and error code, so a scenario can assert that nothing answered 500.
 */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';

export interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Headers;
  readonly ms: number;
}

/** Counts of answers, keyed "503 UNAVAILABLE", "201", ... (status, then the error code if any). */
export class Tally {
  readonly counts = new Map<string, number>();
  readonly latencies: number[] = [];
  add(a: Answer): void {
    const code = (a.body as { error?: { code?: string } } | null)?.error?.code;
    const key = code ? `${a.status} ${code}` : String(a.status);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    this.latencies.push(a.ms);
  }
  /** Answers with a status of 500 or more, other than the 503s (and 507s) the contract allows. */
  serverErrors(allowed: readonly number[] = [503]): [string, number][] {
    return [...this.counts].filter(
      ([k]) => Number(k.slice(0, 3)) >= 500 && !allowed.includes(Number(k.slice(0, 3))),
    );
  }
  total(): number {
    return [...this.counts.values()].reduce((a, b) => a + b, 0);
  }
  p99(): number {
    const s = [...this.latencies].sort((a, b) => a - b);
    return s[Math.min(s.length - 1, Math.floor(s.length * 0.99))] ?? 0;
  }
  summary(): string {
    return [...this.counts]
      .sort()
      .map(([k, n]) => `${k}: ${n}`)
      .join(', ');
  }
}

export interface CallOptions {
  readonly token?: string;
  readonly json?: unknown;
  readonly form?: FormData;
  readonly timeoutMs?: number;
}

export async function call(
  origin: string,
  method: string,
  path: string,
  opts: CallOptions = {},
): Promise<Answer> {
  const started = performance.now();
  const headers: Record<string, string> = {};
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  let body: string | FormData | undefined;
  if (opts.json !== undefined) {
    headers['content-type'] = 'application/json';
    body = JSON.stringify(opts.json);
  } else if (opts.form) body = opts.form;
  const timeoutMs = opts.timeoutMs ?? 60_000;
  const res = await fetch(`${origin}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body }),
    redirect: 'manual',
    signal: AbortSignal.timeout(timeoutMs),
  }).catch((err: unknown) => {
    // Which call it was: a bare TimeoutError does not say.
    throw new Error(
      `${method} ${path}: no answer (${(err as Error).name}) after ${Math.round(performance.now() - started)} ms (limit ${timeoutMs} ms)`,
      { cause: err },
    );
  });
  const text = Buffer.from(await res.arrayBuffer());
  let parsed: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('application/json'))
    parsed = JSON.parse(text.toString('utf8'));
  return { status: res.status, body: parsed, headers: res.headers, ms: performance.now() - started };
}

/**
 * One call, retried on 503 as a client honouring Retry-After would (the header must be there);
 * `done` says which answers end the retries (by default anything but 503).
 */
export async function callRetrying(
  tally: Tally,
  origin: string,
  method: string,
  path: string,
  opts: CallOptions & { attempts?: number; ok?: (a: Answer) => boolean } = {},
): Promise<Answer & { retried: boolean }> {
  const attempts = opts.attempts ?? 12;
  let retried = false;
  for (let i = 1; ; i++) {
    const a = await call(origin, method, path, opts);
    tally.add(a);
    if (a.status !== 503 || i >= attempts) return { ...a, retried };
    const after = Number(a.headers.get('retry-after'));
    assert.ok(after > 0, `${method} ${path}: a 503 without Retry-After`);
    retried = true;
    // Scaled down: a test waits a tenth of what the server asks for.
    await new Promise((r) => setTimeout(r, after * 100 * (0.5 + Math.random())));
  }
}

export interface User {
  readonly email: string;
  readonly password: string;
  token: string;
  refresh: string;
  readonly userId: string;
}

export const PASSWORD = 'fault tolerant lanterns drift over quiet harbours';

/** Signs up, confirms with the code `readCode` finds (asking for a new one if none came) and signs in. */
export async function createUser(
  tally: Tally,
  origin: string,
  readCode: (email: string) => Promise<string | null>,
  email = `fault-${randomBytes(6).toString('hex')}@example.com`,
): Promise<User> {
  const up = await callRetrying(tally, origin, 'POST', '/api/auth/signup', {
    json: { email, password: PASSWORD },
  });
  assert.equal(up.status, 202, `sign-up: ${JSON.stringify(up.body)}`);
  let code: string | null = null;
  for (let round = 0; round < 5 && code === null; round++) {
    code = await readCode(email);
    if (code === null) {
      await callRetrying(tally, origin, 'POST', '/api/auth/resend-code', { json: { email } });
      await new Promise((r) => setTimeout(r, 300));
    }
  }
  assert.ok(code, `no confirmation code reached ${email}`);
  // A resend held up by injected hangs can land after the code above was read and replace it, as a
  // second mail would for a person: then the newest code is the one to use.
  let confirmed = await confirmWith(tally, origin, email, code);
  // A 503 (the server's deadline passed while the identity provider worked) may hide a confirmation
  // that was applied: the retry then finds the code used up, INVALID_CODE, as a person retrying
  // would. Signing in tells which; it is tried only then, so a code refused outright still fails.
  let answerLost = confirmed.retried;
  for (let round = 0; round < 5 && confirmed.status === 400; round++) {
    await new Promise((r) => setTimeout(r, 1000));
    const newest = await readCode(email);
    if (newest === null || newest === code) continue;
    code = newest;
    confirmed = await confirmWith(tally, origin, email, code);
    answerLost ||= confirmed.retried;
  }
  if (confirmed.status !== 200 && answerLost) {
    const probe = await callRetrying(tally, origin, 'POST', '/api/auth/signin', {
      json: { email, password: PASSWORD },
    });
    if (probe.status === 200) confirmed = { ...confirmed, status: 200 };
  }
  assert.equal(
    confirmed.status,
    200,
    `confirm (${answerLost ? 'after a 503' : 'no 503 before'}): ${JSON.stringify(confirmed.body)}`,
  );
  const tokens = await signIn(tally, origin, email);
  const me = await callRetrying(tally, origin, 'GET', '/api/users/me', { token: tokens.access_token });
  assert.equal(me.status, 200, `users/me: ${JSON.stringify(me.body)}`);
  return {
    email,
    password: PASSWORD,
    token: tokens.access_token,
    refresh: tokens.refresh_token,
    userId: (me.body as { user_id: string }).user_id,
  };
}

const confirmWith = (tally: Tally, origin: string, email: string, code: string) =>
  callRetrying(tally, origin, 'POST', '/api/auth/confirm', { json: { email, confirmation_code: code } });

export async function signIn(tally: Tally, origin: string, email: string) {
  const res = await callRetrying(tally, origin, 'POST', '/api/auth/signin', {
    json: { email, password: PASSWORD },
  });
  assert.equal(res.status, 200, `sign-in: ${JSON.stringify(res.body)}`);
  return res.body as { access_token: string; refresh_token: string };
}

/** The code of the newest message to `email` in the dev outbox, or null. */
export async function outboxCode(origin: string, email: string): Promise<string | null> {
  const a = await call(origin, 'GET', `/api/dev/mail?to=${encodeURIComponent(email)}`);
  if (a.status !== 200) return null;
  for (const m of (a.body as { messages?: { text?: string }[] }).messages ?? []) {
    const code = /code is (\d{6})/.exec(m.text ?? '')?.[1];
    if (code) return code;
  }
  return null;
}

export const sha256 = (b: Buffer) => createHash('sha256').update(b).digest('hex');

export function uploadForm(bytes: Buffer, name = 'fault.bin'): FormData {
  const form = new FormData();
  form.append('file', new Blob([new Uint8Array(bytes)]), name);
  return form;
}

/** GET /api/files/:id, following a redirect to a short-lived URL (S3) as a browser would. */
export async function downloadFile(tally: Tally, origin: string, user: User, id: string): Promise<Answer> {
  const first = await callRetrying(tally, origin, 'GET', `/api/files/${id}`, { token: user.token });
  if (first.status !== 302) return first;
  const location = first.headers.get('location') ?? '';
  for (let i = 0; ; i++) {
    const started = performance.now();
    const res = await fetch(location, { signal: AbortSignal.timeout(60_000) });
    const body = Buffer.from(await res.arrayBuffer());
    if (res.status < 500 || i >= 10)
      return { status: res.status, body, headers: res.headers, ms: performance.now() - started };
    await new Promise((r) => setTimeout(r, 100));
  }
}
