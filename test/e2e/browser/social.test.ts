/**
 * Social sign-in in Debian's Chromium (Playwright, as journey.test.ts), against the built server
 * (dist/server.js) in both identity modes, with oidc-provider (in this process) as the provider:
 *
 * - Built-in identity: oidc-provider plays Google. A new person signs in with the button and lands
 *   on their profile; their security page lists Google and will not remove the only way in. A
 *   password user is told to sign in first when Google claims their address, links Google from the
 *   security page, and then signs in with it into the same account.
 * - Cognito: oidc-provider plays the pool's Hosted UI (pool issuer and signing key, Cognito's
 *   claims) in front of cognito-local; the button goes through it into a browser session. A
 *   password user links Google from the security page (the pool's link operations answered by
 *   cognito-local's proxy), signs in with it into the same account, and removes it again.
 *
 * axe-core checks the sign-in page with its buttons and the security page with the provider card.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CognitoIdentityProviderClient } from '@aws-sdk/client-cognito-identity-provider';
import type { Browser, Page } from 'playwright-core';
import { startCognitoLocal } from '../../helpers/cognito-local.ts';
import { federatedPoolUser, hostedUiSettings, linkedPerson, startHostedUi } from '../../helpers/hosted-ui.ts';
import { freePort } from '../../helpers/kit.ts';
import { type LocalOp, startOidcProvider } from '../../helpers/oidc-provider.ts';
import { checkA11y, launchChromium, PASSWORD, startServer, TEST_SPEED } from './browser-kit.ts';

const GOOGLE = { client_id: 'gatehouse-google', client_secret: 'google-secret-0123456789' };

let browser: Browser;
const cleanups: (() => Promise<void> | void)[] = [];

before(async () => {
  browser = await launchChromium();
});
after(async () => {
  await browser?.close();
  for (const clean of cleanups.reverse()) await clean();
});

/** dist/server.js on `port` with `env`, stopped after the file's tests. */
async function serve(port: number, env: Record<string, string>): Promise<void> {
  const server = await startServer(port, { ...TEST_SPEED, ...env });
  cleanups.push(() => server.stop());
}

const nav = (page: Page, name: string) =>
  page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name, exact: true });

/** A sign-in lands on the dashboard; then the profile page, which shows the account's email. */
async function signedInProfile(page: Page, origin: string): Promise<string> {
  await page.waitForURL(`${origin}/dashboard`);
  await nav(page, 'Profile').click();
  await page.waitForURL(`${origin}/account`);
  await page.getByRole('heading', { name: 'Profile' }).waitFor();
  return page.getByLabel('Email', { exact: true }).inputValue();
}

/** The newest code in the dev outbox for `email`, if any. */
async function outboxCode(origin: string, email: string): Promise<string | undefined> {
  const mail = (await (await fetch(`${origin}/api/dev/mail`)).json()) as {
    messages: { to: string; text: string }[];
  };
  return /\b(\d{6})\b/.exec(mail.messages.find((m) => m.to === email)?.text ?? '')?.[1];
}

/** A confirmed password account, through the API and the dev outbox (or `codeFor`, which may throw until it has one). */
async function passwordAccount(
  origin: string,
  email: string,
  codeFor: (to: string) => string | undefined | Promise<string | undefined> = (to) => outboxCode(origin, to),
): Promise<void> {
  const post = (path: string, body: unknown) =>
    fetch(`${origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  assert.equal((await post('/api/auth/signup', { email, password: PASSWORD })).status, 202);
  let code: string | undefined;
  for (let i = 0; i < 50 && !code; i++) {
    code = await Promise.resolve()
      .then(() => codeFor(email))
      .catch(() => undefined);
    if (!code) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(code, 'a confirmation code was mailed');
  assert.equal((await post('/api/auth/confirm', { email, confirmation_code: code })).status, 200);
}

test('built-in identity: sign in with Google from the browser, and link it to a password account', async () => {
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const google: LocalOp = await startOidcProvider({
    clients: [{ ...GOOGLE, redirect_uris: [`${origin}/api/auth/oauth/google/callback`] }],
  });
  cleanups.push(() => google.close());
  await serve(port, {
    GOOGLE_ISSUER: google.issuer,
    GOOGLE_CLIENT_ID: GOOGLE.client_id,
    GOOGLE_CLIENT_SECRET: GOOGLE.client_secret,
  });
  let page = await (await browser.newContext()).newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));

  // A new person: the button, Google, and back on the profile, signed in.
  const email = `social.browser.${Date.now()}@example.test`;
  google.signInAs({ sub: `g-${Date.now()}`, email, email_verified: true, name: 'Grace Hopper' });
  await page.goto(`${origin}/signin`);
  await page.getByRole('link', { name: 'Continue with Google' }).waitFor();
  await checkA11y(page, 'sign-in with provider buttons');
  await page.getByRole('link', { name: 'Continue with Google' }).click();
  assert.equal(await signedInProfile(page, origin), email);
  await nav(page, 'Security').click();
  await page.getByRole('heading', { name: 'Sign-in providers' }).waitFor();
  assert.equal(
    await page.getByRole('button', { name: 'Remove Google' }).isDisabled(),
    true,
    'not the only way in',
  );
  await page.getByText('This is your only way to sign in').waitFor();
  await checkA11y(page, 'security with linked providers');
  await page.getByRole('button', { name: 'Sign out' }).first().click();
  await page.waitForURL(/\/signin\?signed_out=1/);

  // A password user, in a browser of their own (Google remembers who signed in there): Google
  // claiming the address is refused until the user links it, signed in.
  const owner = `owner.browser.${Date.now()}@example.test`;
  await passwordAccount(origin, owner);
  google.signInAs({ sub: `g-owner-${Date.now()}`, email: owner, email_verified: true });
  const first = page;
  page = await (await browser.newContext()).newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  await first.close();
  await page.goto(`${origin}/signin`);
  await page.getByRole('link', { name: 'Continue with Google' }).click();
  await page.waitForURL(/\/signin\?oauth_error=ACCOUNT_EXISTS/);
  await page.getByText('An account with this email already exists').waitFor();
  await page.getByLabel('Email').fill(owner);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${origin}/dashboard`);
  await nav(page, 'Security').click();
  await page.getByRole('button', { name: 'Link Google' }).click();
  await page.waitForURL(`${origin}/security?linked=google`);
  await page.getByText('Google is linked').waitFor();
  await page.getByRole('button', { name: 'Sign out' }).first().click();
  await page.waitForURL(/\/signin\?signed_out=1/);
  await page.getByRole('link', { name: 'Continue with Google' }).click();
  assert.equal(await signedInProfile(page, origin), owner);
  assert.deepEqual(errors, []);
});

