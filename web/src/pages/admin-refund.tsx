/** Refund a payment (POST /api/admin/refunds): the invoice id from the provider, in full or in part. */
import { useState } from 'react';
import { INVOICE_ID } from '../../../src/http/schemas/formats.ts';
import { api } from '../api.ts';
import { useConfirm } from '../dialog.tsx';
import { useForm } from '../form.ts';
import { money } from '../plan-card.tsx';
import { Button, Card, Field, Notice } from '../ui.tsx';

export function Refund() {
  const [invoice, setInvoice] = useState('');
  const [amount, setAmount] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const [dialog, confirm] = useConfirm();
  const form = useForm(
    {
      invoice: new RegExp(INVOICE_ID).test(invoice.trim())
        ? null
        : 'An invoice id starts with in_, e.g. in_1Pq…',
      amount:
        !amount || /^[1-9]\d*$/.test(amount)
          ? null
          : 'A whole number of the smallest unit (cents), or empty.',
    },
    { invoice_id: 'invoice' },
  );
  const submit = form.submit(async () => {
    setDone(null);
    const ok = await confirm({
      title: `Refund ${invoice.trim()}?`,
      body: (
        <p>
          {amount ? `${amount} (smallest currency unit) goes back` : 'The whole payment goes back'} to the
          customer.
        </p>
      ),
      action: 'Refund',
      danger: true,
    });
    if (!ok) return;
    const out = await api.adminRefund({
      invoice_id: invoice.trim(),
      ...(amount ? { amount: Number(amount) } : {}),
    });
    setDone(`Refund ${out.refund_id}: ${money(out.amount, out.currency)}, ${out.status}.`);
    setInvoice('');
    setAmount('');
    form.reset();
  });
  return (
    <Card title="Refund a payment">
      {dialog}
      <p className="muted small">
        The invoice id comes from the billing provider (Stripe's dashboard, or the simulator).
      </p>
      {done ? <Notice kind="success">{done}</Notice> : null}
      {form.formError ? <Notice kind="error">{form.formError}</Notice> : null}
      <form className="filters" onSubmit={submit} noValidate>
        <Field
          label="Invoice id"
          value={invoice}
          onChange={(e) => {
            setInvoice(e.target.value);
            form.changed('invoice');
          }}
          onBlur={form.leave('invoice')}
          error={form.show('invoice')}
        />
        <Field
          label="Amount (optional, in cents)"
          inputMode="numeric"
          value={amount}
          onChange={(e) => setAmount(e.target.value.trim())}
          onBlur={form.leave('amount')}
          error={form.show('amount')}
        />
        <Button type="submit" kind="secondary" busy={form.busy}>
          Refund
        </Button>
      </form>
    </Card>
  );
}
