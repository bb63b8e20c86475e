/**
 * The web app's budget: the initial JavaScript of the landing and sign-in pages stays under
 * 120 KB gzipped, and the other pages stay out of it (each is a chunk loaded on demand). Builds
 * the app first (skipped by the build script itself when web/ is unchanged).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { BUDGET_BYTES, initialJs } from '../../bench/web-size.ts';

test('the landing and sign-in pages load under 120 KB of gzipped JavaScript; other pages are split off', () => {
  const built = spawnSync(process.execPath, ['scripts/build.mjs'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(built.status, 0, built.stderr);
  const { files, total, lazy } = initialJs();
  assert.ok(total < BUDGET_BYTES, `initial JavaScript ${total} bytes gzipped, budget ${BUDGET_BYTES}`);
  assert.ok(lazy > 0, 'some pages are loaded on demand');
  for (const page of ['security', 'files', 'billing', 'admin', 'profile']) {
    assert.ok(!files.some((f) => f.file.includes(page)), `${page} is not in the initial JavaScript`);
  }
});
