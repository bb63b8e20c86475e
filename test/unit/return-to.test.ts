/**
 * The return_to table (test/helpers/return-to-cases.ts) against the server's check, as its routes
 * call it (services/social-signin.ts checkedReturnTo), and the web app's (web/src/return-to.ts), so
 * the browser can never accept a value the server refuses, or the other way round.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { AppError } from '../../src/domain/errors.ts';
import type { Deps } from '../../src/services/deps.ts';
import { checkedReturnTo } from '../../src/services/social-signin.ts';
import { safeReturnTo } from '../../web/src/return-to.ts';
import { RETURN_TO_CASES } from '../helpers/return-to-cases.ts';

const ORIGIN = 'http://localhost:3000';
const deps = { config: { appOrigin: ORIGIN } } as unknown as Deps;

/** The server: the path it redirects to, or null when it answers INVALID_RETURN_TO. */
const server = (value: string): string | null => {
  try {
    return checkedReturnTo(deps, value, '/fallback');
  } catch (err) {
    if (err instanceof AppError && err.code === 'INVALID_RETURN_TO') return null;
    throw err;
  }
};

test('SECURITY 31: the server and the web app make the same of every return_to in the table', () => {
  for (const [value, expected] of RETURN_TO_CASES) {
    assert.equal(server(value), expected, `server: ${JSON.stringify(value)}`);
    assert.equal(safeReturnTo(value, ORIGIN), expected, `web app: ${JSON.stringify(value)}`);
  }
  assert.equal(safeReturnTo(null, ORIGIN), null);
});
