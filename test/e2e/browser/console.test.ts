/**
 * The admin console in Chromium, as an operator runs the service from it: find users (search and
 * filters), open one (profile, plan, sessions, sign-in methods, history in sentences), sign one of
 * their devices out, and read the audit trail a page at a time, filtered by kind of event and by a
 * user chosen by their email. axe-core checks every page and dialog; desktop and phone.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { waitFor } from '../../helpers/kit.ts';
import {
  apiBearer,
  apiUser,
  assertNoOverflow,
  checkA11y,
  open,
  PASSWORD,
  shoot,
  signIn,
  startSite,
} from './browser-kit.ts';

const ADMIN = 'console.admin@example.test';
const site = startSite({ ADMIN_EMAILS: ADMIN });
const json = { 'content-type': 'application/json' };

test('an operator finds a user, reads their page, signs a device out, and pages through the audit trail', async () => {
  const { origin } = site;
  const email = `operator.case.${Date.now()}@example.test`;
  await apiUser(origin, email);
  await apiUser(origin, ADMIN);
  // The user is signed in on a browser (a session the console lists), and made 55 profile edits.
  const session = await fetch(`${origin}/api/session`, {
    method: 'POST',
    headers: {
      ...json,
      origin,
      'user-agent': 'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) Firefox/128.0',
    },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  assert.equal(session.status, 200);
  const auth = await apiBearer(origin, email);
  for (let i = 0; i < 55; i++) {
    const put = await fetch(`${origin}/api/users/me`, {
      method: 'PUT',
      headers: auth,
      body: JSON.stringify({ name: `Case ${i}` }),
    });
    assert.equal(put.status, 200);
  }

  const context = await site.browser.newContext({ viewport: { width: 1280, height: 860 } });
  const { page, problems } = await open(context);
  await page.goto(`${origin}/admin`);
  await signIn(page, ADMIN);
  await page.waitForURL(`${origin}/admin`);
  await page.getByRole('link', { name: 'Case 54' }).waitFor();
  await checkA11y(page, 'the user list');
  // Filters: disabled users only (none), then back to any, then a search.
  await page.getByLabel('Status').selectOption('disabled');
  await page.getByText('No user matches.').waitFor();
  await page.getByLabel('Status').selectOption('');
  // The search goes out a moment after the last keystroke; until its answer is drawn the table
  // shows the last one (busy), so the absence below is looked for only then.
  const searched = page.waitForResponse(
    (r) => r.url().includes('/api/admin/users?') && r.url().includes('search=operator.case'),
  );
  await page.getByLabel('Search by email or name').fill('operator.case');
  await searched;
  await page.waitForURL(/\/admin\?q=operator\.case$/);
  await page.locator('table:not([aria-busy])').getByRole('link', { name: 'Case 54' }).waitFor();
  // The administrator is searched out of the list; the user stays.
  assert.equal(await page.getByRole('link', { name: 'Phone User' }).count(), 0);

  await page.getByRole('link', { name: 'Case 54' }).click();
  await page.getByRole('heading', { name: 'Case 54', level: 1 }).waitFor();
  const sessions = page.locator('#sessions');
  await sessions.getByText('Firefox on macOS').waitFor();
  await page.locator('#activity').getByText('Case 54 updated their profile (name)').first().waitFor();
  await checkA11y(page, 'a user on the console');
  await sessions.getByRole('button', { name: /^Sign out Firefox on macOS/ }).click();
  await page.getByText('Firefox on macOS is signed out.').waitFor();
  await sessions.getByText('No device is signed in.').waitFor();
  await page.locator('#activity').getByText('Phone User signed Case 54 out of one device').waitFor();

  // The whole history, from the user's page: a page of 50, then older ones.
  await page.getByRole('link', { name: 'See all' }).click();
  await page.waitForURL(/\/admin\/audit\?user=/);
  const events = page.getByRole('list', { name: 'Events, newest first' });
  await page.locator('.filter-chip').getByText(email).waitFor();
  await events.getByText('Phone User signed Case 54 out of one device').waitFor();
  assert.equal(await events.getByRole('listitem').count(), 50);
  await checkA11y(page, 'the audit trail');
  await shoot(page, 'admin-audit');
  await page.getByRole('button', { name: 'Older events' }).click();
  await page.getByText('Page 2').waitFor();
  await events.getByText('Case 54 confirmed their email').waitFor();
  await page.getByRole('button', { name: 'Newer events' }).click();
  await page.getByText('Page 1').waitFor();
  // Filtered by kind of event, and by another user chosen by typing their email.
  await page.getByRole('combobox', { name: 'Event' }).selectOption('session.revoked');
  // The event is on the unfiltered page too: wait for the filtered list, not for the text.
  await waitFor(async () => (await events.getByRole('listitem').count()) === 1, {
    what: 'the list filtered to the one session.revoked event',
    timeoutMs: 15_000,
    intervalMs: 100,
  });
  await events.getByText('Phone User signed Case 54 out of one device').waitFor();
  await page.getByRole('button', { name: `Show every user, not only ${email}` }).click();
  await page.getByRole('combobox', { name: 'Event' }).selectOption('auth.signin');
  await page.getByRole('searchbox', { name: 'User' }).fill(ADMIN.slice(0, 10));
  // The list shows every user's sign-ins until the chosen one's arrive: wait for those, drawn.
  const chosen = page.waitForResponse(
    (r) =>
      r.url().includes('/api/admin/audit?') &&
      r.url().includes('subject_id=') &&
      r.url().includes('type=auth.signin'),
  );
  await page
    .getByRole('list', { name: 'Matching users' })
    .getByRole('button', { name: /console\.admin/ })
    .click();
  await chosen;
  await page.locator('ol[aria-label="Events, newest first"]:not([aria-busy])').waitFor();
  await events.getByText('Phone User signed in').first().waitFor();
  assert.equal(await events.getByText('Case 54').count(), 0, 'only the chosen user');
  assert.deepEqual(problems, []);
  await context.close();

  // On a phone: the list, a user and the trail reflow without sideways scrolling.
  const phone = await site.browser.newContext({ viewport: { width: 375, height: 740 }, colorScheme: 'dark' });
  const small = await open(phone);
  await small.page.goto(`${origin}/admin/audit`);
  await signIn(small.page, ADMIN);
  await small.page.waitForURL(`${origin}/admin/audit`);
  await small.page.getByRole('list', { name: 'Events, newest first' }).waitFor();
  await assertNoOverflow(small.page, 'the audit trail at 375px');
  await checkA11y(small.page, 'the audit trail at 375px');
  await small.page.getByRole('link', { name: 'Users' }).click();
  await small.page.getByRole('link', { name: 'Case 54' }).click();
  await small.page.getByRole('heading', { name: 'Recent activity' }).waitFor();
  await assertNoOverflow(small.page, 'a user at 375px');
  await small.page.getByRole('button', { name: 'Disable account' }).click();
  await small.page.getByRole('dialog', { name: `Disable ${email}?` }).waitFor();
  await checkA11y(small.page, 'the disable dialog at 375px');
  await small.page.getByRole('dialog').getByRole('button', { name: 'Disable account' }).click();
  await small.page.getByText(`${email} is disabled and signed out everywhere.`).waitFor();
  await small.page.getByRole('button', { name: 'Enable account' }).click();
  await small.page.getByText(`${email} is enabled.`).waitFor();
  assert.deepEqual(small.problems, []);
  await phone.close();
});
