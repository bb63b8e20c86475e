import { useEffect, useState } from 'react';
import { api, type Plans } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { PlanCard } from '../plan-card.tsx';
import { Link, useRouter } from '../router.tsx';
import { Loading, messageOf, Notice } from '../ui.tsx';

export function Landing() {
  const { user } = useAuth();
  const { location } = useRouter();
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
      {location.query.get('deleted') ? (
        <Notice kind="success">Your account and everything in it have been deleted.</Notice>
      ) : null}
      <section className="hero">
        <h1 tabIndex={-1}>Accounts, security and billing, done properly.</h1>
        <p className="lead">
          Sign-up with email confirmation, two-step verification, private files and subscriptions: a finished
          foundation for your product, on one machine or on AWS.
        </p>
        <div className="actions">
          {user ? (
            <Link to="/dashboard" className="btn btn-primary">
              Go to your dashboard
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
          {/* The free tier is where an ended plan leaves an account, not a plan to sign up for. */}
          {plans
            ?.filter((p) => p.id !== 'free')
            .map((p) => (
              <PlanCard key={p.id} plan={p} />
            ))}
        </div>
      </section>
    </div>
  );
}
