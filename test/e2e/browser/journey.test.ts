/**
 * Every journey of the web app in Debian's Chromium, driven by Playwright (playwright-core, never
 * `playwright install`), against the built server (`node scripts/build.mjs`, then dist/server.js,
 * exactly what `npm start` runs): sign-up -> the code from the dev mailbox page -> confirm -> sign
 * in -> TOTP set-up (the code computed here) -> sign out -> sign in with MFA -> profile and photo ->
 * upload, download and delete a file -> a plan through the billing simulator, seen changing live ->
 * an admin disables the user, who is then signed out.
 *
 * On every main page, axe-core must find no serious or critical violation, the page must not log a
 * CSP refusal or an error, and a screenshot is saved (SCREENSHOTS_DIR, e.g. docs/screenshots, to
 * refresh the committed set; a temporary folder otherwise). Chromium comes from CHROMIUM_PATH or
 * /usr/bin/chromium; if it is missing the test fails and says how to install it.
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import sharp from 'sharp';
import { totpAt } from '../../../src/domain/totp.ts';
import { freePort } from '../../helpers/cognito-local.ts';

const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
const PASSWORD = 'correct horse battery staple violin';
const ADMIN = 'admin.browser@example.test';
const SHOTS = process.env.SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'gh-shots-'));
const AXE = readFileSync('node_modules/axe-core/axe.min.js', 'utf8');

let server: ChildProcess;
let origin: string;
let browser: Browser;
let dataDir: string;
let serverOutput = '';

before(async () => {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH.`,
    );
  }
  const built = spawnSync(process.execPath, ['scripts/build.mjs'], { encoding: 'utf8', timeout: 120_000 });
  assert.equal(built.status, 0, built.stderr);
  mkdirSync(SHOTS, { recursive: true });
  dataDir = mkdtempSync(join(tmpdir(), 'gh-browser-'));
  const port = await freePort();
  origin = `http://localhost:${port}`;
  server = spawn(process.execPath, ['dist/server.js'], {
    env: {
      ...process.env,
      PORT: String(port),
      HOST: '127.0.0.1',
      APP_ORIGIN: origin,
      DATA_DIR: dataDir,
      ADMIN_EMAILS: ADMIN,
      PASSWORD_HASH_COST: '10',
      RATE_LIMIT_AUTH_PER_MINUTE: '10000',
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.stdout?.on('data', (d) => (serverOutput += d));
  server.stderr?.on('data', (d) => (serverOutput += d));
  for (let i = 0; ; i++) {
    const ok = await fetch(`${origin}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (i > 150 || server.exitCode !== null) throw new Error(`the server did not start:\n${serverOutput}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
});

after(async () => {
  await browser?.close();
  if (server && server.exitCode === null) {
    const exited = new Promise((r) => server.once('exit', r));
    server.kill('SIGTERM');
    await exited;
  }
  rmSync(dataDir, { recursive: true, force: true });
  if (!process.env.SCREENSHOTS_DIR) rmSync(SHOTS, { recursive: true, force: true });
});

/** A page that records console errors and CSP refusals, which fail the journey. */
async function open(context: BrowserContext): Promise<{ page: Page; problems: string[] }> {
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (m) => {
    // Failed loads are judged by URL below (a 401 from /api/session when signed out is expected).
    if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) problems.push(m.text());
  });
  page.on('response', (r) => {
    const expected401 = r.status() === 401 && new URL(r.url()).pathname === '/api/session';
    if (r.status() >= 400 && !expected401) problems.push(`${r.status()} ${r.request().method()} ${r.url()}`);
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  return { page, problems };
}

/** axe-core on the page as it is now: no serious or critical violation. */
async function checkA11y(page: Page, name: string): Promise<void> {
  // Evaluated through the DevTools protocol, which the page's CSP does not govern.
  await page.evaluate(AXE);
  const violations = await page.evaluate(async () => {
    const w = window as unknown as {
      axe: {
        run(): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }>;
      };
    };
    const out = await w.axe.run();
    return out.violations
      .filter((v) => v.impact === 'serious' || v.impact === 'critical')
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  });
  assert.deepEqual(violations, [], `axe on ${name}`);
}

