/**
 * The limits port in this process's memory: right for one machine, where one server owns its data
 * folder (the embedded store's lock) and so sees every request. It keeps the port's promises
 * (ports/limits.ts): a hit is a synchronous increment, so concurrent hits cannot race; windows
 * are aligned to the clock; ended windows are dropped on the next hit after they end, so memory
 * holds only the counters of the current windows.
 */
import { type LimitHit, type Limits, windowStart } from '../../../ports/limits.ts';

export function createMemoryLimits(opts: { clock?: () => number } = {}): Limits {
  const clock = opts.clock ?? Date.now;
  /** `<windowSeconds>|<key>` -> the count and the end of the window it was counted in. */
  let counters = new Map<string, { count: number; resetAt: number }>();
  let sweepAt = 0;

  return {
    async hit(key, windowSeconds): Promise<LimitHit> {
      const now = clock();
      if (now >= sweepAt) {
        counters = new Map([...counters].filter(([, c]) => c.resetAt > now));
        sweepAt = windowStart(now, 60) + 60_000;
      }
      const resetAt = windowStart(now, windowSeconds) + windowSeconds * 1000;
      const id = `${windowSeconds}|${key}`;
      const current = counters.get(id);
      const count = current && current.resetAt === resetAt ? current.count + 1 : 1;
      counters.set(id, { count, resetAt });
      return { count, resetAt };
    },
    async close() {
      counters.clear();
    },
  };
}
