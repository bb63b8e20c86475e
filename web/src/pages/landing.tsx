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
  const trialDays = plans?.find((p) => p.trial_days)?.trial_days;
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
        <h1 tabIndex={-1}>Your files and reports, private and in one place.</h1>
        <p className="lead">
          Keep your files where only you can see them, get a weekly report of your usage, and add team
          insights and forecasts when you need them. Two-step sign-in keeps your account yours.
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
      <section className="benefits" aria-label="What you get">
        <div>
          <h2>Private by default</h2>
          <p>Your files are yours alone: nobody else can open them, and you can delete them at any time.</p>
        </div>
        <div>
          <h2>Secure sign-in</h2>
          <p>Add a code from your phone to every sign-in, and see every device that is signed in.</p>
        </div>
        <div>
          <h2>Start free</h2>
          <p>
            {trialDays ? `Try it for ${trialDays} days without a card.` : 'Try it without a card.'} Change or
            cancel your plan whenever you like.
          </p>
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