async function shoot(page: Page, name: string): Promise<void> {
  await checkA11y(page, name);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function codeFromMailbox(page: Page, email: string): Promise<string> {
  await page.goto(`${origin}/mailbox`);
  const message = page.getByRole('article', { name: `Message to ${email}` }).first();
  await message.waitFor();
  const text = (await message.textContent()) ?? '';
  const code = /\b(\d{6})\b/.exec(text)?.[1];
  assert.ok(code, `a code in: ${text}`);
  return code;
}

async function signUpAndConfirm(page: Page, email: string, name: string, shots = false): Promise<void> {
  await page.goto(`${origin}/signup`);
  await page.getByLabel('Name (optional)').fill(name);
  await page.getByLabel('Email').fill(email);
  // The rule is checked as the user types, with the same minimum as the server.
  await page.getByLabel('Password').fill('too short');
  await page.getByText(/Use at least 15 characters/).waitFor();
  await page.getByLabel('Password').fill(PASSWORD);
  if (shots) await shoot(page, 'signup');
  await page.getByRole('button', { name: 'Create account' }).click();
  await page.waitForURL(/\/confirm\?email=/);
  const code = await codeFromMailbox(page, email);
  if (shots) await shoot(page, 'mailbox');
  await page.goto(`${origin}/confirm?email=${encodeURIComponent(email)}`);
  await page.getByLabel('Confirmation code').fill(code);
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.waitForURL(/\/signin\?confirmed=1/);
}

async function signIn(page: Page, email: string): Promise<void> {
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
}

test('the whole journey in the browser', async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const { page, problems } = await open(context);
  const email = `browser.${Date.now()}@example.test`;

  // The landing page shows the plans.
  await page.goto(`${origin}/`);
  await page.getByRole('heading', { name: 'Plans' }).waitFor();
  await page.getByRole('heading', { name: 'Basic' }).waitFor();
  await shoot(page, 'landing');

  // Sign-up, the code from the dev mailbox page, confirmation, sign-in.
  await signUpAndConfirm(page, email, 'Ada Lovelace', true);
  await shoot(page, 'signin');
  await signIn(page, email);
  await page.waitForURL(`${origin}/account`);
  await page.getByRole('heading', { name: 'Profile' }).waitFor();

  // Two-step verification: the secret is read from the page, the code computed here.
  await page.getByRole('link', { name: 'Security' }).click();
  await page.getByRole('button', { name: 'Set up two-step verification' }).click();
  const secret = (await page.getByTestId('totp-secret').textContent())?.trim() ?? '';
  assert.match(secret, /^[A-Z2-7]{16,}$/);
  await shoot(page, 'security-totp');
  await page.getByLabel('Code from your app').fill(totpAt(secret, Date.now()));
  await page.getByRole('button', { name: 'Turn on' }).click();
  await page.getByRole('list', { name: 'Recovery codes' }).waitFor();
  await page.getByRole('button', { name: 'I have saved them' }).click();
  await page.getByText('Where you are signed in').waitFor();
  await shoot(page, 'security');

  // Sign out, then in again with the MFA step.
  await page.getByRole('button', { name: 'Sign out' }).first().click();
  await page.waitForURL(/\/signin\?signed_out=1/);
  await signIn(page, email);
  await page.getByRole('heading', { name: 'Two-step verification' }).waitFor();
  await shoot(page, 'signin-mfa');
  // The next time step: the code that turned MFA on may not be used twice.
  await page.getByLabel('Authentication code').fill(totpAt(secret, Date.now() + 30_000));
  await page.getByRole('button', { name: 'Verify and sign in' }).click();
  await page.waitForURL(`${origin}/account`);

  // Profile and photo.
  await page.getByLabel('Name', { exact: true }).fill('Ada King');
  await page.getByLabel('Phone').fill('+44 20 7946 0958');
  await page.getByRole('button', { name: 'Save profile' }).click();
  await page.getByText('Your profile is saved.').waitFor();
  const png = await sharp({
    create: { width: 400, height: 300, channels: 3, background: { r: 40, g: 90, b: 200 } },
  })
    .png()
    .toBuffer();
  await page
    .locator('input[type=file]')
    .setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: png });
  await page.getByAltText('Preview of your new photo').waitFor();
  await page.getByRole('button', { name: 'Upload photo' }).click();
  await page.getByAltText('Your photo').waitFor();
  assert.match(
    String(await page.getByAltText('Your photo').getAttribute('src')),
    /^\/api\/users\/me\/photo\//,
  );
  await shoot(page, 'profile');

  // Files: upload with progress, download, delete.
  await page.getByRole('link', { name: 'Files' }).click();
  await page.getByText('No files yet').waitFor();
  const content = Buffer.from('The Analytical Engine weaves algebraic patterns.\n'.repeat(2000));
  await page
    .getByLabel('Choose files to upload')
    .setInputFiles({ name: 'notes.txt', mimeType: 'text/plain', buffer: content });
  await page.getByRole('cell', { name: 'notes.txt', exact: true }).waitFor();
  await page.getByRole('list', { name: 'Uploads' }).getByText('Uploaded', { exact: true }).waitFor();
  await shoot(page, 'files');
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    page.getByRole('link', { name: 'Download' }).click(),
  ]);
  const saved = join(SHOTS, `download-${Date.now()}.txt`);
  await download.saveAs(saved);
  assert.deepEqual(readFileSync(saved), content, 'the same bytes come back');
  rmSync(saved);
  page.once('dialog', (d) => void d.accept());
  await page.getByRole('button', { name: 'Delete notes.txt' }).click();
  await page.getByText('No files yet').waitFor();

  // A plan through the billing simulator; the plan changes when its signed webhook lands.
  await page.getByRole('link', { name: 'Billing' }).click();
  await page
    .getByTestId('current-plan')
    .locator('strong', { hasText: /^Trial$/ })
    .waitFor();
  await shoot(page, 'billing');
  await page.getByRole('button', { name: 'Upgrade to Basic' }).click();
  await page.waitForURL(/\/billing\/simulator\//);
  await page.getByRole('button', { name: /^Pay / }).click();
  await page.waitForURL(/\/billing\/return/);
  await page.getByRole('heading', { name: 'You are on Basic' }).waitFor({ timeout: 30_000 });
  await page.getByRole('link', { name: 'Back to billing' }).click();
  await page
    .getByTestId('current-plan')
    .locator('strong', { hasText: /^Basic$/ })
    .waitFor({ timeout: 30_000 });
  await page.getByText('Confirming your payment').waitFor({ state: 'detached', timeout: 30_000 });
  await shoot(page, 'billing-basic');

  // An administrator disables the user, who is then signed out.
  const adminContext = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  const admin = await open(adminContext);
  await signUpAndConfirm(admin.page, ADMIN, 'Grace Admin');
  await signIn(admin.page, ADMIN);
  await admin.page.waitForURL(`${origin}/account`);
  await admin.page.getByRole('link', { name: 'Admin' }).click();
  await admin.page.getByLabel('Search by email or name').fill(email);
  await admin.page.getByRole('button', { name: 'Search' }).click();
  await admin.page.getByRole('button', { name: `Disable ${email}` }).click();
  await admin.page.getByRole('button', { name: `Enable ${email}` }).waitFor();
  await shoot(admin.page, 'admin');
  await page.goto(`${origin}/files`);
  await page.waitForURL(/\/signin\?return_to=%2Ffiles/);
  await page.getByText('Sign in to continue.').waitFor();

  assert.deepEqual(problems, [], 'no console error or CSP refusal on the user pages');
  assert.deepEqual(admin.problems, [], 'no console error or CSP refusal on the admin pages');
  await adminContext.close();
  await context.close();
});

