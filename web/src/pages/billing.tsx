/**
 * Billing: the current plan, kept live, the plans to choose from, the portal and the invoices.
 * A plan changes only when the provider's signed webhook lands, never on the redirect back, so
 * the page watches for it: after a checkout (until the plan it was for shows), after a visit to
 * the portal (for a while, showing each change as it lands), and whenever the tab comes back
 * into view (a payment finished in another tab shows at once).
 */
import { useCallback, useEffect, useState } from 'react';
import { api, type Invoices, type Plans, type Subscription } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { useRouter } from '../router.tsx';
import { Button, Card, formatDate, Loading, messageOf, Notice } from '../ui.tsx';
import { InvoiceTable, money, PlanCard } from './billing-parts.tsx';

/** Set when the user leaves for checkout: the plan the page then waits for. */
const PENDING = 'gatehouse.checkout';
/** Set when the user leaves for the portal: the subscription as it was, to notice what changed. */
const BEFORE_PORTAL = 'gatehouse.portal';
const WATCH_MS = { checkout: 120_000, portal: 30_000 };

type Watch = { kind: 'checkout'; plan: string } | { kind: 'portal'; before: string | null } | null;
/** What the portal can change; a difference means its webhook has landed. */
const state = (s: Subscription) =>
  JSON.stringify([s.plan, s.status, s.cancel_at_period_end, s.current_period_end, s.payment_failed]);

export default function Billing() {
  const { refresh } = useAuth();
  const { location, navigate } = useRouter();
  const [sub, setSub] = useState<Subscription | null>(null);
  const [plans, setPlans] = useState<Plans | null>(null);
  const [invoices, setInvoices] = useState<Invoices | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [watch, setWatch] = useState<Watch>(() => {
    const plan = sessionStorage.getItem(PENDING);
    if (plan) return { kind: 'checkout', plan };
    if (location.query.get('from') !== 'portal') return null;
    return { kind: 'portal', before: sessionStorage.getItem(BEFORE_PORTAL) };
  });

  const load = useCallback(async () => {
    try {
      const [s, p, i] = await Promise.all([api.subscription(), api.plans(), api.invoices()]);
      setSub((old) => (old && JSON.stringify(old) === JSON.stringify(s) ? old : s));
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
    const onVisible = () => document.visibilityState === 'visible' && void load();
    document.addEventListener('visibilitychange', onVisible);
    window.addEventListener('focus', onVisible);
    return () => {
      document.removeEventListener('visibilitychange', onVisible);
      window.removeEventListener('focus', onVisible);
    };
  }, [load]);

  // The plan in the header and on the dashboard follows the subscription.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the plan is the trigger.
  useEffect(() => {
    if (sub) void refresh();
  }, [sub?.plan]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: one watch per departure and return.
  useEffect(() => {
    if (!watch) return;
    const started = Date.now();
    let stopped = false;
    const stop = () => {
      stopped = true;
      sessionStorage.removeItem(PENDING);
      sessionStorage.removeItem(BEFORE_PORTAL);
      setWatch(null);
      if (location.query.get('from')) navigate('/billing', true);
    };
    const tick = async () => {
      const s = await load();
      if (stopped) return;
      const landed =
        watch.kind === 'checkout'
          ? s?.plan === watch.plan
          : // Without a record of the state before (a bookmarked link), one fresh look is all there is.
            watch.before === null || (s !== null && state(s) !== watch.before);
      if (landed || Date.now() - started > WATCH_MS[watch.kind]) return stop();
      timer = setTimeout(tick, 1500);
    };
    let timer = setTimeout(tick, 0);
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [watch]);

  const go = async (action: () => Promise<{ url: string }>, label: string, plan?: string) => {
    setBusy(label);
    setError(null);
    try {
      const { url } = await action();
      if (plan) sessionStorage.setItem(PENDING, plan);
      else if (sub) sessionStorage.setItem(BEFORE_PORTAL, state(sub));
      window.location.assign(url);
    } catch (err) {
      setError(messageOf(err));
      setBusy(null);
    }
  };

  if (!sub) {
    return error ? (
      <div>
        <h1 tabIndex={-1}>Billing</h1>
        <Notice kind="error">{error}</Notice>
        <Button kind="secondary" onClick={load}>
          Try again
        </Button>
      </div>
    ) : (
      <Loading />
    );
  }
  const paid = sub.plan !== 'trial';
  const portal = () => go(api.portal, 'portal');
  return (
    <div>
      <h1 tabIndex={-1}>Billing</h1>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {watch ? (
        <Notice kind="info">
          <span className="spinner" aria-hidden="true" />{' '}
          {watch.kind === 'checkout'
            ? 'Confirming your payment: your plan changes here as soon as it is confirmed.'
            : 'Checking for the changes you made in the billing portal…'}
        </Notice>
      ) : null}
      <Card
        title="Your plan"
        actions={
          paid ? (
            <Button kind="secondary" busy={busy === 'portal'} onClick={portal}>
              Manage subscription
            </Button>
          ) : null
        }
      >
        <p className="plan-now" aria-live="polite" data-testid="current-plan">
          <strong>{sub.plan_name}</strong>{' '}
          <span
            className={`badge${sub.status === 'active' || sub.status === 'trialing' ? ' badge-on' : ' badge-warn'}`}
          >
            {sub.status.replaceAll('_', ' ')}
          </span>
        </p>
        {sub.trial_ends_at && sub.plan === 'trial' ? (
          <p className="muted">
            {sub.status === 'trial_expired' ? 'Your trial ended' : 'Your trial ends'}{' '}
            {formatDate(sub.trial_ends_at)}.
          </p>
        ) : null}
        {sub.current_period_end ? (
          <p className="muted">
            {sub.cancel_at_period_end ? 'Ends' : 'Renews'} {formatDate(sub.current_period_end)}
            {sub.cancel_at_period_end ? ': you keep it until then.' : '.'}
          </p>
        ) : null}
        {sub.payment_failed ? (
          <Notice kind="error">
            The last payment failed.{' '}
            <Button kind="link" onClick={portal}>
              Update your payment method
            </Button>
          </Notice>
        ) : null}
        {sub.mode === 'simulator' ? (
          <p className="muted small">
            Test mode: billing runs on the local simulator and no real money moves.
          </p>
        ) : null}
      </Card>
      {plans ? (
        <section aria-labelledby="plans-heading">
          <h2 id="plans-heading" className="section-title">
            {paid ? 'Change plan' : 'Choose a plan'}
          </h2>
          <div className="plans">
            {plans
              .filter((p) => p.id !== 'trial')
              .map((p) => (
                <PlanCard key={p.id} plan={p} current={p.id === sub.plan}>
                  {p.id === sub.plan ? null : paid ? (
                    <Button kind="secondary" busy={busy === 'portal'} onClick={portal}>
                      Switch to {p.name} in the portal
                    </Button>
                  ) : (
                    <Button
                      busy={busy === p.id}
                      onClick={() => go(() => api.checkout(p.id as 'basic' | 'premium'), p.id, p.id)}
                    >
                      Upgrade to {p.name} · {money(p.price, p.currency)}
                    </Button>
                  )}
                </PlanCard>
              ))}
          </div>
        </section>
      ) : null}
      <Card title="Invoices">
        {!invoices ? <Loading /> : null}
        {invoices?.length === 0 ? (
          <p className="empty">No invoices yet. They appear here after each payment.</p>
        ) : null}
        {invoices?.length ? <InvoiceTable invoices={invoices} /> : null}
      </Card>
    </div>
  );
}
