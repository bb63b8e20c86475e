/**
 * Billing: the current plan and what its state means (one label, one sentence), the plans to
 * choose or switch to, the portal and the invoices. A plan changes only when the provider's signed
 * webhook lands, never on the redirect back, so the page watches for it: after a paid checkout
 * (only when the return page sends the browser here: a declined or abandoned checkout waits for
 * nothing), after a plan switch or a visit to the portal (for a while, showing each change as it
 * lands), and whenever the tab comes back into view.
 */
import { useCallback, useEffect, useState } from 'react';
import { api, type Invoices, type Plans, type Subscription } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { useConfirm } from '../dialog.tsx';
import { useRouter } from '../router.tsx';
import { Button, Card, Loading, messageOf, Notice } from '../ui.tsx';
import { formatDay, InvoiceTable, money, PlanCard, stateText } from './billing-parts.tsx';

/** Set when the user leaves for checkout: the plan the page then waits for. */
const PENDING = 'gatehouse.checkout';
/** Set when the user leaves for the portal: the subscription as it was, to notice what changed. */
const BEFORE_PORTAL = 'gatehouse.portal';
/** A portal visit may have changed nothing: its watch is short. A plan switch is known to come. */
const WATCH_MS = { checkout: 120_000, change: 30_000, portal: 10_000 };

type Watch =
  | { kind: 'checkout'; plan: string }
  | { kind: 'change' | 'portal'; before: string | null; message: string }
  | null;
/** What a portal visit or a plan switch can change; a difference means its webhook has landed. */
const state = (s: Subscription) =>
  JSON.stringify([s.plan, s.state, s.current_period_end, s.scheduled_plan, s.payment_failed]);
const PAID = new Set(['active', 'canceling', 'past_due', 'unpaid']);

function initialWatch(query: URLSearchParams): Watch {
  const plan = sessionStorage.getItem(PENDING);
  // Only a paid checkout's return page sends the browser here with from=checkout.
  if (plan && query.get('from') === 'checkout') return { kind: 'checkout', plan };
  sessionStorage.removeItem(PENDING);
  if (query.get('from') !== 'portal') return null;
  return {
    kind: 'portal',
    before: sessionStorage.getItem(BEFORE_PORTAL),
    message: 'Checking for the changes you made in the billing portal…',
  };
}

export default function Billing() {
  const { refresh } = useAuth();
  const { location, navigate } = useRouter();
  const [dialog, confirm] = useConfirm();
  const [sub, setSub] = useState<Subscription | null>(null);
  const [plans, setPlans] = useState<Plans | null>(null);
  const [invoices, setInvoices] = useState<Invoices | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [watch, setWatch] = useState<Watch>(() => initialWatch(location.query));

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

  const leave = async (action: () => Promise<{ url: string }>, label: string, plan?: string) => {
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

  const portal = () => leave(api.portal, 'portal');
  const text = stateText(sub);
  const subscribed = PAID.has(sub.state);
  const renewal = sub.current_period_end ? formatDay(sub.current_period_end) : null;

  const switchTo = async (p: Plans[number]) => {
    const upgrade = p.price > (plans?.find((x) => x.id === sub.plan)?.price ?? 0);
    const keep = p.id === sub.plan;
    const price = `${money(p.price, p.currency)} a ${p.interval}`;
    const ok =
      keep ||
      (await confirm(
        upgrade
          ? {
              title: `Switch to ${p.name} now?`,
              body: `You get ${p.name} at once. Your next invoice credits the unused part of ${sub.plan_name} and charges ${p.name} for the rest of this period, on top of the renewal at ${price}.`,
              action: `Switch to ${p.name}`,
            }
          : {
              title: `Switch to ${p.name} at renewal?`,
              body: `You keep ${sub.plan_name} until ${renewal}; from then on you pay ${price}. Nothing is refunded for the current period.`,
              action: `Switch on ${renewal}`,
            },
      ));
    if (!ok) return;
    setBusy(p.id);
    setError(null);
    try {
      await api.changePlan(p.id as 'basic' | 'premium');
      setWatch({
        kind: 'change',
        before: state(sub),
        message: keep ? `Keeping ${p.name}…` : `Switching to ${p.name}…`,
      });
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(null);
    }
  };

  const planAction = (p: Plans[number]) => {
    if (!subscribed) {
      return (
        <Button
          busy={busy === p.id}
          onClick={() => leave(() => api.checkout(p.id as 'basic' | 'premium'), p.id, p.id)}
        >
          {sub.state === 'ended' ? 'Subscribe to' : 'Upgrade to'} {p.name} · {money(p.price, p.currency)}
        </Button>
      );
    }
    if (sub.state !== 'active') return null;
    if (p.id === sub.plan) {
      return sub.scheduled_plan ? (
        <Button kind="secondary" busy={busy === p.id} onClick={() => switchTo(p)}>
          Keep {p.name}
        </Button>
      ) : null;
    }
    if (p.id === sub.scheduled_plan) return <p className="muted small">Starts on {renewal}</p>;
    const upgrade = p.price > (plans?.find((x) => x.id === sub.plan)?.price ?? 0);
    return (
      <Button kind={upgrade ? 'primary' : 'secondary'} busy={busy === p.id} onClick={() => switchTo(p)}>
        {upgrade ? `Switch to ${p.name} now` : `Switch to ${p.name} at renewal`}
      </Button>
    );
  };

  return (
    <div>
      {dialog}
      <h1 tabIndex={-1}>Billing</h1>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {watch ? (
        <Notice kind="info">
          <span className="spinner" aria-hidden="true" />{' '}
          {watch.kind === 'checkout'
            ? 'Confirming your payment: your plan changes here as soon as it is confirmed.'
            : watch.message}
        </Notice>
      ) : null}
      <Card
        title="Your plan"
        actions={
          subscribed ? (
            <Button kind="secondary" busy={busy === 'portal'} onClick={portal}>
              Manage subscription
            </Button>
          ) : null
        }
      >
        <p className="plan-now" aria-live="polite" data-testid="current-plan">
          <strong>{sub.plan_name}</strong>{' '}
          <span
            className={`badge${text.tone === 'on' ? ' badge-on' : text.tone === 'warn' ? ' badge-warn' : ''}`}
          >
            {text.label}
          </span>
        </p>
        <p data-testid="plan-sentence">{text.sentence}</p>
        {sub.payment_failed || sub.state === 'canceling' ? (
          <div className="form-actions">
            {sub.payment_failed ? (
              <Button busy={busy === 'portal'} onClick={portal}>
                Update your payment method
              </Button>
            ) : (
              <Button kind="secondary" busy={busy === 'portal'} onClick={portal}>
                Keep my subscription
              </Button>
            )}
          </div>
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
            {sub.state === 'active' ? 'Change plan' : 'Choose a plan'}
          </h2>
          {subscribed && sub.state !== 'active' ? (
            <p className="muted">
              {sub.state === 'canceling'
                ? 'To change plan, keep your subscription first.'
                : 'To change plan, update your payment method first.'}
            </p>
          ) : null}
          <div className="plans">
            {plans
              .filter((p) => p.price > 0)
              .map((p) => (
                <PlanCard key={p.id} plan={p} current={p.id === sub.plan}>
                  {planAction(p)}
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
