/**
 * Passkeys in Debian's Chromium with a virtual authenticator (the DevTools protocol's WebAuthn
 * domain, through Playwright's CDP session): a platform authenticator with resident keys and user
 * verification, as a laptop's fingerprint reader would be. Add a passkey on the Security page,
 * sign out, sign in with the button, sign out, sign in through the email field's autofill; then a
 * copy of the key (same private key, an older signature counter) on another authenticator is
 * refused; then rename and remove it. axe checks the pages on the way.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { addAuthenticator, apiUser, open, passkeysCard, shoot, signIn, startSite } from './browser-kit.ts';

const site = startSite();

interface VirtualCredential {
  credentialId: string;
  isResidentCredential: boolean;
  rpId: string;
  privateKey: string;
  userHandle: string;
  signCount: number;
}

/**
 * Chromium's virtual authenticator answers an autofill (conditional) request at once, where a
 * person would pick the passkey from the email field's suggestions. To test the button, the page
 * is made to say it has no autofill for passkeys, as some browsers do; the app then offers the
 * button alone.
 */
async function autofill(page: Page, on: boolean): Promise<void> {
  await page.evaluate((off) => {
    if (off) localStorage.setItem('test:no-autofill', '1');
    else localStorage.removeItem('test:no-autofill');
  }, !on);
  // The init script reads the flag when a document loads; the app's own navigations load none.
  // The reloaded page's own calls are let finish: one answered after the next sign-out is a 401.
  await page.reload({ waitUntil: 'networkidle' });
}

async function signOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForURL(/\/signin\?signed_out=1/);
}

test('add a passkey, sign in with it (button and autofill), refuse a copy, rename and remove it', async () => {
  const { origin, browser } = site;
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const user = await open(context);
  const { page } = user;
  const email = `passkey.${Date.now()}@example.test`;
  await apiUser(origin, email);

  await context.addInitScript(() => {
    if (localStorage.getItem('test:no-autofill'))
      PublicKeyCredential.isConditionalMediationAvailable = async () => false;
  });
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  let authenticatorId = await addAuthenticator(cdp);

  // Add a passkey from the Security page.
  const card = await passkeysCard(page, origin, email);
  await card.getByLabel('Name for a new passkey').fill('Work laptop');
  await card.getByRole('button', { name: 'Add a passkey' }).click();
  await card.getByText('The passkey “Work laptop” is added').waitFor();
  await card.getByText('not used yet').waitFor();
  await page.getByText('Passkey added').first().waitFor(); // the activity list follows
  await shoot(page, 'security-passkeys');

  const { credentials } = (await cdp.send('WebAuthn.getCredentials', { authenticatorId })) as {
    credentials: VirtualCredential[];
  };
  assert.equal(credentials.length, 1);
  const made = credentials[0] as VirtualCredential;
  assert.equal(made.isResidentCredential, true, 'a discoverable credential');
  assert.equal(made.rpId, 'localhost');

  // Sign out, then in with the button: no email, no password, no code.
  await autofill(page, false);
  await signOut(page);
  const button = page.getByRole('button', { name: 'Sign in with a passkey' });
  await button.waitFor();
  assert.equal(await page.getByLabel('Email').getAttribute('autocomplete'), 'username webauthn');
  await shoot(page, 'signin-passkey');
  // The dashboard's data is awaited before the next sign-out: answered after it, it is a 401.
  let dashboardData = page.waitForResponse(`${origin}/api/data`);
  await button.click();
  await page.waitForURL(`${origin}/dashboard`);
  await dashboardData;

  // Sign out, then in through the email field's autofill (conditional mediation): the page asks
  // on load, and the authenticator's passkey is the suggestion taken; no button is pressed.
  await autofill(page, true);
  const conditional = page.waitForRequest(`${origin}/api/session/passkey`);
  dashboardData = page.waitForResponse(`${origin}/api/data`);
  // Not signOut(): the sign-in page may be left for the dashboard before its URL is looked at.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await conditional;
  await page.waitForURL(`${origin}/dashboard`);
  await dashboardData;

  // A copy of the key on another device, its counter behind the one the server has seen: refused.
  await autofill(page, false);
  await signOut(page);
  await cdp.send('WebAuthn.removeVirtualAuthenticator', { authenticatorId });
  authenticatorId = await addAuthenticator(cdp);
  await cdp.send('WebAuthn.addCredential', {
    authenticatorId,
    credential: { ...made, signCount: 0 },
  });
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await page.getByText('it looks like a copy of one already used').waitFor();
  user.expect(/^401 POST .*\/api\/session\/passkey$/);
  assert.equal(page.url().startsWith(`${origin}/signin`), true);

  // Signed in with the password: the refusal is in the activity; rename, then remove.
  await signIn(page, email);
  await page.waitForURL(`${origin}/dashboard`);
  await page.goto(`${origin}/security`);
  await page.getByText('Copied passkey refused').first().waitFor();
  await card.getByRole('button', { name: 'Rename Work laptop' }).click();
  await card.getByLabel('Passkey name').fill('Old laptop');
  await card.getByRole('button', { name: 'Save' }).click();
  await card.getByText('Old laptop').waitFor();
  await card.getByRole('button', { name: 'Remove Old laptop' }).click();
  const dialog = page.getByRole('dialog');
  await dialog.waitFor();
  await shoot(page, 'security-passkey-remove', { viewport: true });
  await dialog.getByRole('button', { name: 'Remove passkey' }).click();
  await card.getByText('No passkey yet.').waitFor();
  await page.getByText('Passkey removed').first().waitFor();

  assert.deepEqual(user.problems, []);
  await context.close();
});
