/**
 * What the browser tests share: the built server (`node scripts/build.mjs`, then dist/server.js
 * with the flags `npm start` gives it) on a fresh data folder, Debian's Chromium through playwright-core
 * (CHROMIUM_PATH or /usr/bin/chromium; missing, the tests fail and say how to install it), pages
 * that record console errors and CSP refusals, axe-core (no serious or critical violation), and
 * screenshots (SCREENSHOTS_DIR, e.g. docs/screenshots to refresh the committed set; a temporary
 * folder otherwise).
 */
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, afterEach, before } from 'node:test';
import {
  type Browser,
  type BrowserContext,
  type CDPSession,
  chromium,
  type Locator,
  type Page,
} from 'playwright-core';
import sharp from 'sharp';
import { GATEHOUSE_NODE_ARGS, ROOT } from '../../../bench/servers.ts';
import { settings } from '../../../src/config/settings.ts';
import { freePort, waitFor } from '../../helpers/kit.ts';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const PASSWORD = 'correct horse battery staple violin';
export const SHOTS = process.env.SCREENSHOTS_DIR ?? mkdtempSync(join(tmpdir(), 'gh-shots-'));
const AXE = readFileSync(join(ROOT, 'node_modules/axe-core/axe.min.js'), 'utf8');

export interface Site {
  origin: string;
  browser: Browser;
}

/** Debian's Chromium, as every browser test runs it; a missing one fails the test and says why. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install Debian's chromium package (apt-get install chromium) or set CHROMIUM_PATH.`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
}

/** What the browser tests change besides PORT and DATA_DIR, for speed: cheap hashes, no auth limit, quiet logs. */
export const TEST_SPEED: Readonly<Record<string, string>> = {
  PASSWORD_HASH_COST: '10',
  RATE_LIMIT_AUTH_PER_MINUTE: '10000',
  LOG_LEVEL: 'warn',
};

/**
 * dist/server.js, built first, as `npm start` runs it, on `port` with a fresh data folder and `env`
 * (by default TEST_SPEED; APP_ORIGIN and HOST are left to their defaults, as a newcomer leaves them).
 * Paths are the repository's, whatever the working directory (cognito-local changes it).
 */
