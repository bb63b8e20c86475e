/**
 * Server-rendered billing pages: the return page after checkout, and the simulator's checkout and
 * portal, each marked as test mode. Every value is HTML-escaped; no inline script or style, so the
 * strict page CSP holds.
 */
import type { SimulatorCheckout, SimulatorPortal } from '../../ports/billing.ts';

const escapeHtml = (value: unknown): string =>
  String(value).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** A tagged template that escapes every interpolated value unless it is already Html. */
class Html {
  constructor(readonly text: string) {}
}
export const html = (strings: TemplateStringsArray, ...values: unknown[]): Html =>
  new Html(
    strings.reduce((out, s, i) => {
      const v = values[i - 1];
      const part =
        v instanceof Html
          ? v.text
          : Array.isArray(v)
            ? v.map((x) => (x instanceof Html ? x.text : escapeHtml(x))).join('')
            : escapeHtml(v);
      return out + part + s;
    }),
  );

export const money = (amount: number, currency: string): string =>
  new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).format(amount / 100);

const date = (seconds: number) => new Date(seconds * 1000).toISOString().slice(0, 10);

function layout(title: string, body: Html, opts: { testMode: boolean; script?: string }): string {
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/assets/base.css">
<link rel="stylesheet" href="/billing/assets/billing.css">
${opts.script ? html`<script src="${opts.script}" defer></script>` : ''}
</head>
<body>
${opts.testMode ? html`<div class="test-mode" role="note">Test mode: the local billing simulator. No real payment is taken.</div>` : ''}
<main>${body}</main>
</body>
</html>`.text;
}

export function returnPage(testMode: boolean): string {
  return layout(
    'Your plan',
    html`<div class="card" aria-live="polite">
<h1 id="status">Confirming your payment…</h1>
<p id="detail" class="muted">This takes a moment: your plan changes as soon as the payment is confirmed.</p>
<div class="row"><a class="button secondary" href="/billing">Back to billing</a></div>
</div>`,
    { testMode, script: '/billing/assets/return.js' },
  );
}

export function checkoutPage(c: SimulatorCheckout, planName: string, action: string): string {
  const open = c.status === 'open';
  return layout(
    `Checkout: ${planName}`,
    html`<div class="card">
<p class="muted">Subscribe to</p>
<h1>${planName}</h1>
<p class="amount">${money(c.amount, c.currency)} <span class="muted">per ${c.interval}</span></p>
<p class="muted">Billed to ${c.email}</p>
${
  open
    ? html`<form method="post" action="${action}" class="row">
<button type="submit" name="outcome" value="pay">Pay ${money(c.amount, c.currency)} (test)</button>
<button type="submit" name="outcome" value="decline" class="secondary">Decline</button>
</form>`
    : html`<p class="status-bad">This checkout session is ${c.status}.</p>`
}
</div>`,
    { testMode: true },
  );
}

export function portalPage(
  p: SimulatorPortal,
  names: Record<string, string>,
  action: string,
  notice?: string,
): string {
  const sub = p.subscription;
  const button = (name: string, value: string, label: string, secondary = true) =>
    html`<button type="submit" name="${name}" value="${value}"${secondary ? html` class="secondary"` : ''}>${label}</button>`;
  const subscriptionCard = sub
    ? html`<div class="card">
<h1>${names[sub.priceId] ?? sub.priceId}</h1>
<p>Status: <span class="${sub.status === 'active' ? 'status-good' : 'status-bad'}">${sub.status}</span>${
        sub.cancelAtPeriodEnd
          ? html` · ends on ${date(sub.currentPeriodEnd)}`
          : html` · renews on ${date(sub.currentPeriodEnd)}`
      }</p>
<form method="post" action="${action}">
<div class="row">${p.prices
        .filter((x) => x.id !== sub.priceId)
        .map((x) =>
          button('price', x.id, `Switch to ${names[x.id] ?? x.id} (${money(x.amount, x.currency)})`, false),
        )}</div>
<div class="row">${
        sub.cancelAtPeriodEnd
          ? button('action', 'resume', 'Keep my subscription')
          : button('action', 'cancel', 'Cancel at period end')
      }${button('action', 'cancel_now', 'Cancel now')}</div>
<p class="muted">Simulate what Stripe would do later:</p>
<div class="row">${button('action', 'renew', 'A renewal that succeeds')}${button('action', 'fail_renewal', 'A renewal whose payment fails')}</div>
</form>
</div>`
    : html`<div class="card"><h1>No active subscription</h1><p class="muted">Choose a plan in the app to subscribe.</p></div>`;
  return layout(
    'Billing portal',
    html`${notice ? html`<div class="card" role="status">${notice}</div>` : ''}
<p class="muted">Signed in to billing as ${p.email}</p>
${subscriptionCard}
<div class="card">
<h1>Invoices</h1>
${
  p.invoices.length === 0
    ? html`<p class="muted">No invoices yet.</p>`
    : html`<table><thead><tr><th>Number</th><th>Date</th><th>Amount</th><th>Status</th></tr></thead><tbody>${p.invoices.map(
        (i) =>
          html`<tr><td>${i.number ?? i.id}</td><td>${date(i.created)}</td><td>${money(i.amountDue, i.currency)}</td><td>${i.status}</td></tr>`,
      )}</tbody></table>`
}
</div>
<div class="row"><a class="button" href="${p.returnUrl}">Return to the app</a></div>`,
    { testMode: true },
  );
}
