/**
 * The store's throttle counters (per-account sign-in failures, mail send budgets): fixed windows
 * keyed by a string. `hit` is an atomic increment: N concurrent hits count N.
 */

export interface ThrottleStore {
  /** Adds one to the counter for key (starting a window of windowSeconds if none) and returns it. */
  hit(key: string, windowSeconds: number, now: number): Promise<number>;
  count(key: string, now: number): Promise<number>;
  reset(key: string): Promise<void>;
}
