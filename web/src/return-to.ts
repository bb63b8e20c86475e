/**
 * Where the sign-in page may send the browser afterwards: the server's own rule
 * (src/domain/return-to.ts, the one its redirects use), against this page's origin. One function
 * for both, so a value the server would refuse (`/.//evil.test` normalises to `//evil.test`) is
 * refused here too, instead of reaching history.replaceState, which throws on another origin.
 */
import { safeReturnPath } from '../../src/domain/return-to.ts';

/** A same-origin path to return to after sign-in, or null: never another origin or scheme. */
export const safeReturnTo = (value: string | null, origin: string = window.location.origin): string | null =>
  safeReturnPath(value, origin);
