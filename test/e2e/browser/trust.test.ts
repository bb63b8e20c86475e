/**
 * Issue 21 in Chromium, as a user meets it: one code input everywhere (one-time-code autofill, a
 * pasted code goes in whole, sent when complete) with words for a code already used; forms that
 * send once; a files page that keeps its list through a network drop and retries; words for the
 * product's users (landing, dashboard, sizes and dates in their language, the mailbox only on a
 * development machine); the reset page from the mail link; notices that belong to the last action.
 * axe-core checks each page and dialog, desktop and phone.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { totpAt } from '../../../src/domain/totp.ts';
import { waitFor } from '../../helpers/kit.ts';
import {
  apiUser,
  assertNoOverflow,
  checkA11y,
  open,
  PASSWORD,
  passwordField,
  shoot,
  signIn,
  startSite,
} from './browser-kit.ts';

const site = startSite({ PHONE_DEFAULT_COUNTRY: 'GB' });
const desktop = { viewport: { width: 1280, height: 860 } };
const json = { 'content-type': 'application/json' };
let n = 0;
const newEmail = (what: string) => `${what}.${Date.now()}.${++n}@example.test`;

const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
  fetch(`${site.origin}${path}`, {
    method: 'POST',
    headers: { ...json, ...headers },
    body: JSON.stringify(body),
  });

/** Messages the dev outbox holds for `email`. */
const mailCount = async (email: string) =>
  (
    (await (await fetch(`${site.origin}/api/dev/mail?to=${encodeURIComponent(email)}`)).json()) as {
      messages: unknown[];
    }
  ).messages.length;

/** Pastes `text` into the focused field as a clipboard paste would. */
const paste = (page: Page, label: string, text: string) =>
  page.getByLabel(label).evaluate((input, t) => {
    const data = new DataTransfer();
    data.setData('text/plain', t);
    input.dispatchEvent(
      new ClipboardEvent('paste', { clipboardData: data, bubbles: true, cancelable: true }),
    );
  }, text);

