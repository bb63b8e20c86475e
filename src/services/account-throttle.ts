/**
 * Per-account throttling of failed attempts (sign-in passwords, MFA codes, confirmation and reset
 * codes). Keys are the normalised email or user id, so changing the email's case or rotating
 * X-Forwarded-For does not reset them. Unknown and known accounts are counted alike, so the
 * throttle itself reveals nothing.
 */
import type { Config } from '../config/config.ts';
import { AppError } from '../domain/errors.ts';
import type { Store } from '../ports/store.ts';
import type { Deps } from './deps.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type AccountThrottleDeps = Pick<Deps, 'clock'> & {
  readonly config: Pick<Config, 'loginLockSeconds' | 'loginMaxFailures'>;
  readonly store: Pick<Store, 'throttle'>;
};

export type ThrottleKind = 'signin' | 'mfa' | 'code';

const key = (kind: ThrottleKind, id: string) => `${kind}:${id}`;

/** Refuses when the account is throttled; otherwise the failures counted so far in the window. */
export async function assertNotThrottled(
  deps: AccountThrottleDeps,
  kind: ThrottleKind,
  id: string,
): Promise<number> {
  const n = await deps.store.throttle.count(key(kind, id), Math.floor(deps.clock() / 1000));
  if (n >= deps.config.loginMaxFailures) {
    throw new AppError(
      'ACCOUNT_THROTTLED',
      'Too many failed attempts for this account. Wait a few minutes, or reset your password.',
    );
  }
  return n;
}

export async function recordFailure(
  deps: AccountThrottleDeps,
  kind: ThrottleKind,
  id: string,
): Promise<void> {
  await deps.store.throttle.hit(key(kind, id), deps.config.loginLockSeconds, Math.floor(deps.clock() / 1000));
}

/** After a success: the counter goes, when the check before the attempt found one. */
export async function clearFailures(
  deps: AccountThrottleDeps,
  kind: ThrottleKind,
  id: string,
  counted = 1,
): Promise<void> {
  if (counted > 0) await deps.store.throttle.reset(key(kind, id));
}
