/**
 * The case list of a port's contract suite, with the cases an adapter is excused from: an excused
 * case is not run, and a name in the exclusions that no case has fails the suite (a renamed case
 * must not silently bring back or keep an excuse).
 */
import assert from 'node:assert/strict';
import { test as nodeTest } from 'node:test';

export function contractCases(exclude: readonly string[] = []) {
  const excluded = new Set(exclude);
  const seen = new Set<string>();
  return {
    /** node:test's test, skipped (not registered) when its title is excluded. */
    test(title: string, fn: () => Promise<void>) {
      seen.add(title);
      if (!excluded.has(title)) nodeTest(title, fn);
    },
    /** Call after the last case, inside the suite. */
    checkExclusions() {
      if (excluded.size === 0) return;
      nodeTest('every excluded case exists', () =>
        assert.deepEqual(
          [...excluded].filter((x) => !seen.has(x)),
          [],
        ),
      );
    },
  };
}
