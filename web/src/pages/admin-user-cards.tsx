/**
 * The read-only cards of a user's page on the admin console: their profile (the phone number as
 * dialled in the server's default country, or international), their plan, and how they sign in.
 */
import { displayPhone } from '../../../src/domain/phone.ts';
import type { AdminUserView } from '../api.ts';
import { Card, formatDay } from '../ui.tsx';

type View = AdminUserView;

export function Profile({ user, phoneCountry }: { user: View['user']; phoneCountry: string | null }) {
  const a = user.address;
  const address = a
    ? [a.line1, a.line2, [a.postal_code, a.city].filter(Boolean).join(' '), a.region, a.country]
    : [];
  const row = (label: string, value: React.ReactNode) => (
    <div>
      <dt>{label}</dt>
      <dd>{value}</dd>
    </div>
  );
  return (
    <Card title="Profile" id="profile">
      <dl className="facts">
        {row(
          'Email',
          <>
            {user.email}
            {user.email_verified ? '' : ' (not confirmed)'}
          </>,
        )}
        {row('Name', user.name ?? '—')}
        {row(
          'Phone',
          user.phone_number
            ? phoneCountry
              ? displayPhone(user.phone_number, phoneCountry)
              : user.phone_number
            : '—',
        )}
        {row('Address', address.filter(Boolean).join(', ') || '—')}
        {row('Member since', formatDay(user.created_at))}
        {row('Two-step verification', user.mfa_enabled ? 'On' : 'Off')}
      </dl>
    </Card>
  );
}

export function Plan({ subscription: s }: { subscription: View['subscription'] }) {
  const status = s.status.replaceAll('_', ' ');
  return (
    <Card title="Plan" id="plan">
      <dl className="facts">
        <div>
          <dt>Plan</dt>
          <dd>{s.plan_name}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>
            {status.charAt(0).toUpperCase() + status.slice(1)}
            {s.payment_failed ? ' · the last payment failed' : ''}
          </dd>
        </div>
        {s.current_period_end ? (
          <div>
            <dt>{s.cancel_at_period_end ? 'Ends' : 'Renews'}</dt>
            <dd>{formatDay(s.current_period_end)}</dd>
          </div>
        ) : null}
        {s.trial_ends_at && s.plan === 'trial' ? (
          <div>
            <dt>Trial ends</dt>
            <dd>{formatDay(s.trial_ends_at)}</dd>
          </div>
        ) : null}
      </dl>
    </Card>
  );
}

export function SignIn({ view }: { view: View }) {
  return (
    <Card title="Ways to sign in" id="sign-in">
      <ul className="list compact">
        <li>
          <span>Password</span>
          <span className="muted">{view.user.has_password ? 'Set' : 'None (signs in with a provider)'}</span>
        </li>
        {view.identities.map((i) => (
          <li key={i.provider}>
            <span>{i.provider_name}</span>
            <span className="muted">
              {i.email ?? 'linked'} · since {formatDay(i.linked_at)}
            </span>
          </li>
        ))}
      </ul>
    </Card>
  );
}
