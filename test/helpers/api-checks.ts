/**
 * Checks shared by the API-hardening security tests (api-input, api-headers, api-logs): the generic
 * error shape that carries no stack, path or internal name, and a JSON request helper; and the
 * enumeration tests' view of an answer with what differs between any two requests left out.
 */
import assert from 'node:assert/strict';
import type { LightMyRequestResponse } from 'fastify';
import type { Built } from './build.ts';

export type Method = 'GET' | 'HEAD' | 'POST' | 'PUT' | 'PATCH' | 'DELETE' | 'OPTIONS';

export const errorOf = (res: LightMyRequestResponse) =>
  (res.json() as { error: { code: string; message: string } }).error;

/** { error: { code, message } } and nothing else: no stack, no paths, no internal error names. */
export function assertGenericError(res: LightMyRequestResponse, what: string) {
  const body = res.json() as Record<string, unknown>;
  assert.deepEqual(Object.keys(body), ['error'], `${what}: ${res.body}`);
  const error = body.error as Record<string, unknown>;
  assert.deepEqual(Object.keys(error).sort(), ['code', 'message'], `${what}: ${res.body}`);
  assert.match(String(error.code), /^[A-Z][A-Z0-9_]*$/, what);
  assert.equal(typeof error.message, 'string', what);
  for (const leak of [
    /\n\s*at /,
    /\bat [^ ]+ \(/,
    /\/work\/|\/home\/|\/tmp\/|[A-Z]:\\\\/,
    /node_modules/,
    /\.(ts|js|mjs|cjs):\d+/,
    /\bFST_[A-Z_]+/,
    /\b(SyntaxError|TypeError|ReferenceError|SqliteError)\b/,
    /\bSQLITE_/,
  ]) {
    assert.doesNotMatch(res.body, leak, `${what} leaks ${leak}: ${res.body}`);
  }
}

export const json = (
  b: Built,
  method: Method,
  url: string,
  payload: unknown,
  headers: Record<string, string> = {},
) =>
  b.app.inject({
    method,
    url,
    headers: { 'content-type': 'application/json', ...headers },
    payload: JSON.stringify(payload),
  });

const VOLATILE = new Set(['date', 'x-ratelimit-remaining', 'x-ratelimit-reset', 'content-length']);
/** What an answer tells a client, less what differs between any two requests (date, rate counters). */
export const comparable = (r: LightMyRequestResponse) => ({
  status: r.statusCode,
  body: r.body,
  headers: Object.fromEntries(Object.entries(r.headers).filter(([k]) => !VOLATILE.has(k))),
  cookies: r.cookies,
});
