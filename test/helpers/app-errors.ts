/**
 * Assertions on the AppErrors adapters and services throw (src/domain/errors.ts): the stable code,
 * and where a test names it, the message. Adapter and contract tests use this, never their own copy.
 */
import assert from 'node:assert/strict';
import { AppError } from '../../src/domain/errors.ts';

/** `p` rejects with an AppError of `code` (and a message matching `message`, when given). */
export const rejectsWith = (p: Promise<unknown>, code: string, message?: RegExp) =>
  assert.rejects(
    p,
    (err: unknown) => err instanceof AppError && err.code === code && (!message || message.test(err.message)),
    `expected ${code}${message ? ` with a message matching ${message}` : ''}`,
  );
