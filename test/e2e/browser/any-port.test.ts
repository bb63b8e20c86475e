/**
 * A newcomer changes the port and nothing else: the server (dist/server.js as `npm start` runs it)
 * gets only PORT (and a fresh DATA_DIR), and Chromium completes sign-up, confirmation through the
 * dev mailbox's link, and sign-in at http://localhost:PORT and at http://127.0.0.1:PORT, with no
 * console error. A foreign Origin is still refused, and the refusal is logged with what to set.
 */
import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, test } from 'node:test';
import type { Browser } from 'playwright-core';
import { freePort, waitFor } from '../../helpers/kit.ts';
import { launchChromium, open, PASSWORD, passwordField, signIn, startServer } from './browser-kit.ts';

let browser: Browser;
let server: Awaited<ReturnType<typeof startServer>>;
let port = 0;
before(async () => {
  browser = await launchChromium();
  port = await freePort();
  server = await startServer(port, {}); // PORT and DATA_DIR only: every other setting its default
});
after(async () => {
  await browser?.close();
  await server?.stop();
});

for (const host of ['localhost', '127.0.0.1']) {
  test(`sign-up, confirmation from the mailbox link, and sign-in at http://${host}:PORT`, async () => {
    const origin = `http://${host}:${port}`;
    const here = origin.replaceAll('.', '\\.');
    const email = `any-port.${host}.${Date.now()}@example.test`;
    const context = await browser.newContext();
    const { page, problems } = await open(context);

    await page.goto(`${origin}/signup`);
    await page.getByLabel('Email').fill(email);
    await passwordField(page).fill(PASSWORD);
    await page.getByRole('button', { name: 'Create account' }).click();
    await page.waitForURL(`${origin}/confirm?email=${encodeURIComponent(email)}`);

    // The mail's link points where this browser is, so its cookie will be there too.
    await page.goto(`${origin}/mailbox`);
    const link = page
      .getByRole('article', { name: `Message to ${email}` })
      .getByRole('link', { name: /\/confirm\?email=/ });
    // The mailbox makes a link of an address only when it is the page's own origin.
    const text = (await link.textContent()) ?? '';
    assert.ok(text.startsWith(`${origin}/confirm?`), text);
    await link.click();
    await page.waitForURL(new RegExp(`^${here}/confirm\\?email=.*&code=\\d{6}$`));
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.waitForURL(new RegExp(`^${here}/signin\\?confirmed=1`));

    await signIn(page, email);
    await page.waitForURL(`${origin}/dashboard`);
    await page.getByRole('heading', { level: 1 }).waitFor();
    assert.deepEqual(problems, [], `no console error, CSP refusal or failed call at ${origin}`);
    await context.close();
  });
}

test('a foreign Origin is still refused, and the log says what came and what to set', async () => {
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        method: 'POST',
        path: '/api/session',
        headers: { 'content-type': 'application/json', origin: 'https://evil.test' },
      },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ email: 'someone@example.test', password: PASSWORD }));
  });
  assert.equal(status, 403);
  const refusal = () =>
    server
      .output()
      .split('\n')
      .find((l) => l.includes('Refused POST /api/session'));
  const line = await waitFor(refusal, { what: `the refusal in the log:\n${server.output()}` });
  assert.match(line, /its Origin is \\"https:\/\/evil\.test\\"\. APP_ORIGIN is http:\/\/localhost:\d+;/);
});
