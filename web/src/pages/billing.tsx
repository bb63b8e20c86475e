import { useCallback, useEffect, useState } from 'react';
import { api, type Invoices, type Plans, type Subscription } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { Button, Card, formatDate, Loading, messageOf, Notice } from '../ui.tsx';

const money = (amount: number, currency: string) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency: currency.toUpperCase() }).format(
    amount / 100,
  );

/** Set when the user leaves for checkout, so the page watches for the plan to change on return. */
const PENDING = 'gatehouse.checkout';

export default function Billing() {
  const { refresh } = useAuth();
  const [sub, setSub] = useState<Subscription | null>(null);
  const [plans, setPlans] = useState<Plans | null>(null);
  const [invoices, setInvoices] = useState<Invoices | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [waiting, setWaiting] = useState(() => sessionStorage.getItem(PENDING));

  const load = useCallback(async () => {
    try {
      const [s, p, i] = await Promise.all([api.subscription(), api.plans(), api.invoices()]);
      setSub(s);
      setPlans(p.plans);
      setInvoices(i.invoices);
      setError(null);
      return s;
    } catch (err) {
      setError(messageOf(err));
      return null;
    }
  }, []);

  useEffect(() => {
    void load();
  }, [load]);

  // Entitlements change only when the signed webhook lands: after a checkout, ask until it has.
  useEffect(() => {
    if (!waiting) return;
    const started = Date.now();
    const timer = setInterval(async () => {
      const s = await load();
      if ((s && s.plan === waiting) || Date.now() - started > 120_000) {
        clearInterval(timer);
        sessionStorage.removeItem(PENDING);
        setWaiting(null);
        await refresh();
      }
    }, 1500);
    return () => clearInterval(timer);
  }, [waiting, load, refresh]);

  const go = async (action: () => Promise<{ url: string }>, label: string, plan?: string) => {
    setBusy(label);
    setError(null);
    try {
      const { url } = await action();
      if (plan) sessionStorage.setItem(PENDING, plan);
      window.location.assign(url);
    } catch (err) {
      setError(messageOf(err));
      setBusy(null);
    }
  };

  if (!sub && !error) return <Loading />;
  const paid = sub && sub.plan !== 'trial';
  return (
    <div>
      <h1 tabIndex={-1}>Billing</h1>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {waiting ? (
        <Notice kind="info">
          <span className="spinner" aria-hidden="true" /> Confirming your payment: your plan changes as soon
          as it is confirmed.
        </Notice>
      ) : null}
      {sub ? (
        <Card title="Your plan">
          <p className="plan-now" aria-live="polite" data-testid="current-plan">
            <strong>{sub.plan_name}</strong> <span className="badge">{sub.status.replaceAll('_', ' ')}</span>
          </p>
          {sub.trial_ends_at && sub.plan === 'trial' ? (
            <p className="muted">Your trial ends {formatDate(sub.trial_ends_at)}.</p>
          ) : null}
          {sub.current_period_end ? (
            <p className="muted">
              {sub.cancel_at_period_end ? 'Ends' : 'Renews'} {formatDate(sub.current_period_end)}.
            </p>
          ) : null}
          {sub.payment_failed ? (
            <Notice kind="error">The last payment failed. Update your payment method in the portal.</Notice>
          ) : null}
          {sub.mode === 'simulator' ? (
            <p className="muted">
              Billing runs on the local simulator: no real money moves. Set a Stripe key to use Stripe.
            </p>
          ) : null}
          {paid ? (
            <Button kind="secondary" busy={busy === 'portal'} onClick={() => go(api.portal, 'portal')}>
              Manage subscription
            </Button>
          ) : null}
        </Card>
      ) : null}
      {!paid && plans ? (
        <div className="plans">
          {plans
            .filter((p) => p.id !== 'trial')
            .map((p) => (
              <article key={p.id} className={`plan plan-${p.id}`}>
                <h2>{p.name}</h2>
                <p className="price">
                  {money(p.price, p.currency)} <span>/ {p.interval}</span>
                </p>
                <ul>
                  {p.features.map((f) => (
                    <li key={f}>{f}</li>
                  ))}
                </ul>
                <Button
                  busy={busy === p.id}
                  onClick={() => go(() => api.checkout(p.id as 'basic' | 'premium'), p.id, p.id)}
                >
                  Upgrade to {p.name}
                </Button>
              </article>
            ))}
        </div>
      ) : null}
      <Card title="Invoices">
        {invoices?.length === 0 ? <p className="empty">No invoices yet.</p> : null}
        {invoices?.length ? (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Date</th>
                <th scope="col">Number</th>
                <th scope="col">Amount</th>
                <th scope="col">Status</th>
              </tr>
            </thead>
            <tbody>
              {invoices.map((i) => (
                <tr key={i.id}>
                  <td>{formatDate(i.created_at)}</td>
                  <td>
                    {i.hosted_invoice_url ? (
                      <a href={i.hosted_invoice_url}>{i.number ?? i.id}</a>
                    ) : (
                      (i.number ?? i.id)
                    )}
                  </td>
                  <td>{money(i.amount_paid || i.amount_due, i.currency)}</td>
                  <td>{i.status}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Card>
    </div>
  );
}
