/**
 * The limits port: the request counters of the sensitive routes (sign-in, sign-up, confirmation
 * and reset codes, resends, MFA, refresh, social sign-in), per route and client address, in fixed
 * windows. Behind several instances (App Runner runs more than one) every instance must count into
 * the same counter, or each client gets the budget once per instance.
 *
 * Guarantees every adapter gives:
 * - `hit` adds exactly one to the counter of `key` in the current window and resolves to the
 *   count including this hit. Concurrent hits, from this process or any other process sharing the
 *   adapter's backing, are never lost or counted twice (an atomic increment).
 * - Windows are `windowSeconds` long and aligned to multiples of it since the epoch, so instances
 *   agree on them without talking to each other; `resetAt` (epoch ms) is the current window's end.
 * - A window's counter disappears by itself some time after the window ends: nothing to clean up.
 * - One write per hit, no read before it.
 * - Rejects with UNAVAILABLE when the counters cannot be reached: the caller refuses the request
 *   rather than let it through uncounted.
 */
export interface LimitHit {
  /** Hits of this key in the current window, this one included. */
  readonly count: number;
  /** When the current window ends, in epoch milliseconds. */
  readonly resetAt: number;
}

export interface Limits {
  hit(key: string, windowSeconds: number): Promise<LimitHit>;
  close(): Promise<void>;
}

/** The start of the window `now` (epoch ms) falls in, for windows of `windowSeconds`. */
export const windowStart = (now: number, windowSeconds: number): number =>
  Math.floor(now / (windowSeconds * 1000)) * windowSeconds * 1000;
