/**
 * The signed-in home: the account's next steps and the plan-gated data feed (GET /api/data). Items
 * above the user's plan are listed together under the feed, each with the plan that includes it,
 * and one link leads to the plans.
 */
import { useEffect, useState } from 'react';
import { api, type DemoData, type Plans } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { Link } from '../router.tsx';
import { Card, Loading, messageOf, Notice } from '../ui.tsx';

/** The plans' names by id, from the server (they come from its plans file). */
function usePlanNames(): Record<string, string> {
  const [plans, setPlans] = useState<Plans | null>(null);
  useEffect(() => {
    api.plans().then(
      (p) => setPlans(p.plans),
      () => undefined,
    );
  }, []);
  return Object.fromEntries((plans ?? []).map((p) => [p.id, p.name]));
}

function NextSteps() {
  const { user } = useAuth();
  if (!user) return null;
  const steps = [
    { done: user.mfa_enabled, label: 'Turn on two-step verification', to: '/security' },
    { done: Boolean(user.photo_url), label: 'Add a profile photo', to: '/account' },
    { done: user.plan === 'basic' || user.plan === 'premium', label: 'Choose a plan', to: '/billing' },
  ];
  const left = steps.filter((s) => !s.done).length;
  return (
    <Card title="Your account">
      <p className="muted">
        {left === 0 ? 'All set: nothing left to do.' : `${steps.length - left} of ${steps.length} done.`}
      </p>
      <ul className="checklist">
        {steps.map((s) => (
          <li key={s.label} className={s.done ? 'done' : undefined}>
            <span className="check" aria-hidden="true">
              {s.done ? '✓' : ''}
            </span>
            {s.done ? (
              <span>
                {s.label} <span className="visually-hidden">(done)</span>
              </span>
            ) : (
              <Link to={s.to}>{s.label}</Link>
            )}
          </li>
        ))}
      </ul>
    </Card>
  );
}

function DataFeed({ names }: { names: Record<string, string> }) {
  const { user } = useAuth();
  const [data, setData] = useState<DemoData | null>(null);
  const [error, setError] = useState<string | null>(null);
  // Asked again whenever the plan changes (for instance after a checkout in another tab).
  // biome-ignore lint/correctness/useExhaustiveDependencies: the plan is the trigger, not an input.
  useEffect(() => {
    api.data().then(
      (d) => {
        setData(d);
        setError(null);
      },
      (e) => setError(messageOf(e)),
    );
  }, [user?.plan]);
  const open = data?.data.filter((item) => !item.locked) ?? [];
  const locked = data?.data.filter((item) => item.locked) ?? [];
  return (
    <Card title="Your data feed">
      {error ? <Notice kind="error">{error}</Notice> : null}
      {!data && !error ? <Loading /> : null}
      {data && open.length === 0 ? <p className="empty">Nothing in your feed yet.</p> : null}
      <ul className="feed">
        {open.map((item) => (
          <li key={item.id}>
            <h3>{item.title}</h3>
            <p>{item.body}</p>
          </li>
        ))}
      </ul>
      {locked.length ? (
        <section className="upsell" aria-labelledby="upsell-title">
          <h3 id="upsell-title">More in your feed with a paid plan</h3>
          <ul>
            {locked.map((item) => (
              <li key={item.id}>
                {item.title} <span className="badge">{names[item.required_plan] ?? 'Paid plans'}</span>
              </li>
            ))}
          </ul>
          <Link to="/billing" className="btn btn-secondary btn-small">
            Compare plans
          </Link>
        </section>
      ) : null}
    </Card>
  );
}

export default function Dashboard() {
  const { user } = useAuth();
  const names = usePlanNames();
  return (
    <div>
      <h1 tabIndex={-1}>Dashboard</h1>
      <p className="muted page-lead">
        Welcome{user?.name ? `, ${user.name}` : ''}. You are on the{' '}
        <strong>{user ? (names[user.plan] ?? user.plan) : ''}</strong> plan.
      </p>
      <div className="grid-2">
        <DataFeed names={names} />
        <NextSteps />
      </div>
    </div>
  );
}
