/**
 * The billing page's words and tables: one human label and one sentence for each state of the
 * account (the server's `state`), and the invoice list (a table on wide screens, stacked rows on
 * phones) that says which invoices are owed and shows an upgrade's proration lines.
 */
import type { Invoices, Subscription } from '../api.ts';
import { money } from '../plan-card.tsx';

export { money, PlanCard } from '../plan-card.tsx';

/** A day in the reader's language and time zone ("2 January 2026"). */
export const formatDay = (iso: string): string =>
  new Date(iso).toLocaleDateString(undefined, { dateStyle: 'long' });

export interface StateText {
  readonly label: string;
  readonly tone: 'on' | 'warn' | 'neutral';
  readonly sentence: string;
}

/** What the account's state means, in one label and one sentence. */
export function stateText(sub: Subscription): StateText {
  const day = (iso: string | null) => (iso ? formatDay(iso) : 'soon');
  const ended = sub.ended_plan_name ?? 'paid';
  switch (sub.state) {
    case 'trial':
      return {
        label: 'Running',
        tone: 'on',
        sentence: `Your free trial runs until ${day(sub.trial_ends_at)}. Nothing is charged unless you choose a plan.`,
      };
    case 'trial_ended':
      return {
        label: 'Trial ended',
        tone: 'warn',
        sentence: `Your trial ended on ${day(sub.trial_ends_at)}. Your files stay available to view and download; choose a plan to upload again.`,
      };
    case 'active':
      return {
        label: 'Active',
        tone: 'on',
        sentence: sub.scheduled_plan_name
          ? `Renews on ${day(sub.current_period_end)} as ${sub.scheduled_plan_name}; you keep ${sub.plan_name} until then.`
          : `Renews on ${day(sub.current_period_end)}.`,
      };
    case 'canceling':
      return {
        label: 'Canceled',
        tone: 'warn',
        sentence: `You canceled: ${sub.plan_name} features remain until ${day(sub.current_period_end)}, then the account moves to the free tier. Nothing more will be charged.`,
      };
    case 'past_due':
      return {
        label: 'Payment failed',
        tone: 'warn',
        sentence: `The last payment for ${sub.plan_name} failed: update your card. You keep ${sub.plan_name} while the payment is retried.`,
      };
    case 'unpaid':
      return {
        label: 'Unpaid',
        tone: 'warn',
        sentence: `Payments for ${ended} failed and the retries are over, so its features are paused. Update your card and pay the open invoice to get them back.`,
      };
    case 'ended':
      return {
        label: 'Ended',
        tone: 'neutral',
        sentence: `Your ${ended} plan has ended and nothing more will be charged. Your files stay available; choose a plan to upload again.`,
      };
  }
}

const INVOICE_STATUS: Record<Invoices[number]['status'], { label: string; tone: string }> = {
  paid: { label: 'Paid', tone: ' badge-on' },
  open: { label: 'Owed', tone: ' badge-warn' },
  void: { label: 'Void: not owed', tone: '' },
  draft: { label: 'Draft', tone: '' },
  uncollectible: { label: 'Written off', tone: '' },
};

export function InvoiceTable({ invoices }: { invoices: Invoices }) {
  return (
    <table className="table table-stack">
      <thead>
        <tr>
          <th scope="col">Invoice</th>
          <th scope="col">Date</th>
          <th scope="col">Amount</th>
          <th scope="col">Status</th>
        </tr>
      </thead>
      <tbody>
        {invoices.map((i) => (
          <tr key={i.id}>
            <td>
              {i.hosted_invoice_url ? (
                <a href={i.hosted_invoice_url} rel="noopener noreferrer" target="_blank">
                  {i.number ?? i.id}
                </a>
              ) : (
                (i.number ?? i.id)
              )}
              {i.invoice_pdf ? (
                <>
                  {' '}
                  · <a href={i.invoice_pdf}>PDF</a>
                </>
              ) : null}
              {i.lines.some((l) => l.proration) ? (
                <ul className="invoice-lines">
                  {i.lines.map((l) => (
                    <li key={`${l.description}${l.amount}`}>
                      <span>{l.description}</span>{' '}
                      <span className="nowrap">{money(l.amount, i.currency)}</span>
                    </li>
                  ))}
                </ul>
              ) : null}
            </td>
            <td data-label="Date">{formatDay(i.created_at)}</td>
            <td data-label="Amount">
              {money(i.status === 'paid' ? i.amount_paid : i.amount_due, i.currency)}
            </td>
            <td data-label="Status">
              <span className={`badge${INVOICE_STATUS[i.status].tone}`}>
                {INVOICE_STATUS[i.status].label}
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
