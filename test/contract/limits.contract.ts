/**
 * The limits port's contract (ports/limits.ts), run unchanged against every adapter: counts per
 * key and window, windows aligned to the clock, no hit lost or doubled under concurrency, and (for
 * adapters that share their backing) one budget for several instances.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Limits } from '../../src/ports/limits.ts';

export interface LimitsHarness {
  /** A new adapter instance on the shared backing (another server process, for a shared one). */
  make(clock: () => number): Limits;
  /** Whether two instances share their counters (false for the in-memory adapter). */
  readonly shared: boolean;
  cleanup(): Promise<void>;
}

let n = 0;
const key = () => `/api/auth/signin|192.0.2.${++n}|${Date.now()}`;

export function limitsContract(name: string, setup: () => Promise<LimitsHarness>): void {
  describe(`limits contract: ${name}`, () => {
    let h: LimitsHarness;
    const now = { ms: Date.UTC(2030, 0, 1, 12, 0, 10) };
    const clock = () => now.ms;
    let limits: Limits;
    before(async () => {
      h = await setup();
      limits = h.make(clock);
    });
    after(async () => {
      await limits.close();
      await h.cleanup();
    });

    test('counts the hits of a key in its window; other keys count apart', async () => {
      const [a, b] = [key(), key()];
      assert.deepEqual(
        (await Promise.all([1, 2, 3].map(() => limits.hit(a, 60)))).map((r) => r.count).sort(),
        [1, 2, 3],
      );
      assert.equal((await limits.hit(b, 60)).count, 1);
      assert.equal((await limits.hit(a, 60)).count, 4);
    });

    test('windows are aligned to the clock; a new window starts from one', async () => {
      const k = key();
      const first = await limits.hit(k, 60);
      assert.equal(first.resetAt, Date.UTC(2030, 0, 1, 12, 1, 0), 'the end of the current minute');
      now.ms += 49_000; // 12:00:59
      assert.deepEqual(await limits.hit(k, 60), { count: 2, resetAt: first.resetAt });
      now.ms += 1_000; // 12:01:00, the next window
      assert.deepEqual(await limits.hit(k, 60), { count: 1, resetAt: first.resetAt + 60_000 });
      assert.equal(
        (await limits.hit(k, 3600)).resetAt,
        Date.UTC(2030, 0, 1, 13, 0, 0),
        'an hour-long window',
      );
    });

    test('no hit is lost or counted twice when many arrive at once', async () => {
      const k = key();
      const counts = (await Promise.all(Array.from({ length: 60 }, () => limits.hit(k, 60)))).map(
        (r) => r.count,
      );
      assert.deepEqual(
        counts.sort((x, y) => x - y),
        Array.from({ length: 60 }, (_, i) => i + 1),
      );
    });

    test('instances on one backing share the budget (or, in memory, keep their own)', async () => {
      const other = h.make(clock);
      try {
        const k = key();
        await limits.hit(k, 60);
        await limits.hit(k, 60);
        assert.equal((await other.hit(k, 60)).count, h.shared ? 3 : 1);
        assert.equal((await limits.hit(k, 60)).count, h.shared ? 4 : 3);
      } finally {
        await other.close();
      }
    });
  });
}
