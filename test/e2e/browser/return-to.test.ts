/**
 * The sign-in page's return_to in Chromium (issue 16, item 4; SECURITY 31), case by case from the
 * table the server's check is held to (test/helpers/return-to-cases.ts): after signing in, the
 * browser lands on the path the server would have allowed, or on /dashboard for anything the
 * server refuses. Before the web app used the server's function, `/.//evil.test` and its kin
 * passed the page's own check, normalised to `//evil.test`, and the navigation the browser refused
 * left the page hanging on /signin.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RETURN_TO_CASES } from '../../helpers/return-to-cases.ts';
import { apiUser, open, signIn, startSite } from './browser-kit.ts';

const site = startSite();

test('SECURITY 31: signing in lands where the server’s return_to rule says, never off the site, never stuck', async () => {
  const email = `return.to.${Date.now()}@example.test`;
  await apiUser(site.origin, email);
  const context = await site.browser.newContext();
  const { page, problems } = await open(context);
  try {
    for (const [value, expected] of RETURN_TO_CASES) {
      await page.goto(`${site.origin}/signin?return_to=${encodeURIComponent(value)}`);
      await signIn(page, email);
      await page.waitForURL((u) => u.pathname !== '/signin', { timeout: 10_000 }).catch(() => undefined);
      const landed = new URL(page.url());
      assert.equal(landed.origin, site.origin, JSON.stringify(value));
      assert.equal(`${landed.pathname}${landed.search}`, expected ?? '/dashboard', JSON.stringify(value));
    }
    assert.deepEqual(problems, []);
  } finally {
    await context.close();
  }
});