export async function startServer(
  port: number,
  env: Record<string, string> = TEST_SPEED,
): Promise<{ origin: string; output(): string; stop(): Promise<void> }> {
  const built = spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: 180_000,
  });
  assert.equal(built.status, 0, built.stderr);
  const origin = `http://localhost:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), 'gh-browser-'));
  let output = '';
  const server: ChildProcess = spawn(
    process.execPath,
    [...GATEHOUSE_NODE_ARGS, join(ROOT, 'dist/server.js')],
    {
      cwd: ROOT,
      env: { ...withoutSettings(process.env), PORT: String(port), DATA_DIR: dataDir, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  server.stdout?.on('data', (d) => (output += d));
  server.stderr?.on('data', (d) => (output += d));
  const stop = async () => {
    if (server.exitCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    rmSync(dataDir, { recursive: true, force: true });
  };
  // A deadline, not a count of tries: in AWS mode a start makes the table on DynamoDB Local, which
  // took over 15 s while the whole suite loaded both cores. A server that exits fails at once.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const ok = await fetch(`${origin}/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { origin, output: () => output, stop };
    if (Date.now() > deadline || server.exitCode !== null) {
      await stop();
      throw new Error(`the server did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The environment without Gatehouse's own settings, so a developer's shell cannot change a test. */
function withoutSettings(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const names = new Set(Object.values(settings).map((s) => s.name));
  return Object.fromEntries(Object.entries(env).filter(([name]) => !names.has(name)));
}

/** Starts the server and the browser before the file's tests, and stops both after them. */
export function startSite(env: Record<string, string> = {}): Site {
  const site = { origin: '', browser: undefined as unknown as Browser };
  let server: Awaited<ReturnType<typeof startServer>> | undefined;
  before(async () => {
    mkdirSync(SHOTS, { recursive: true });
    site.browser = await launchChromium();
    server = await startServer(await freePort(), { ...TEST_SPEED, ...env });
    site.origin = server.origin;
  });
  // A failed test says where its pages were and what the server printed: CI keeps only the text.
  afterEach(async (t) => {
    const pages = [...opened];
    opened.clear();
    // `passed` is Node's since 21.7; @types/node 22 does not name it yet.
    if (!('diagnostic' in t) || (t as { passed?: boolean }).passed !== false) return;
    for (const { page, events } of pages) {
      if (page.isClosed()) {
        t.diagnostic(`${CONTEXT} a page, closed; its last events: ${events.join(' | ')}`);
        continue;
      }
      const main = await page
        .locator('main')
        .innerText({ timeout: 2000 })
        .catch((e: Error) => `(unread: ${e.message.split('\n')[0]})`);
      t.diagnostic(`${CONTEXT} page at ${page.url()}; it shows: ${main.replace(/\s+/g, ' ').slice(0, 600)}`);
      t.diagnostic(`${CONTEXT} its last events: ${events.join(' | ')}`);
    }
    t.diagnostic(`${CONTEXT} the server printed: ${server?.output().slice(-1500) || '(nothing)'}`);
  });
  after(async () => {
    await site.browser?.close();
    await server?.stop();
    if (!process.env.SCREENSHOTS_DIR) rmSync(SHOTS, { recursive: true, force: true });
  });
  return site;
}

/** A page that records console errors, failed API calls and CSP refusals; `expect` clears one. */
/**
 * What a failing test's diagnostics start with; scripts/run-tests.mjs repeats such lines at the end
 * of the run, next to the failures, where a CI log's tail shows them.
 */
export const CONTEXT = 'context of the failure:';
/** The pages of the running test, each with its last events (for the diagnostics above). */
const opened = new Set<{ page: Page; events: string[] }>();

export async function open(context: BrowserContext) {
  const page = await context.newPage();
  const problems: string[] = [];
  const started = Date.now();
  const events: string[] = [];
  const note = (what: string) => {
    events.push(`${((Date.now() - started) / 1000).toFixed(2)}s ${what}`);
    if (events.length > 40) events.shift();
  };
  opened.add({ page, events });
  page.on('framenavigated', (f) => f === page.mainFrame() && note(`at ${f.url()}`));
  page.on(
    'request',
    (r) => r.resourceType() === 'fetch' && note(`${r.method()} ${new URL(r.url()).pathname}`),
  );
  page.on(
    'response',
    (r) => r.request().resourceType() === 'fetch' && note(`${r.status()} ${new URL(r.url()).pathname}`),
  );
  page.on('console', (m) => m.type() === 'error' && note(`console: ${m.text().slice(0, 200)}`));
  page.on('console', (m) => {
    // Failed loads are judged by their response below.
    if (m.type() === 'error' && !/^Failed to load resource/.test(m.text())) problems.push(m.text());
  });
  page.on('response', (r) => {
    // Every failed call counts, the session probe's included: signed out is a 200 { user: null }.
    if (r.status() >= 400) problems.push(`${r.status()} ${r.request().method()} ${r.url()}`);
  });
  page.on('pageerror', (e) => problems.push(String(e)));
  /** Takes an expected failure off the list (it must have happened). */
  const expect = (pattern: RegExp) => {
    const i = problems.findIndex((p) => pattern.test(p));
    assert.ok(i >= 0, `expected a failure like ${pattern} in ${JSON.stringify(problems)}`);
    problems.splice(i, 1);
  };
  return { page, problems, expect };
}

/** axe-core on the page as it is now (open dialogs included): no serious or critical violation. */
export async function checkA11y(page: Page, name: string): Promise<void> {
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

/** Checks the page with axe, then saves its screenshot (the whole page, or the viewport for a dialog). */
export async function shoot(page: Page, name: string, opts: { viewport?: boolean } = {}): Promise<void> {
  await checkA11y(page, name);
  await page.evaluate(() => window.scrollTo(0, 0));
  const png = await page.screenshot({ fullPage: !opts.viewport });
  // Recompressed without loss: about a third smaller than Chromium's PNG, for the committed set.
  await sharp(png)
    .png({ compressionLevel: 9, adaptiveFiltering: false })
    .toFile(join(SHOTS, `${name}.png`));
}

/** Nothing sticks out sideways at this width. */
export async function assertNoOverflow(page: Page, what: string): Promise<void> {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  assert.ok(overflow <= 0, `${what} overflows by ${overflow}px`);
}

/** The newest message to `email` in the dev outbox, read on the mailbox page like a newcomer would. */
export async function codeFromMailbox(page: Page, origin: string, email: string): Promise<string> {
  await page.goto(`${origin}/mailbox`);
  const message = page.getByRole('article', { name: `Message to ${email}` }).first();
  await message.waitFor();
  const text = (await message.textContent()) ?? '';
  const code = /\b(\d{6})\b/.exec(text)?.[1];
  assert.ok(code, `a code in: ${text}`);
  return code;
}

export const passwordField = (page: Page, name = 'Password') =>
  page.getByRole('textbox', { name, exact: true });

export async function signIn(page: Page, email: string): Promise<void> {
  // The sign-in form first: an app navigation changes the address before React draws the page, and
  // until then the page left behind may have fields "Email" would match too (Profile has two).
  const button = page.getByRole('button', { name: 'Sign in', exact: true });
  await button.waitFor();
  await page.getByLabel('Email').fill(email);
  await passwordField(page).fill(PASSWORD);
  await button.click();
}

/** An account made through the API (for tests about pages, not about signing up). */
export async function apiUser(origin: string, email: string): Promise<void> {
  const post = (path: string, body: unknown) =>
    fetch(`${origin}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  assert.equal(
    (await post('/api/auth/signup', { email, password: PASSWORD, name: 'Phone User' })).status,
    202,
  );
  const code = await waitFor(
    async () => {
      const mail = (await (await fetch(`${origin}/api/dev/mail?to=${encodeURIComponent(email)}`)).json()) as {
        messages: { text: string }[];
      };
      return /\b(\d{6})\b/.exec(mail.messages[0]?.text ?? '')?.[1];
    },
    { what: `a confirmation code for ${email}` },
  );
  assert.equal((await post('/api/auth/confirm', { email, confirmation_code: code })).status, 200);
}

/** Headers for JSON calls as `email`, signed in through the token API (Bearer). */
export async function apiBearer(origin: string, email: string) {
  const signin = await fetch(`${origin}/api/auth/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: PASSWORD }),
  });
  assert.equal(signin.status, 200, `sign-in of ${email}`);
  const { access_token: token } = (await signin.json()) as { access_token: string };
  return { 'content-type': 'application/json', authorization: `Bearer ${token}` };
}

/**
 * A platform authenticator with resident keys and user verification, as a laptop's fingerprint
 * reader would be (the DevTools protocol's WebAuthn domain, enabled on `cdp`); its id.
 */
export async function addAuthenticator(cdp: CDPSession): Promise<string> {
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: {
      protocol: 'ctap2',
      transport: 'internal',
      hasResidentKey: true,
      hasUserVerification: true,
      isUserVerified: true,
      automaticPresenceSimulation: true,
    },
  });
  return authenticatorId;
}

/** Signs `email` in with the password, opens the Security page and returns its Passkeys card, empty. */
export async function passkeysCard(page: Page, origin: string, email: string): Promise<Locator> {
  await page.goto(`${origin}/signin`);
  await signIn(page, email);
  await page.waitForURL(`${origin}/dashboard`);
  await page.goto(`${origin}/security`);
  const card = page.locator('section.card', { has: page.getByRole('heading', { name: 'Passkeys' }) });
  await card.getByText('No passkey yet.').waitFor();
  return card;
}
