import { useEffect, useState } from 'react';
import { api, type Plans } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { Link } from '../router.tsx';
import { Loading, messageOf, Notice } from '../ui.tsx';

const price = (amount: number, currency: string) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency: currency.toUpperCase() }).format(
    amount / 100,
  );

export function Landing() {
  const { user } = useAuth();
  const [plans, setPlans] = useState<Plans | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.plans().then(
      (r) => setPlans(r.plans),
      (e) => setError(messageOf(e)),
    );
  }, []);
  return (
    <div className="landing">
      <section className="hero">
        <h1 tabIndex={-1}>Accounts, security and billing, done properly.</h1>
        <p className="lead">
          Sign-up with email confirmation, two-step verification, private files and subscriptions: a finished
          foundation for your product, on one machine or on AWS.
        </p>
        <div className="actions">
          {user ? (
            <Link to="/account" className="btn btn-primary">
              Go to your account
            </Link>
          ) : (
            <>
              <Link to="/signup" className="btn btn-primary">
                Start your free trial
              </Link>
              <Link to="/signin" className="btn btn-secondary">
                Sign in
              </Link>
            </>
          )}
        </div>
      </section>
      <section id="plans" aria-labelledby="plans-title">
        <h2 id="plans-title">Plans</h2>
        {error ? <Notice kind="error">{error}</Notice> : null}
        {!plans && !error ? <Loading label="Loading plans…" /> : null}
        <div className="plans">
          {plans?.map((p) => (
            <article key={p.id} className={`plan plan-${p.id}`}>
              <h3>{p.name}</h3>
              <p className="price">
                {p.price === 0 ? 'Free' : price(p.price, p.currency)}
                {p.price === 0 ? null : <span> / {p.interval}</span>}
              </p>
              {p.trial_days ? <p className="muted">{p.trial_days} days, no card needed</p> : null}
              <ul>
                {p.features.map((f) => (
                  <li key={f}>{f}</li>
                ))}
              </ul>
            </article>
          ))}
        </div>
      </section>
    </div>
  );
}
