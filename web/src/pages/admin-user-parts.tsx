/**
 * Parts of a user's page on the admin console: their invoices, each paid one with a Refund that
 * opens with the amount still refundable filled in (what was paid, less what was refunded from this
 * console), and their recent history as sentences with a link to all of it in the audit trail.
 */
import { useCallback, useEffect, useId, useState } from 'react';
import { type Audit, api, type Invoices as InvoiceList } from '../api.ts';
import { EventSentence } from '../audit-text.tsx';
import { Modal } from '../dialog.tsx';
import { useForm } from '../form.ts';
import { money } from '../plan-card.tsx';
import { Link } from '../router.tsx';
import { Button, Card, Field, formatDate, formatDay, Loading, messageOf, Notice } from '../ui.tsx';

type Invoice = InvoiceList[number];

/** Digits after the decimal point of a currency: 2 for USD, 0 for JPY. */
const decimalsOf = (currency: string) =>
  new Intl.NumberFormat('en', { style: 'currency', currency: currency.toUpperCase() }).resolvedOptions()
    .maximumFractionDigits ?? 2;

/** "9.00" or "9,00" typed into the amount field, in the smallest unit (900); null if it is no amount. */
export function amountIn(typed: string, currency: string): number | null {
  const digits = decimalsOf(currency);
  const text = typed.trim().replace(',', '.');
  const shape = digits === 0 ? /^\d+$/ : new RegExp(`^\\d+(\\.\\d{1,${digits}})?$`);
  if (!shape.test(text)) return null;
  return Math.round(Number(text) * 10 ** digits);
}

function RefundDialog({
  userId,
  email,
  invoice,
  refundable,
  onClose,
}: {
  userId: string;
  email: string;
  invoice: Invoice;
  refundable: number;
  onClose: (refunded: string | null) => void;
}) {
  const id = useId();
  const digits = decimalsOf(invoice.currency);
  const [amount, setAmount] = useState((refundable / 10 ** digits).toFixed(digits));
  const cents = amountIn(amount, invoice.currency);
  const form = useForm({
    amount:
      cents === null || cents < 1
        ? `Enter an amount, e.g. ${(refundable / 10 ** digits).toFixed(digits)}.`
        : cents > refundable
          ? `At most ${money(refundable, invoice.currency)} can be refunded.`
          : null,
  });
  const submit = form.submit(async () => {
    const out = await api.adminRefund(userId, {
      invoice_id: invoice.id,
      ...(cents ? { amount: cents } : {}),
    });
    onClose(
      `${money(out.amount, out.currency)} of invoice ${invoice.number ?? invoice.id} is refunded to ${email}.`,
    );
  });
  return (
    <Modal labelledBy={`${id}-title`} describedBy={`${id}-body`} onCancel={() => onClose(null)}>
      <form onSubmit={submit} noValidate>
        <h2 id={`${id}-title`}>Refund invoice {invoice.number ?? invoice.id}</h2>
        <p id={`${id}-body`} className="dialog-body">
          {email} paid {money(invoice.amount_paid, invoice.currency)} on {formatDay(invoice.created_at)}.
          {refundable < invoice.amount_paid
            ? ` ${money(refundable, invoice.currency)} of it can still be refunded.`
            : ''}{' '}
          The money goes back to their card.
        </p>
        {form.formError ? <Notice kind="error">{form.formError}</Notice> : null}
        <Field
          label={`Amount to refund (${invoice.currency.toUpperCase()})`}
          name="amount"
          inputMode="decimal"
          autoComplete="off"
          value={amount}
          onChange={(e) => {
            setAmount(e.target.value);
            form.changed('amount');
          }}
          onBlur={form.leave('amount')}
          error={form.show('amount')}
        />
        <div className="dialog-actions">
          <Button type="button" kind="secondary" autoFocus onClick={() => onClose(null)}>
            Cancel
          </Button>
          <Button type="submit" kind="danger" busy={form.busy}>
            Refund {cents && cents <= refundable ? money(cents, invoice.currency) : ''}
          </Button>
        </div>
      </form>
    </Modal>
  );
}

export function Invoices({
  userId,
  email,
  onRefunded,
}: {
  userId: string;
  email: string;
  onRefunded: (note: string) => Promise<void>;
}) {
  const [invoices, setInvoices] = useState<InvoiceList | null>(null);
  const [refunded, setRefunded] = useState<Record<string, number>>({});
  const [error, setError] = useState<string | null>(null);
  const [refunding, setRefunding] = useState<Invoice | null>(null);
  const load = useCallback(async () => {
    try {
      const list = await api.adminUserInvoices(userId);
      setInvoices(list.invoices);
      setRefunded(list.refunded);
      setError(null);
    } catch (err) {
      setError(messageOf(err));
    }
  }, [userId]);
  useEffect(() => {
    void load();
  }, [load]);
  const left = (i: Invoice) => Math.max(0, i.amount_paid - (refunded[i.id] ?? 0));
  return (
    <Card title="Invoices" id="invoices">
      {refunding ? (
        <RefundDialog
          userId={userId}
          email={email}
          invoice={refunding}
          refundable={left(refunding)}
          onClose={async (done) => {
            setRefunding(null);
            if (!done) return;
            await load();
            await onRefunded(done);
          }}
        />
      ) : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
      {!invoices && !error ? <Loading /> : null}
      {invoices?.length === 0 ? <p className="empty">No invoices yet.</p> : null}
      {invoices?.length ? (
        <table className="table table-stack compact">
          <thead>
            <tr>
              <th scope="col">Date</th>
              <th scope="col">Amount</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {invoices.map((i) => (
              <tr key={i.id}>
                <td>
                  {formatDay(i.created_at)} <span className="muted small block">{i.number ?? i.id}</span>
                </td>
                <td data-label="Amount">{money(i.amount_paid || i.amount_due, i.currency)}</td>
                <td data-label="Status">
                  {i.status === 'paid' && refunded[i.id]
                    ? `Paid, ${money(refunded[i.id] ?? 0, i.currency)} refunded`
                    : i.status.charAt(0).toUpperCase() + i.status.slice(1)}
                </td>
                <td>
                  <div className="row-actions">
                    {i.status === 'paid' && left(i) > 0 ? (
                      <Button
                        kind="secondary"
                        className="btn btn-secondary btn-small"
                        aria-label={`Refund invoice ${i.number ?? i.id} of ${formatDay(i.created_at)}`}
                        onClick={() => setRefunding(i)}
                      >
                        Refund…
                      </Button>
                    ) : null}
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Card>
  );
}

/** The user's last events, as the page read them (with the account: one audited look). */
export function RecentActivity({ userId, activity }: { userId: string; activity: Audit }) {
  return (
    <Card
      title="Recent activity"
      id="activity"
      actions={
        <Link to={`/admin/audit?user=${encodeURIComponent(userId)}`} className="btn btn-link btn-small">
          See all
        </Link>
      }
    >
      {activity.events.length === 0 ? <p className="empty">Nothing yet.</p> : null}
      <ul className="list compact events">
        {activity.events.map((e) => (
          <li key={e.id} className={e.outcome === 'failure' ? 'event-failed' : undefined}>
            <span>
              {e.outcome === 'failure' ? <span className="badge badge-warn">Failed</span> : null}{' '}
              <EventSentence event={e} people={activity.users} />
            </span>
            <span className="muted small nowrap">{formatDate(e.at)}</span>
          </li>
        ))}
      </ul>
    </Card>
  );
}