test('Cognito mode: sign in with Google through the Hosted UI, and link it to a password account', async () => {
  const local = await startCognitoLocal();
  cleanups.push(() => local.close());
  const admin = new CognitoIdentityProviderClient({ region: local.region, endpoint: local.endpoint });
  cleanups.push(() => admin.destroy());
  const port = await freePort();
  const origin = `http://localhost:${port}`;
  const hostedUi = await startHostedUi(local, [`${origin}/api/auth/oauth/google/callback`]);
  cleanups.push(() => hostedUi.close());
  await serve(port, hostedUiSettings(local, hostedUi, 'Google'));
  // The pool user the Hosted UI made for this Google account.
  const email = `hosted.browser.${Date.now()}@example.test`;
  hostedUi.signInAs((await federatedPoolUser(admin, local, email)).person);
  let page = await (await browser.newContext()).newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${origin}/signin`);
  await page.getByRole('link', { name: 'Continue with Google' }).click();
  assert.equal(await signedInProfile(page, origin), email);
  await page.close();

  // A password user, in a browser of their own, links another Google account from the security page.
  const owner = `owner.hosted.${Date.now()}@example.test`;
  await passwordAccount(origin, owner, (to) => local.codeFor(to));
  const google = await federatedPoolUser(admin, local, `google.of.owner.${Date.now()}@example.test`);
  page = await (await browser.newContext()).newPage();
  page.on('pageerror', (e) => errors.push(String(e)));
  await page.goto(`${origin}/signin`);
  await page.getByLabel('Email').fill(owner);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForURL(`${origin}/dashboard`);
  const ownerId = String(
    ((await (await page.request.get(`${origin}/api/users/me`)).json()) as { user_id: string }).user_id,
  );
  await nav(page, 'Security').click();
  hostedUi.signInAs(google.person);
  const linkCalls = () => local.calls.filter((c) => c.operation === 'AdminLinkProviderForUser').length;
  const before = linkCalls();
  await page.getByRole('button', { name: 'Link Google' }).click();
  await page.waitForURL(`${origin}/security?linked=google`);
  await page.getByText('Google is linked').waitFor();
  assert.equal(linkCalls(), before + 1, 'the pool was asked to link it');
  await checkA11y(page, 'security with a provider linked in Cognito mode');

  // Cognito now signs that Google account in as the owner: the same account here.
  await page.getByRole('button', { name: 'Sign out' }).first().click();
  await page.waitForURL(/\/signin\?signed_out=1/);
  hostedUi.signInAs(linkedPerson({ sub: ownerId, email: owner }, google.subject));
  await page.getByRole('link', { name: 'Continue with Google' }).click();
  assert.equal(await signedInProfile(page, origin), owner);

  // With a password, the owner may remove it.
  await nav(page, 'Security').click();
  await page.getByRole('button', { name: 'Remove Google' }).click();
  await page.getByRole('button', { name: 'Link Google' }).waitFor();
  assert.ok(local.calls.some((c) => c.operation === 'AdminDisableProviderForUser'));
  assert.deepEqual(errors, []);
});