test('phone width: the pages reflow, and nothing overflows sideways', async () => {
  const context = await browser.newContext({ viewport: { width: 375, height: 740 }, colorScheme: 'dark' });
  const { page, problems } = await open(context);
  for (const [path, name] of [
    ['/', 'landing-phone-dark'],
    ['/signin', 'signin-phone-dark'],
    ['/signup', 'signup-phone-dark'],
    ['/confirm?email=someone%40example.test', 'confirm-phone-dark'],
    ['/forgot-password', 'forgot-phone-dark'],
    ['/reset-password?email=someone%40example.test', 'reset-phone-dark'],
    ['/mailbox', 'mailbox-phone-dark'],
    ['/no-such-page', 'not-found-phone-dark'],
  ] as const) {
    const answer = await page.goto(`${origin}${path}`);
    // An address that is no page of the app is the app's not-found page with a real 404.
    assert.equal(answer?.status(), path === '/no-such-page' ? 404 : 200, path);
    const own404 = problems.indexOf(`404 GET ${origin}${path}`);
    if (path === '/no-such-page' && own404 >= 0) problems.splice(own404, 1);
    await page.locator('main h1').waitFor();
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    assert.ok(overflow <= 0, `${path} overflows by ${overflow}px at 375px`);
    await shoot(page, name);
  }
  // A protected page sends the visitor to sign-in and back, same-origin paths only.
  await page.goto(`${origin}/security`);
  await page.waitForURL(/\/signin\?return_to=%2Fsecurity/);
  assert.deepEqual(problems, []);
  await context.close();
});

test('keyboard only: sign-in is reachable and usable without a mouse, and errors keep what was typed', async () => {
  const context = await browser.newContext({ viewport: { width: 1024, height: 768 } });
  const { page } = await open(context);
  await page.goto(`${origin}/signin`);
  await page.locator('main h1').waitFor();
  // The first Tab stop is the skip link, which jumps to the content.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.textContent), 'Skip to content');
  await page.keyboard.press('Enter');
  const stops: string[] = [];
  for (let i = 0; i < 12 && !stops.includes('Email'); i++) {
    await page.keyboard.press('Tab');
    stops.push(
      await page.evaluate(
        () => (document.activeElement as HTMLInputElement | null)?.labels?.[0]?.textContent ?? '',
      ),
    );
  }
  assert.ok(stops.includes('Email'), `Tab reaches the email field: ${JSON.stringify(stops)}`);
  await page.keyboard.type('nobody@example.test');
  await page.keyboard.press('Tab');
  await page.keyboard.type('not the right password at all');
  await page.keyboard.press('Enter');
  await page.getByRole('alert').first().waitFor();
  assert.equal(
    await page.getByLabel('Email').inputValue(),
    'nobody@example.test',
    'the email is kept after an error',
  );
  await context.close();
});
