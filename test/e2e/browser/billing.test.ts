/**
 * Billing in Chromium as a customer sees it (issue 15 item 5, issue 21's simulator point): a
 * declined card says nothing was charged and the billing page waits for nothing; leaving checkout
 * with the browser's Back button does not pretend a payment is being confirmed; a cancelled plan
 * says until when it lasts; a failed payment asks for the card and shows no renewal date; the
 * simulator's pages, in the app's look at phone width in the dark theme, in the reader's language,
 * with a way back on every screen. axe-core checks every page.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Page } from 'playwright-core';
import { apiUser, checkA11y, open, shoot, signIn, startSite } from './browser-kit.ts';

const site = startSite();
const phone = { viewport: { width: 375, height: 740 }, colorScheme: 'dark' as const };

async function billingPage(page: Page, email: string) {
  await apiUser(site.origin, email);
  await page.goto(`${site.origin}/billing`);
  await signIn(page, email);
  await page.waitForURL(`${site.origin}/billing`);
  await page.getByTestId('plan-sentence').waitFor();
}

test('a declined card: the checkout says nothing was charged, and back home nothing is "being confirmed"', async () => {
  const context = await site.browser.newContext({ viewport: { width: 1280, height: 860 } });
  const { page, problems } = await open(context);
  await billingPage(page, `declined.${Date.now()}@example.test`);
  await page.getByRole('button', { name: /^Upgrade to Premium/ }).click();
  await page.waitForURL(/\/billing\/simulator\/checkout\//);
  await page.getByRole('button', { name: 'Simulate a declined card' }).click();
  await page.getByText('The card was declined.').waitFor();
  await page.getByText('Nothing was charged. Try again, or go back to Gatehouse.').waitFor();
  await shoot(page, 'simulator-checkout-declined');
  await page.getByRole('link', { name: '← Back to Gatehouse' }).click();
  await page.getByRole('heading', { name: 'Checkout canceled' }).waitFor();
  await page.getByText(/Nothing was charged/).waitFor();
  await checkA11y(page, 'checkout canceled');
  await page.getByRole('link', { name: 'Back to billing' }).click();
  await page.getByTestId('plan-sentence').waitFor();
  await page.waitForLoadState('networkidle');
  assert.equal(await page.getByText('Confirming your payment').count(), 0, 'nothing was paid: no spinner');
  assert.match((await page.getByTestId('current-plan').textContent()) ?? '', /Trial/);

  // Leaving a checkout with the Back button is no payment either.
  await page.getByRole('button', { name: /^Upgrade to Basic/ }).click();
  await page.waitForURL(/\/billing\/simulator\/checkout\//);
  await page.goBack();
  await page.getByTestId('plan-sentence').waitFor();
  await page.waitForLoadState('networkidle');
  assert.equal(await page.getByText('Confirming your payment').count(), 0);
  assert.deepEqual(problems, []);
  await context.close();
});

test('phone, dark, German: the simulator in the app look; cancelled and failed plans say what they mean', async () => {
  const context = await site.browser.newContext({ ...phone, locale: 'de-DE' });
  const { page, problems } = await open(context);
  await billingPage(page, `phone.billing.${Date.now()}@example.test`);
  await page.getByRole('button', { name: /^Upgrade to Basic/ }).click();
  await page.waitForURL(/\/billing\/simulator\/checkout\//);
  await page.getByRole('note').getByText('Test mode:').waitFor();
  // Amounts in the reader's language, the frame and stylesheet of the app.
  await page.getByRole('button', { name: 'Pay 9,00 $' }).waitFor();
  assert.equal(await page.locator('header.site-header .brand').count(), 1);
  await shoot(page, 'simulator-checkout-phone-dark');
  await page.getByRole('button', { name: 'Pay 9,00 $' }).click();
  await page.getByRole('heading', { name: 'You are on Basic' }).waitFor({ timeout: 30_000 });
  await page.getByRole('link', { name: 'Back to billing' }).click();
  await page.getByTestId('current-plan').getByText('Active').waitFor({ timeout: 30_000 });

  await page.getByRole('button', { name: 'Manage subscription' }).click();
  await page.waitForURL(/\/billing\/simulator\/portal\//);
  await page.getByRole('button', { name: 'Cancel at the end of the period' }).click();
  await page.getByText('Canceled: the plan lasts until the end of the period').waitFor();
  // A date in German, in the reader's time zone.
  await page.locator('time[data-format="date"]').first().waitFor();
  assert.match(
    (await page.locator('time[data-format="date"]').first().textContent()) ?? '',
    /\d{1,2}\. \p{L}+ \d{4}/u,
  );
  await shoot(page, 'simulator-portal-phone-dark');
  await page.getByRole('link', { name: 'Return to Gatehouse' }).first().click();
  await page.waitForURL(/\/billing/);
  await page.getByTestId('current-plan').getByText('Canceled').waitFor({ timeout: 30_000 });
  assert.match(
    (await page.getByTestId('plan-sentence').textContent()) ?? '',
    /^You canceled: Basic features remain until .+, then the account moves to the free tier\. Nothing more will be charged\.$/,
  );
  await shoot(page, 'billing-canceling-phone-dark');

  // Keep it, then a renewal whose payment fails.
  await page.getByRole('button', { name: 'Keep my subscription' }).click();
  await page.waitForURL(/\/billing\/simulator\/portal\//);
  await page.getByRole('button', { name: 'Keep my subscription' }).click();
  await page.getByRole('button', { name: 'The period ends: payment fails' }).click();
  await page.getByText('the payment failed').waitFor();
  await page.getByRole('link', { name: 'Return to Gatehouse' }).first().click();
  await page.getByTestId('current-plan').getByText('Payment failed').waitFor({ timeout: 30_000 });
  const sentence = (await page.getByTestId('plan-sentence').textContent()) ?? '';
  assert.match(sentence, /failed: update your card/);
  assert.doesNotMatch(sentence, /Renews/);
  await page.getByRole('button', { name: 'Update your payment method' }).waitFor();
  await shoot(page, 'billing-payment-failed-phone-dark');
  assert.deepEqual(problems, []);
  await context.close();
});