test('codes: one input, a pasted code goes in whole and is sent; a used TOTP or recovery code says so', async () => {
  const { origin } = site;
  const email = newEmail('codes');
  assert.equal((await post('/api/auth/signup', { email, password: PASSWORD })).status, 202);
  const context = await site.browser.newContext(desktop);
  const { page, problems, expect } = await open(context);
  await page.goto(`${origin}/confirm?email=${encodeURIComponent(email)}`);
  const input = page.getByLabel('Confirmation code');
  assert.equal(await input.getAttribute('autocomplete'), 'one-time-code');
  assert.equal(await input.getAttribute('inputmode'), 'numeric');
  assert.equal(await input.getAttribute('maxlength'), null, 'nothing cuts a pasted "123 456" short');
  // A code pasted with a space goes in whole and is sent: this one is wrong, and says so.
  let code: string | undefined;
  for (let i = 0; i < 50 && !code; i++) {
    const mail = await (await fetch(`${origin}/api/dev/mail?to=${encodeURIComponent(email)}`)).json();
    code = /\b(\d{6})\b/.exec(mail.messages[0]?.text ?? '')?.[1];
    if (!code) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(code);
  const wrong = code === '123456' ? '654321' : '123456';
  await paste(page, 'Confirmation code', `${wrong.slice(0, 3)} ${wrong.slice(3)}`);
  await page.getByText('That code is not valid or has expired.', { exact: false }).waitFor();
  expect(/^400 POST .*\/api\/auth\/confirm$/);
  assert.equal(await input.inputValue(), wrong);
  await checkA11y(page, 'the confirm page with a refused code');
  await paste(page, 'Confirmation code', `${code.slice(0, 3)}-${code.slice(3)}`);
  await page.waitForURL(/\/signin\?confirmed=1/);

  // Two-step verification on, through the API; then the browser signs in with one code twice.
  const tokens = await (await post('/api/auth/signin', { email, password: PASSWORD })).json();
  const bearer = { authorization: `Bearer ${tokens.access_token}` };
  const { secret } = await (
    await fetch(`${origin}/api/auth/mfa/totp/setup`, { method: 'POST', headers: bearer })
  ).json();
  const verified = await post('/api/auth/mfa/totp/verify', { code: totpAt(secret, Date.now()) }, bearer);
  const [recovery] = (await verified.json()).recovery_codes as string[];
  assert.ok(recovery);
  const next = totpAt(secret, Date.now() + 30_000);
  for (let round = 0; round < 2; round++) {
    await page.goto(`${origin}/signin`);
    await signIn(page, email);
    const field = page.getByLabel('Authentication code');
    await field.waitFor();
    if (round === 0) await checkA11y(page, 'the two-step sign-in');
    await field.fill(next);
    if (round === 1) break;
    await page.waitForURL(`${origin}/dashboard`);
    await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.waitForURL(/signed_out=1/);
  }
  await page.getByText('That code has been used already. Wait for your app to show the next one').waitFor();
  expect(/^400 POST .*\/api\/session\/mfa$/);
  await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
  await page.getByLabel('Recovery code').fill(recovery);
  await page.getByRole('button', { name: 'Verify and sign in' }).click();
  await page.waitForURL(`${origin}/dashboard`);
  await page.getByRole('heading', { name: 'Dashboard' }).waitFor();
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForURL(/signed_out=1/);
  await signIn(page, email);
  await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
  await page.getByLabel('Recovery code').fill(recovery);
  await page.getByRole('button', { name: 'Verify and sign in' }).click();
  await page.getByText('That recovery code has been used already. Each works once: try another.').waitFor();
  expect(/^400 POST .*\/api\/session\/mfa$/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('forms send once: a double click on "Create account" sends one mail, and the button shows it is working', async () => {
  const { origin } = site;
  const email = newEmail('double');
  const context = await site.browser.newContext(desktop);
  const { page, problems } = await open(context);
  // The answer is held back a moment, as on a slow network, so the second click comes while it waits.
  await page.route('**/api/auth/signup', async (route) => {
    await new Promise((r) => setTimeout(r, 600));
    await route.continue();
  });
  await page.goto(`${origin}/signup`);
  await page.getByLabel('Email').fill(email);
  await passwordField(page).fill(PASSWORD);
  const create = page.getByRole('button', { name: 'Create account' });
  await create.dblclick();
  assert.equal(await create.getAttribute('aria-busy'), 'true', 'it says it is working');
  assert.equal(await create.isDisabled(), true);
  // Enter pressed twice in one go (two submits before the page redraws) is one request too.
  await page.getByLabel('Email').evaluate((el) => {
    (el as HTMLInputElement).form?.requestSubmit();
    (el as HTMLInputElement).form?.requestSubmit();
  });
  await page.waitForURL(/\/confirm\?email=/);
  await waitFor(async () => (await mailCount(email)) > 0, {
    what: 'the confirmation mail',
    timeoutMs: 10_000,
  });
  // A second sign-up would have been mailed before a later account's code: wait for that one.
  await apiUser(origin, newEmail('marker'));
  assert.equal(await mailCount(email), 1, 'one confirmation mail');

  // The same on a form of a signed-in page: the forgot-password form, submitted twice at once.
  const known = newEmail('forgot');
  await apiUser(origin, known);
  const before = await mailCount(known);
  await page.goto(`${origin}/forgot-password?email=${encodeURIComponent(known)}`);
  await page.getByLabel('Email').evaluate((el) => {
    (el as HTMLInputElement).form?.requestSubmit();
    (el as HTMLInputElement).form?.requestSubmit();
  });
  await page.waitForURL(/\/reset-password\?email=/);
  await waitFor(async () => (await mailCount(known)) > before, { what: 'the reset mail', timeoutMs: 10_000 });
  await apiUser(origin, newEmail('marker'));
  assert.equal((await mailCount(known)) - before, 1, 'one reset mail');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the reset page from the mail link says the code is filled in; the current password is refused with the reason', async () => {
  const { origin } = site;
  const email = newEmail('reset');
  await apiUser(origin, email);
  assert.equal((await post('/api/auth/forgot-password', { email })).status, 202);
  const context = await site.browser.newContext({
    viewport: { width: 375, height: 740 },
    colorScheme: 'dark',
  });
  const { page, problems, expect } = await open(context);
  await page.goto(`${origin}/mailbox`);
  const message = page.getByRole('article', { name: `Message to ${email}` }).first();
  await message.getByRole('link', { name: /\/reset-password\?/ }).click();
  await page.getByText('The code from your email is filled in: choose your new password.').waitFor();
  assert.equal(await page.getByText('is on its way').count(), 0, 'no word of a code still coming');
  await passwordField(page, 'New password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await page.getByText('That is your current password. Choose a new one.').waitFor();
  expect(/^400 POST .*\/api\/auth\/reset-password$/);
  await assertNoOverflow(page, 'the reset page at 375px');
  await checkA11y(page, 'the reset page with the refusal');
  await passwordField(page, 'New password').fill(`${PASSWORD} anew`);
  await page.getByRole('button', { name: 'Set the new password' }).click();
  await page.waitForURL(/\/signin\?reset=1/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('words for the product’s users; the mailbox only in the footer of a development machine; notices of the last action only', async () => {
  const { origin } = site;
  const email = newEmail('words');
  await apiUser(origin, email);
  const context = await site.browser.newContext(desktop);
  const { page, problems } = await open(context);
  await page.goto(`${origin}/`);
  await page.getByRole('heading', { name: 'Plans' }).waitFor();
  const developerWords = /\b(route|endpoint|foundation|API|developer)s?\b/i;
  assert.doesNotMatch((await page.locator('main').textContent()) ?? '', developerWords);
  const main = page.getByRole('navigation', { name: 'Main' });
  assert.equal(await main.getByRole('link', { name: 'Mailbox' }).count(), 0, 'not in the public navigation');
  await page.locator('footer').getByRole('link', { name: 'Dev mailbox' }).waitFor();

  await page.goto(`${origin}/signin`);
  await signIn(page, email);
  await page.waitForURL(`${origin}/dashboard`);
  await page.getByRole('heading', { name: 'More in your feed with a paid plan' }).waitFor();
  const dashboard = (await page.locator('main').textContent()) ?? '';
  assert.doesNotMatch(dashboard, developerWords);
  assert.doesNotMatch(dashboard, /Upgrade to unlock it/);
  assert.equal(await page.getByRole('link', { name: 'Compare plans' }).count(), 1, 'one way to the plans');
  await checkA11y(page, 'the dashboard');

  // The account's own history: what the user did, not the bookkeeping of groups.
  await page.goto(`${origin}/security`);
  await page.getByRole('heading', { name: 'Recent activity' }).waitFor();
  await page.getByText('Signed in', { exact: true }).first().waitFor();
  assert.equal(await page.getByText('Added to a group').count(), 0);

  // A saved profile, then a photo that cannot be used: only the photo's problem is on screen.
  await page.goto(`${origin}/account`);
  await page.getByLabel('City').fill('Paris');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page.getByText('Your profile is saved.').waitFor();
  await page
    .getByLabel('Photo file')
    .setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('x') });
  await page.getByText('Choose a PNG, JPEG or WebP image.').waitFor();
  assert.equal(await page.getByText('Your profile is saved.').count(), 0, 'the older notice is gone');
  assert.deepEqual(problems, []);
  await context.close();

  // Sizes and dates in the user's language, with units that match their numbers.
  const german = await site.browser.newContext({ ...desktop, locale: 'de-DE', timezoneId: 'Europe/Berlin' });
  const de = await open(german);
  await de.page.goto(`${origin}/signin`);
  await signIn(de.page, email);
  await de.page.waitForURL(`${origin}/dashboard`);
  await de.page.goto(`${origin}/files`);
  await de.page.getByLabel('Choose files to upload').setInputFiles({
    name: 'bericht.txt',
    mimeType: 'text/plain',
    buffer: Buffer.alloc(1500, 'a'),
  });
  await de.page.getByRole('link', { name: 'Download bericht.txt' }).waitFor();
  await de.page.getByRole('cell', { name: '1,5 kB' }).waitFor();
  await de.page.getByText('1,5 kB of 250 MB used').waitFor();
  const uploaded = (await de.page.locator('td[data-label="Uploaded"]').first().textContent()) ?? '';
  assert.match(uploaded, /^\d{1,2}\.\d{1,2}\.\d{4}|^\d{1,2}\. \S+ \d{4}/, `a German date: ${uploaded}`);
  assert.deepEqual(de.problems, []);
  await german.close();
});

test('files: the last good list stays with a Retry, comes back with the network, and a failed upload keeps its row', async () => {
  const { origin } = site;
  const email = newEmail('files');
  await apiUser(origin, email);
  const context = await site.browser.newContext(desktop);
  const { page, problems } = await open(context);
  await page.goto(`${origin}/files`);
  await signIn(page, email);
  await page.waitForURL(`${origin}/files`);
  await page
    .getByLabel('Choose files to upload')
    .setInputFiles({ name: 'kept.txt', mimeType: 'text/plain', buffer: Buffer.from('kept') });
  await page.getByRole('link', { name: 'Download kept.txt' }).waitFor();

  // A refresh that fails (the list cannot be read) leaves the list and says so, with a Retry.
  await page.route('**/api/files?*', (route) => route.abort('internetdisconnected'));
  await page.evaluate(() => window.dispatchEvent(new Event('online')));
  await page.getByText('This list may be out of date: it could not be refreshed.').waitFor();
  await page.getByRole('link', { name: 'Download kept.txt' }).waitFor();
  await page.getByText('1 file', { exact: false }).first().waitFor();
  assert.equal(await page.getByText('No files yet.').count(), 0, 'never "no files" beside the list');
  await checkA11y(page, 'the files page after a failed refresh');
  await page.unroute('**/api/files?*');
  await page.getByRole('button', { name: 'Try again' }).click();
  await page.getByText('This list may be out of date').waitFor({ state: 'detached' });

  // Offline: the upload fails and keeps its row; back online, the list is read again by itself,
  // and Retry sends the same file.
  await context.setOffline(true);
  await page
    .getByLabel('Choose files to upload')
    .setInputFiles({ name: 'later.txt', mimeType: 'text/plain', buffer: Buffer.from('later') });
  await page.getByText('The upload was interrupted. Try again.').waitFor();
  await page.getByRole('button', { name: 'Retry the upload of later.txt' }).waitFor();
  await shoot(page, 'files-retry');
  const reread = page.waitForRequest(
    (r) => r.method() === 'GET' && new URL(r.url()).pathname === '/api/files',
  );
  await context.setOffline(false);
  await reread;
  await page.getByRole('button', { name: 'Retry the upload of later.txt' }).click();
  await page.getByRole('link', { name: 'Download later.txt' }).waitFor();
  assert.equal(await page.getByRole('button', { name: /^Retry/ }).count(), 0, 'its row is now the file');
  assert.deepEqual(problems, []);
  await context.close();

  // On a touch screen nothing can be dragged: the page does not say "Drag files here".
  const phone = await site.browser.newContext({
    viewport: { width: 375, height: 740 },
    isMobile: true,
    hasTouch: true,
    colorScheme: 'dark',
  });
  const touch = await open(phone);
  await touch.page.goto(`${origin}/files`);
  await signIn(touch.page, email);
  await touch.page.waitForURL(`${origin}/files`);
  await touch.page.getByRole('button', { name: 'Choose files', exact: true }).waitFor();
  assert.equal(await touch.page.getByText('Drag files here').isVisible(), false);
  await touch.page.getByRole('link', { name: 'Download later.txt' }).waitFor();
  await assertNoOverflow(touch.page, 'files on a phone');
  await checkA11y(touch.page, 'files on a touch screen');
  assert.deepEqual(touch.problems, []);
  await phone.close();
});
