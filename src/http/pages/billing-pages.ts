/**
 * Server-rendered billing pages: the return page after checkout (both modes), and the simulator's
 * checkout and portal, each in the app's look (page-kit.ts), marked as test mode, with dates and
 * amounts in the reader's language and a way back to the app on every screen. They say what
 * happened to the money in plain words: what is charged, that a decline charged nothing, until when
 * a cancelled plan lasts, which invoices are owed.
 */
import type { InvoiceSummary, SubscriptionSnapshot } from '../../ports/billing.ts';
import type { SimulatorCheckout, SimulatorPortal } from '../../ports/dev-billing.ts';
import { type Formats, type Frame, type Html, html, layout } from './page-kit.ts';

export function returnPage(frame: Frame, canceled: boolean): string {
  if (canceled) {
    return layout(
      'Checkout canceled',
      html`<section class="card" aria-live="polite">
<h1>Checkout canceled</h1>
<p>Nothing was charged, and your plan has not changed. You can choose a plan again at any time.</p>
<div class="form-actions"><a class="btn btn-primary" href="/billing" id="back">Back to billing</a></div>
</section>`,
      frame,
      { script: '/billing/assets/return.js' },
    );
  }
  return layout(
    'Confirming your payment',
    html`<section class="card" aria-live="polite">
<h1 id="status">Confirming your payment…</h1>
<p id="detail" class="muted">The payment went through; your plan changes as soon as the billing provider confirms it, usually within seconds.</p>
<div class="form-actions"><a class="btn btn-secondary" href="/billing?from=checkout" id="back">Back to billing</a></div>
</section>`,
    frame,
    { script: '/billing/assets/return.js' },
  );
}

export function checkoutPage(
  c: SimulatorCheckout,
  planName: string,
  action: string,
  f: Formats,
  frame: Frame,
) {
  const price = f.money(c.amount, c.currency);
  const back = html`<p><a href="${c.cancelUrl}">← Back to Gatehouse</a> <span class="muted">(nothing is charged)</span></p>`;
  let body: Html;
  if (c.status === 'open') {
    body = html`${back}
<section class="card">
<p class="muted">Subscribe to</p>
<h1>${planName}</h1>
<p class="amount">${price} <span class="per">per ${c.interval}</span></p>
<p class="muted wrap">Billed to ${c.email}, every ${c.interval} until you cancel. Today's charge: ${price}.</p>
${
  c.declined
    ? html`<div class="notice notice-error" role="alert"><strong>The card was declined.</strong> Nothing was charged. Try again, or go back to Gatehouse.</div>`
    : ''
}
<p class="test-card">Test card ending in 4242</p>
<form method="post" action="${action}" class="form-actions">
<button type="submit" name="outcome" value="pay" class="btn btn-primary">Pay ${price}</button>
<button type="submit" name="outcome" value="decline" class="btn btn-secondary">Simulate a declined card</button>
</form>
</section>`;
  } else {
    const paid = c.status === 'complete';
    body = html`<section class="card">
<h1>${paid ? 'This checkout is paid' : 'This checkout has expired'}</h1>
<p>${
      paid
        ? 'It was paid already; it cannot be paid twice.'
        : 'A newer checkout was opened, or this one was closed. It can no longer be paid, and nothing was charged.'
    }</p>
<div class="form-actions"><a class="btn btn-primary" href="${paid ? '/billing' : c.cancelUrl}">Back to Gatehouse</a></div>
</section>`;
  }
  return layout(`Checkout: ${planName}`, body, frame);
}

function statusLine(sub: SubscriptionSnapshot, f: Formats, names: Record<string, string>): Html {
  if (sub.status === 'past_due')
    return html`<span class="badge badge-warn">Payment failed</span> The renewal payment failed; Stripe retries it. Update the card to keep the plan.`;
  if (sub.status === 'unpaid')
    return html`<span class="badge badge-warn">Unpaid</span> Payments stopped after failed retries.`;
  if (sub.cancelAtPeriodEnd)
    return html`<span class="badge badge-warn">Canceled</span> Paid features remain until ${f.date(sub.currentPeriodEnd)}; nothing more is charged.`;
  const next = sub.scheduledPriceId ? (names[sub.scheduledPriceId] ?? sub.scheduledPriceId) : null;
  return html`<span class="badge badge-on">Active</span> Renews on ${f.date(sub.currentPeriodEnd)}${
    next ? html`, as ${next}` : ''
  }.`;
}

