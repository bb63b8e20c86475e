/** One plan as a card: the landing page's list and the billing page's choice show it alike. */
import type { ReactNode } from 'react';
import type { Plans } from './api.ts';

export const money = (amount: number, currency: string) =>
  new Intl.NumberFormat(undefined, { style: 'currency', currency: currency.toUpperCase() }).format(
    amount / 100,
  );

export function PlanCard({
  plan,
  current = false,
  heading = 'h3',
  children,
}: {
  plan: Plans[number];
  current?: boolean;
  heading?: 'h2' | 'h3';
  children?: ReactNode;
}) {
  const H = heading;
  return (
    <article className={`plan plan-${plan.id}${current ? ' plan-current' : ''}`} aria-label={plan.name}>
      <div className="plan-head">
        <H>{plan.name}</H>
        {current ? <span className="badge badge-on">Your plan</span> : null}
      </div>
      <p className="price">
        {plan.price === 0 ? 'Free' : money(plan.price, plan.currency)}
        {plan.price === 0 ? null : <span> / {plan.interval}</span>}
      </p>
      {plan.trial_days ? <p className="muted">{plan.trial_days} days, no card needed</p> : null}
      <ul>
        {plan.features.map((f) => (
          <li key={f}>{f}</li>
        ))}
      </ul>
      {children ? <div className="plan-action">{children}</div> : null}
    </article>
  );
}
