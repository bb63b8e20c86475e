/**
 * The web app beyond the main journey: every page at phone width in the dark theme (no sideways
 * overflow, axe-core clean, the menu folded behind a button), the sign-in round trip back to the
 * page asked for, the recovery-code sign-in, typed edits that survive a lost session, account
 * deletion, and keyboard-only use with focus where it belongs.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { totpAt } from '../../../src/domain/totp.ts';
import {
  apiBearer,
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

const PHONE_ADMIN = 'phone.admin@example.test';
const REFUND_ADMIN = 'refund.admin@example.test';
const site = startSite({ ADMIN_EMAILS: `${PHONE_ADMIN},${REFUND_ADMIN}` });
const phone = { viewport: { width: 375, height: 740 }, colorScheme: 'dark' as const };

async function page375(page: Page, path: string, name: string, status = 200) {
  const answer = await page.goto(`${site.origin}${path}`);
  assert.equal(answer?.status(), status, path);
  await page.locator('main h1').waitFor();
  await page.waitForLoadState('networkidle');
  await assertNoOverflow(page, `${path} at 375px`);
  await shoot(page, name);
}

test('phone width, dark theme: every page reflows, and the menu folds behind a button', async () => {
  const context = await site.browser.newContext(phone);
  const { page, problems, expect } = await open(context);
  for (const [path, name] of [
    ['/', 'landing-phone-dark'],
    ['/signin', 'signin-phone-dark'],
    ['/signup', 'signup-phone-dark'],
    ['/confirm?email=someone%40example.test', 'confirm-phone-dark'],
    ['/forgot-password', 'forgot-phone-dark'],
    ['/reset-password?email=someone%40example.test', 'reset-phone-dark'],
    ['/mailbox', 'mailbox-phone-dark'],
  ] as const) {
    await page375(page, path, name);
  }
  // An address that is no page of the app is the app's not-found page with a real 404.
  await page375(page, '/no-such-page', 'not-found-phone-dark', 404);
  expect(/^404 GET .*\/no-such-page$/);

  // A protected page sends the visitor to sign-in, and back to it afterwards.
  await apiUser(site.origin, PHONE_ADMIN);
  await page.goto(`${site.origin}/security`);
  await page.waitForURL(/\/signin\?return_to=%2Fsecurity$/);
  await page.getByText('Sign in to continue.').waitFor();
  await signIn(page, PHONE_ADMIN);
  await page.waitForURL(`${site.origin}/security`);

  const menu = page.getByRole('button', { name: 'Menu' });
  assert.equal(await menu.getAttribute('aria-expanded'), 'false');
  assert.equal(await page.getByRole('navigation', { name: 'Main' }).isVisible(), false, 'folded away');
  await menu.click();
  assert.equal(await menu.getAttribute('aria-expanded'), 'true');
  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Files', exact: true })
    .waitFor();
  await shoot(page, 'menu-phone-dark', { viewport: true });
  await page.keyboard.press('Escape');
  assert.equal(await menu.getAttribute('aria-expanded'), 'false');

  await page375(page, '/dashboard', 'dashboard-phone-dark');
  await page375(page, '/account', 'profile-phone-dark');
  await page375(page, '/security', 'security-phone-dark');
  await page.goto(`${site.origin}/files`);
  await page.getByLabel('Choose files to upload').setInputFiles({
    name: 'a-file-with-a-rather-long-name-for-a-small-screen.txt',
    mimeType: 'text/plain',
    buffer: Buffer.from('hello'),
  });
  await page.getByRole('button', { name: /^Delete a-file/ }).waitFor();
  await page375(page, '/files', 'files-phone-dark');
  await page.getByRole('button', { name: /^Delete a-file/ }).click();
  await page.getByRole('dialog').waitFor();
  await checkA11y(page, 'the delete dialog at phone width');
  await page.getByRole('button', { name: 'Cancel' }).click();
  await page375(page, '/billing', 'billing-phone-dark');
  await page375(page, '/admin', 'admin-phone-dark');
  await page.getByRole('link', { name: 'Phone User' }).click();
  await page.getByRole('heading', { name: 'Recent activity' }).waitFor();
  await page.waitForLoadState('networkidle');
  await assertNoOverflow(page, 'a user on the console at 375px');
  await shoot(page, 'admin-user-phone-dark');
  await page375(page, '/admin/audit', 'admin-audit-phone-dark');
  assert.deepEqual(problems, []);
  await context.close();
});

test('the link in the dev mailbox opens the confirm page with the code filled in', async () => {
  const { origin } = site;
  const email = `link.${Date.now()}@example.test`;
  const signup = await fetch(`${origin}/api/auth/signup`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  assert.equal(signup.status, 202);
  const context = await site.browser.newContext();
  const { page, problems } = await open(context);
  await page.goto(`${origin}/mailbox`);
  const message = page.getByRole('article', { name: `Message to ${email}` });
  await message.getByRole('link', { name: /\/confirm\?email=/ }).click();
  await page.waitForURL(/\/confirm\?email=.*&code=\d{6}$/);
  assert.match(await page.getByLabel('Confirmation code').inputValue(), /^\d{6}$/);
  await page.getByText('The code from your email is filled in: confirm to finish.').waitFor();
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.waitForURL(/\/signin\?confirmed=1/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('sign-in with a recovery code instead of the authenticator', async () => {
  const { origin } = site;
  const email = `recovery.${Date.now()}@example.test`;
  await apiUser(origin, email);
  const auth = await apiBearer(origin, email);
  // No body, so no content type: an empty JSON body is a 400.
  const setup = await fetch(`${origin}/api/auth/mfa/totp/setup`, {
    method: 'POST',
    headers: { authorization: auth.authorization },
  });
  assert.equal(setup.status, 200);
  const { secret } = await setup.json();
  const verified = await fetch(`${origin}/api/auth/mfa/totp/verify`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ code: totpAt(secret, Date.now()) }),
  });
  const [recovery] = (await verified.json()).recovery_codes as string[];
  assert.ok(recovery);

  const context = await site.browser.newContext();
  const { page, problems, expect } = await open(context);
  await page.goto(`${origin}/signin`);
  await signIn(page, email);
  await page.getByRole('button', { name: 'Use a recovery code instead' }).click();
  await page.getByLabel('Recovery code').fill('0000-0000-0000-0000');
  await page.getByRole('button', { name: 'Verify and sign in' }).click();
  await page.getByRole('alert').waitFor();
  expect(/^(400|401) POST .*\/api\/session\/mfa$/);
  await page.getByLabel('Recovery code').fill(recovery);
  await page.getByRole('button', { name: 'Verify and sign in' }).click();
  await page.waitForURL(`${origin}/dashboard`);
  assert.deepEqual(problems, []);
  await context.close();
});

test('edits survive a lost session: sign in again and they are back; then the account is deleted', async () => {
  const { origin } = site;
  const email = `draft.${Date.now()}@example.test`;
  await apiUser(origin, email);
  const context = await site.browser.newContext();
  const { page, problems, expect } = await open(context);
  await page.goto(`${origin}/account`);
  await signIn(page, email);
  await page.waitForURL(`${origin}/account`);
  await page.getByLabel('Name', { exact: true }).fill('Typed Before The Session Ended');
  await page.getByLabel('City').fill('Paris');
  // The session ends elsewhere (signed out on another device) while the form is open.
  await page.request.delete(`${origin}/api/session`, { headers: { origin } });
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page.waitForURL(/\/signin\?return_to=%2Faccount&expired=1/);
  await page.getByText('Your session has ended. Sign in again to go back to where you were.').waitFor();
  expect(/^401 PUT .*\/api\/users\/me$/);
  await signIn(page, email);
  await page.waitForURL(`${origin}/account`);
  await page.getByText('Your unsaved changes are back').waitFor();
  assert.equal(await page.getByLabel('Name', { exact: true }).inputValue(), 'Typed Before The Session Ended');
  assert.equal(await page.getByLabel('City').inputValue(), 'Paris');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page.getByText('Your profile is saved.').waitFor();

  await page.getByRole('button', { name: 'Delete my account…' }).click();
  const dialog = page.getByRole('dialog', { name: 'Delete your account?' });
  await dialog.waitFor();
  const confirm = dialog.getByRole('button', { name: 'Delete my account' });
  assert.equal(await confirm.isDisabled(), true, 'not before the word is typed');
  await dialog.getByLabel('Type delete to confirm').fill('delete');
  await confirm.click();
  await page.waitForURL(`${origin}/?deleted=1`);
  await page.getByText('Your account and everything in it have been deleted.').waitFor();
  const again = await fetch(`${origin}/api/session`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', origin },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  assert.equal(again.status, 401, 'the account is gone');
  assert.deepEqual(problems, []);
  await context.close();
});

test('unsaved edits are given back to their own account only, not to someone else signing in on the tab', async () => {
  const { origin } = site;
  const first = `draft.a.${Date.now()}@example.test`;
  const second = `draft.b.${Date.now()}@example.test`;
  await apiUser(origin, first);
  await apiUser(origin, second);
  const context = await site.browser.newContext();
  const { page, problems, expect } = await open(context);
  await page.goto(`${origin}/account`);
  await signIn(page, first);
  await page.waitForURL(`${origin}/account`);
  await page.getByLabel('City').fill('Not For Anyone Else');
  await page.request.delete(`${origin}/api/session`, { headers: { origin } });
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page.getByText('Your session has ended. Sign in again to go back to where you were.').waitFor();
  expect(/^401 PUT .*\/api\/users\/me$/);
  await signIn(page, second);
  await page.waitForURL(`${origin}/account`);
  await page.getByRole('button', { name: 'Save profile' }).waitFor();
  assert.equal(await page.getByLabel('Email', { exact: true }).inputValue(), second);
  assert.equal(await page.getByLabel('City').inputValue(), '', "the other account's own (empty) city");
  assert.equal(await page.getByText('Your unsaved changes are back').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('keyboard only: the skip link comes first, errors keep what was typed, dialogs hold and return focus', async () => {
  const { origin } = site;
  const context = await site.browser.newContext({ viewport: { width: 1024, height: 768 } });
  const { page, expect } = await open(context);
  await page.goto(`${origin}/signin`);
  await page.locator('main h1').waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
  await page.keyboard.press('Enter');
  const label = () =>
    page.evaluate(() => (document.activeElement as HTMLInputElement | null)?.labels?.[0]?.textContent ?? '');
  for (let i = 0; i < 12 && (await label()) !== 'Email'; i++) await page.keyboard.press('Tab');
  assert.equal(await label(), 'Email', 'Tab reaches the email field');
  await page.keyboard.type('nobody@example.test');
  await page.keyboard.press('Tab');
  assert.equal(await label(), 'Password', 'then the password');
  await page.keyboard.type('not the right password at all');
  await page.keyboard.press('Enter');
  await page.getByRole('alert').first().waitFor();
  expect(/^401 POST .*\/api\/session$/);
  assert.equal(await page.getByLabel('Email').inputValue(), 'nobody@example.test', 'the email is kept');
  assert.equal(await passwordField(page).inputValue(), 'not the right password at all', 'and the password');

  const email = `keys.${Date.now()}@example.test`;
  await apiUser(origin, email);
  await page.getByLabel('Email').fill(email);
  await passwordField(page).fill(PASSWORD);
  await page.keyboard.press('Enter');
  await page.waitForURL(`${origin}/dashboard`);
  await page.goto(`${origin}/files`);
  await page
    .getByLabel('Choose files to upload')
    .setInputFiles({ name: 'k.txt', mimeType: 'text/plain', buffer: Buffer.from('k') });
  const remove = page.getByRole('button', { name: 'Delete k.txt' });
  await remove.focus();
  await page.keyboard.press('Enter');
  await page.getByRole('dialog').waitFor();
  assert.equal(
    await page.evaluate(() => document.activeElement?.textContent),
    'Cancel',
    'the safe choice has focus',
  );
  // The page behind is inert: Tab moves between the dialog's buttons (or out to the browser), never behind.
  for (let i = 0; i < 3; i++) {
    await page.keyboard.press('Tab');
    const where = await page.evaluate(() => {
      const el = document.activeElement;
      return !el || el === document.body
        ? 'browser'
        : el.closest('dialog')
          ? 'dialog'
          : el.outerHTML.slice(0, 80);
    });
    assert.ok(where === 'dialog' || where === 'browser', `Tab reached ${where}`);
  }
  await page.keyboard.press('Escape');
  await page.getByRole('dialog').waitFor({ state: 'detached' });
  assert.equal(
    await page.evaluate(() => document.activeElement?.getAttribute('aria-label')),
    'Delete k.txt',
    'focus returns',
  );
  await context.close();
});

test('an administrator refunds a payment from the user’s page, the amount filled in, and deletes the account', async () => {
  const { origin } = site;
  const email = `payer.${Date.now()}@example.test`;
  await apiUser(origin, email);
  const auth = await apiBearer(origin, email);
  const checkout = await fetch(`${origin}/api/billing/checkout`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ plan: 'basic' }),
  });
  const pay = await fetch((await checkout.json()).url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
    body: 'outcome=pay',
    redirect: 'manual',
  });
  assert.equal(pay.status, 303);
  for (let i = 0; i < 100; i++) {
    const list = await (await fetch(`${origin}/api/billing/invoices`, { headers: auth })).json();
    if (list.invoices[0]?.status === 'paid') break;
    await new Promise((r) => setTimeout(r, 100));
  }

  const context = await site.browser.newContext({ viewport: { width: 1280, height: 860 } });
  const { page, problems } = await open(context);
  await apiUser(origin, REFUND_ADMIN);
  await page.goto(`${origin}/admin`);
  await signIn(page, REFUND_ADMIN);
  await page.waitForURL(`${origin}/admin`);
  // No form asks for an invoice id: the invoice is chosen on its user's page.
  await page.getByLabel('Search by email or name').fill(email);
  await page
    .getByRole('row', { name: new RegExp(email.replaceAll('.', '\\.')) })
    .getByRole('link')
    .click();
  await page.getByRole('heading', { name: 'Invoices' }).waitFor();
  await page.getByRole('button', { name: /^Refund invoice SIM-/ }).click();
  const dialog = page.getByRole('dialog', { name: /^Refund invoice SIM-/ });
  await dialog.waitFor();
  assert.equal(
    await dialog.getByLabel('Amount to refund (USD)').inputValue(),
    '9.00',
    'the amount is filled in',
  );
  await checkA11y(page, 'the refund dialog');
  await dialog.getByLabel('Amount to refund (USD)').fill('12');
  await dialog.getByRole('button', { name: /^Refund/ }).click();
  await dialog.getByText('At most $9.00 can be refunded.').waitFor();
  await dialog.getByLabel('Amount to refund (USD)').fill('4');
  await dialog.getByRole('button', { name: 'Refund $4.00' }).click();
  await page.getByText(`$4.00 of invoice`, { exact: false }).first().waitFor();
  await page.getByRole('cell', { name: 'Paid, $4.00 refunded' }).waitFor();
  // What is left is what the next refund starts from.
  await page.getByRole('button', { name: /^Refund invoice SIM-/ }).click();
  assert.equal(await dialog.getByLabel('Amount to refund (USD)').inputValue(), '5.00');
  await page.keyboard.press('Escape');
  await page
    .locator('#activity')
    .getByText(/refunded \$4\.00 of invoice/)
    .waitFor();

  await page.getByRole('button', { name: 'Delete…' }).click();
  const remove = page.getByRole('dialog', { name: `Delete ${email}?` });
  await remove.getByLabel('Type delete to confirm').fill('delete');
  await remove.getByRole('button', { name: 'Delete account' }).click();
  await page.getByText('The account and its data have been deleted.').waitFor();
  await page.getByRole('link', { name: 'Back to the users' }).click();
  await page.getByLabel('Search by email or name').fill(email);
  await page.getByText('No user matches.').waitFor();
  assert.deepEqual(problems, []);
  await context.close();
});
