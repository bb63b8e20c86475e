/**
 * The web app's passkey pages as Cognito mode shows them, in Chromium with a virtual
 * authenticator. The server here is the built-in one (no local Cognito stand-in has WebAuthn);
 * /api/client-config is answered with Cognito's capabilities, which is all the pages go by: no
 * name field and no Rename button on the Security page (Cognito names passkeys and cannot rename
 * them), and a sign-in that asks for the email first, sends it with the options request and offers
 * no autofill.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { addAuthenticator, apiUser, open, passkeysCard, shoot, startSite } from './browser-kit.ts';

const site = startSite();

test('Cognito mode: passkeys without names or rename, and a sign-in that names the account', async () => {
  const { origin, browser } = site;
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  await context.route(`${origin}/api/client-config`, async (route) => {
    const real = (await (await route.fetch()).json()) as Record<string, unknown>;
    await route.fulfill({
      json: {
        ...real,
        passkey_rename: false,
        passkey_sign_in_needs_email: true,
        passkey_keeps_name: false,
        passkey_reports_use: false,
      },
    });
  });
  const user = await open(context);
  const { page } = user;
  const email = `cognito.ui.${Date.now()}@example.test`;
  await apiUser(origin, email);
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  await addAuthenticator(cdp);

  const card = await passkeysCard(page, origin, email);
  assert.equal(await card.getByLabel('Name for a new passkey').count(), 0, 'no name field');
  await card.getByText('Your device names the passkey').waitFor();
  await card.getByRole('button', { name: 'Add a passkey' }).click();
  await card.getByRole('button', { name: 'Remove Passkey' }).waitFor();
  assert.equal(await card.getByRole('button', { name: /^Rename/ }).count(), 0, 'no Rename button');
  assert.equal(await card.getByText('not used yet').count(), 0, 'no last use the provider never reports');
  await shoot(page, 'security-passkeys-cognito');

  // Sign out: no autofill, and the button wants the email first.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await page.waitForURL(/\/signin\?signed_out=1/);
  assert.equal(await page.getByLabel('Email').getAttribute('autocomplete'), 'username');
  const button = page.getByRole('button', { name: 'Sign in with a passkey' });
  await button.click();
  await page.getByText('Enter your email address, then choose').waitFor();
  await shoot(page, 'signin-passkey-cognito');
  await page.getByLabel('Email').fill(email);
  const asked = page.waitForRequest(`${origin}/api/session/passkey/options`);
  await button.click();
  assert.deepEqual((await asked).postDataJSON(), { email });
  await page.waitForURL(`${origin}/dashboard`);
  assert.deepEqual(user.problems, []);
  await context.close();
});
