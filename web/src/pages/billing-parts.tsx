/** The billing page's invoice list (a table on wide screens, stacked rows on phones). */
import type { Invoices } from '../api.ts';
import { money } from '../plan-card.tsx';
import { formatDate } from '../ui.tsx';

export { money, PlanCard } from '../plan-card.tsx';

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
            </td>
            <td data-label="Date">{formatDate(i.created_at)}</td>
            <td data-label="Amount">{money(i.amount_paid || i.amount_due, i.currency)}</td>
            <td data-label="Status">
              <span
                className={`badge${i.status === 'paid' ? ' badge-on' : i.status === 'open' ? ' badge-warn' : ''}`}
              >
                {i.status}
              </span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
