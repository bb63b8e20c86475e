/**
 * Changing the email address on the Profile page in Debian's Chromium: the new address and the
 * current password, the code read from the dev mailbox in another tab, a wrong code refused next
 * to its field, then the right one; the page shows the new address and the account signs in with
 * it. axe-core checks each step, and each is saved as a screenshot.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { apiUser, codeFromMailbox, open, passwordField, shoot, signIn, startSite } from './browser-kit.ts';

const site = startSite();

test('a user changes their email address on the Profile page', async () => {
  const { origin, browser } = site;
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const user = await open(context);
  const { page } = user;
  const email = `before.${Date.now()}@example.test`;
  const next = `after.${Date.now()}@example.test`;
  await apiUser(origin, email);
  await page.goto(`${origin}/signin`);
  await signIn(page, email);
  await page.waitForURL(`${origin}/dashboard`);

  await page.goto(`${origin}/account`);
  await page.getByRole('heading', { name: 'Profile' }).waitFor();
  await page.getByLabel('New email address').fill(next);
  await passwordField(page, 'Current password').fill('correct horse battery staple violin');
  await page.getByRole('button', { name: 'Send a code to the new address' }).click();
  await page.getByText(`If ${next} can receive mail`).waitFor();
  await shoot(page, 'profile-email-code');

  const mailbox = await open(context);
  const code = await codeFromMailbox(mailbox.page, origin, next);
  const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
  await page.getByLabel('Code from the email').fill(wrong);
  await page.getByRole('button', { name: 'Confirm new address' }).click();
  await page.getByText('That code is not valid or has expired').waitFor();
  user.expect(/^400 POST .*\/api\/users\/me\/email\/confirm$/);
  await page.getByLabel('Code from the email').fill(code);
  await page.getByRole('button', { name: 'Confirm new address' }).click();
  await page.getByText(`Your email address is now ${next}.`).waitFor();
  await page
    .getByRole('textbox', { name: 'Email', exact: true })
    .and(page.locator(`[value="${next}"]`))
    .waitFor();
  await shoot(page, 'profile-email-changed');
  assert.deepEqual(user.problems, []);
  assert.deepEqual(mailbox.problems, []);
  await context.close();
});