const INVOICE_STATUS: Record<InvoiceSummary['status'], string> = {
  paid: 'Paid',
  open: 'Open: owed',
  void: 'Void: not owed',
  draft: 'Draft',
  uncollectible: 'Uncollectible',
};

function invoiceTable(invoices: readonly InvoiceSummary[], f: Formats): Html {
  if (invoices.length === 0) return html`<p class="muted">No invoices yet.</p>`;
  return html`<table class="table table-stack"><thead><tr><th scope="col">Invoice</th><th scope="col">Date</th><th scope="col">Amount</th><th scope="col">Status</th></tr></thead><tbody>${invoices.map(
    (i) =>
      html`<tr><td>${i.number ?? i.id}${
        i.lines.length > 1
          ? html`<ul class="lines">${i.lines.map(
              (l) =>
                html`<li><span>${l.description}</span> <span class="nowrap">${f.money(l.amount, i.currency)}</span></li>`,
            )}</ul>`
          : ''
      }</td><td data-label="Date">${f.date(i.created)}</td><td data-label="Amount">${f.money(
        i.status === 'paid' ? i.amountPaid : i.amountDue,
        i.currency,
      )}</td><td data-label="Status"><span class="badge${
        i.status === 'paid' ? ' badge-on' : i.status === 'open' ? ' badge-warn' : ''
      }">${INVOICE_STATUS[i.status]}</span></td></tr>`,
  )}</tbody></table>`;
}

export function portalPage(
  p: SimulatorPortal,
  names: Record<string, string>,
  action: string,
  f: Formats,
  frame: Frame,
  notice?: string,
): string {
  const sub = p.subscription;
  const button = (name: string, value: string, label: string, kind = 'secondary') =>
    html`<button type="submit" name="${name}" value="${value}" class="btn btn-${kind}">${label}</button>`;
  const back = html`<a class="btn btn-primary" href="${p.returnUrl}">Return to Gatehouse</a>`;
  const subscriptionCard = sub
    ? html`<section class="card">
<h2>${names[sub.priceId] ?? sub.priceId}</h2>
<p>${statusLine(sub, f, names)}</p>
<form method="post" action="${action}">
<div class="form-actions">${
        sub.cancelAtPeriodEnd
          ? button('action', 'resume', 'Keep my subscription', 'primary')
          : button('action', 'cancel', 'Cancel at the end of the period')
      }${button('action', 'cancel_now', 'Cancel now', 'danger')}</div>
<h3 class="section-title">Simulate what Stripe does later</h3>
<p class="muted small">${
        sub.status === 'past_due'
          ? 'Stripe retries the failed payment over the following days.'
          : sub.cancelAtPeriodEnd
            ? 'When the period ends, the subscription ends.'
            : 'When the period ends, Stripe bills the next one (with any upgrade credit and charge on it).'
      }</p>
<div class="form-actions">${
        sub.status === 'past_due'
          ? html`${button('action', 'renew', 'The retry succeeds')}${button('action', 'fail_renewal', 'The retry fails too')}`
          : html`${button('action', 'renew', 'The period ends: paid')}${
              sub.cancelAtPeriodEnd ? '' : button('action', 'fail_renewal', 'The period ends: payment fails')
            }`
      }</div>
</form>
</section>`
    : html`<section class="card"><h2>No active subscription</h2><p class="muted">Choose a plan in Gatehouse to subscribe.</p></section>`;
  return layout(
    'Billing portal',
    html`<div class="page-head"><h1>Billing portal</h1>${back}</div>
${notice ? html`<div class="notice notice-success" role="status">${notice}</div>` : ''}
<p class="muted wrap">Signed in to billing as ${p.email}</p>
${subscriptionCard}
<section class="card">
<h2>Invoices</h2>
${invoiceTable(p.invoices, f)}
</section>
<div class="form-actions">${back}</div>`,
    frame,
    { home: p.returnUrl, wide: true },
  );
}
