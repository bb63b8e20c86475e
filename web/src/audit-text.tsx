/**
 * Audit events as sentences for the admin console: "Grace Hopper disabled ada@example.com's
 * account", "Ada Lovelace signed in with two-step verification", "A sign-in as x@example.com
 * failed: wrong password". People are links to their page on the console (an account deleted since
 * is "a deleted account"), and the objects an event is about link to where they are shown (the
 * user's invoices, sessions, sign-in methods). test/unit/web-labels.test.ts checks that every
 * event type the services record reads as its own sentence.
 */
import type { ReactNode } from 'react';
import type { Audit } from './api.ts';
import { eventLabel } from './labels.ts';
import { money } from './plan-card.tsx';
import { Link } from './router.tsx';
import { formatBytes } from './ui.tsx';

type Event = Audit['events'][number];
type People = Audit['users'];

/** Why a sign-in or a code was refused, in words (the API's error codes). */
const REASONS: Record<string, string> = {
  INVALID_CREDENTIALS: 'wrong password',
  USER_NOT_CONFIRMED: 'email not confirmed yet',
  USER_DISABLED: 'the account is disabled',
  ACCOUNT_THROTTLED: 'too many attempts',
  INVALID_CODE: 'wrong code',
  CODE_ALREADY_USED: 'a code already used',
  RECOVERY_CODE_USED: 'a recovery code already used',
  INVALID_MFA_SESSION: 'the sign-in attempt expired',
  OAUTH_DENIED: 'refused at the provider',
  OAUTH_REJECTED: 'the provider’s answer was refused',
  OAUTH_EMAIL_UNVERIFIED: 'the provider has not verified the email',
  IDENTITY_IN_USE: 'that account is linked to someone else',
  ACCOUNT_EXISTS: 'an account with that email exists',
  UNAVAILABLE: 'a service was unavailable',
};
const reason = (code: unknown) => (typeof code === 'string' ? (REASONS[code] ?? code) : 'refused');

const PLANS: Record<string, string> = { trial: 'Trial', basic: 'Basic', premium: 'Premium' };
const planName = (plan: unknown) => (typeof plan === 'string' ? (PLANS[plan] ?? plan) : 'no plan');

/** Which part of a user's page an event is about. */
const SECTION: Record<string, string> = {
  'session.revoked': 'sessions',
  'auth.identity.linked': 'sign-in',
  'auth.identity.unlinked': 'sign-in',
  'billing.refund.created': 'invoices',
  'billing.charge.refunded': 'invoices',
  'billing.payment.succeeded': 'invoices',
  'billing.payment.failed': 'invoices',
  'billing.subscription.changed': 'plan',
};

/** The subscription change in words: started, moved, ending, ended, or its new status. */
function subscriptionChange(d: Event['detail']): string {
  if (d.status === 'canceled') return `${planName(d.previous_plan ?? d.plan)} subscription ended`;
  if (!d.previous_plan && d.plan) return `${planName(d.plan)} subscription started`;
  if (d.previous_plan && d.plan && d.previous_plan !== d.plan)
    return `subscription moved from ${planName(d.previous_plan)} to ${planName(d.plan)}`;
  if (d.cancel_at_period_end) return `${planName(d.plan)} subscription set to end with the period`;
  if (d.payment_failed) return `${planName(d.plan)} subscription is waiting for a payment`;
  return `${planName(d.plan)} subscription is now ${String(d.status ?? 'updated').replaceAll('_', ' ')}`;
}

export function EventSentence({ event: e, people }: { event: Event; people: People }) {
  const d = e.detail;
  const person = (id: string | null, fallback = 'someone'): ReactNode => {
    if (!id) return typeof d.email === 'string' ? d.email : fallback;
    const p = people[id];
    return p ? (
      <Link to={`/admin/users/${encodeURIComponent(id)}`}>{p.name ?? p.email}</Link>
    ) : (
      'a deleted account'
    );
  };
  const S = person(e.subject_id);
  const A = person(e.actor_id);
  const byOther = e.actor_id !== null && e.actor_id !== e.subject_id;
  const failed = e.outcome === 'failure';
  const section = SECTION[e.type];
  const about = (text: string): ReactNode =>
    section && e.subject_id && people[e.subject_id] ? (
      <Link to={`/admin/users/${encodeURIComponent(e.subject_id)}#${section}`}>{text}</Link>
    ) : (
      text
    );
  const amount = (n: unknown) =>
    typeof n === 'number' && typeof d.currency === 'string' ? money(n, d.currency) : 'an amount';

  switch (e.type) {
    case 'auth.signup':
      return e.subject_id ? (
        <>
          {S} signed up{d.provider ? ` with ${d.provider}` : ''}
        </>
      ) : d.outcome === 'exists' ? (
        <>Someone tried to sign up with the email of an existing account (its owner was told by email)</>
      ) : (
        <>Someone signed up (the account waits for its email to be confirmed)</>
      );
    case 'auth.signup.voided':
      return d.provider ? (
        <>
          An unconfirmed sign-up of {S} was replaced by a sign-in with {String(d.provider)}
        </>
      ) : (
        <>An unconfirmed sign-up of {S} was replaced by a new sign-up for the same address</>
      );
    case 'auth.passkey.added':
      return <>{S} added a passkey</>;
    case 'auth.passkey.renamed':
      return <>{S} renamed a passkey</>;
    case 'auth.passkey.removed':
      return byOther ? (
        <>
          {A} removed a passkey of {S}
        </>
      ) : (
        <>{S} removed a passkey</>
      );
    case 'auth.passkey.counter_regressed':
      return <>A copied passkey of {S} was refused (its signature counter went back)</>;
    case 'auth.email.change_requested':
      return <>{S} asked to change their email address</>;
    case 'auth.email.changed':
      return failed ? (
        <>
          {S} could not change their email address: {reason(d.reason)}
        </>
      ) : (
        <>
          {S} changed their email address
          {typeof d.from === 'string' && typeof d.to === 'string' ? ` from ${d.from} to ${d.to}` : ''}
        </>
      );
    case 'auth.confirm':
      return failed ? <>A wrong confirmation code for {S}</> : <>{S} confirmed their email</>;
    case 'auth.signin':
      if (failed)
        return (
          <>
            A sign-in as {S} failed: {reason(d.reason)}
          </>
        );
      return (
        <>
          {S} signed in
          {d.provider ? ` with ${d.provider}` : ''}
          {d.recovery_code ? ' with a recovery code' : d.mfa ? ' with two-step verification' : ''}
        </>
      );
    case 'auth.signout':
      return d.scope === 'global' ? <>{S} signed out everywhere</> : <>{S} signed out</>;
    case 'auth.mfa.challenge':
      return <>A two-step code was refused: {reason(d.reason)}</>;
    case 'auth.mfa.enabled':
      return <>{S} turned on two-step verification</>;
    case 'auth.mfa.disabled':
      return failed ? (
        <>{S} could not turn off two-step verification</>
      ) : (
        <>{S} turned off two-step verification</>
      );
    case 'auth.mfa.recovery_codes':
      return <>{S} got new recovery codes</>;
    case 'auth.password.change':
      return failed ? (
        <>{S} tried to change their password: wrong current password</>
      ) : (
        <>{S} changed their password</>
      );
    case 'auth.password.forgot':
      return <>Someone asked for a password reset</>;
    case 'auth.password.reset':
      return <>{S} reset their password</>;
    case 'auth.identity.linked':
      return failed ? (
        <>
          {S} could not link {String(d.provider)}: {reason(d.reason)}
        </>
      ) : (
        <>
          {S} linked {about(String(d.provider))} to sign in
        </>
      );
    case 'auth.identity.unlinked':
      return (
        <>
          {S} removed {about(String(d.provider))} as a way to sign in
        </>
      );
    case 'session.revoked':
      return byOther ? (
        <>
          {A} signed {S} out of {about('one device')}
        </>
      ) : (
        <>
          {S} signed out {about('one of their devices')}
        </>
      );
    case 'profile.updated':
      return (
        <>
          {S} updated their profile
          {d.fields ? ` (${String(d.fields).replaceAll(',', ', ').replaceAll('_', ' ')})` : ''}
        </>
      );
    case 'profile.photo.updated':
      return <>{S} changed their photo</>;
    case 'profile.photo.removed':
      return <>{S} removed their photo</>;
    case 'file.uploaded':
      return (
        <>
          {S} uploaded a file{typeof d.size === 'number' ? ` (${formatBytes(d.size)})` : ''}
        </>
      );
    case 'file.deleted':
      return <>{S} deleted a file</>;
    case 'billing.checkout.started':
      return (
        <>
          {S} opened a checkout for {planName(d.plan)}
        </>
      );
    case 'billing.subscription.changed':
      return (
        <>
          {S}’s {about(subscriptionChange(d))}
        </>
      );
    case 'billing.payment.succeeded':
      return (
        <>
          {S} paid {about(`an invoice for ${planName(d.plan)}`)}
        </>
      );
    case 'billing.payment.failed':
      return (
        <>
          A payment by {S} failed ({about(`${planName(d.plan)} invoice`)})
        </>
      );
    case 'billing.plan.change_requested':
      return (
        <>
          {S} moved from {planName(d.previous_plan)} to {planName(d.plan)}
          {d.effective === 'period_end' ? ' at the next renewal' : ', prorated, at once'}
        </>
      );
    case 'billing.subscription.ended':
      return (
        <>
          {S}'s {planName(d.plan)} subscription ended
        </>
      );
    case 'billing.subscription.duplicate_canceled':
      return (
        <>
          A second {planName(d.plan)} subscription of {S} was cancelled and {amount(d.refunded)} refunded; the
          first one stays
        </>
      );
    case 'billing.subscription.orphan_canceled':
      return (
        <>
          A {planName(d.plan)} subscription of a customer with no account here was cancelled and{' '}
          {amount(d.refunded)} refunded
        </>
      );
    case 'billing.subscription.canceled_for_deletion':
      return (
        <>
          {S}'s {planName(d.plan)} subscription was cancelled with the account
        </>
      );
    case 'billing.invoice.voided':
      return (
        <>
          {about(`Invoice ${String(d.invoice_id)}`)} of {amount(d.amount)} was voided: its subscription ended,
          nothing is owed
        </>
      );
    case 'billing.refund.created':
      return (
        <>
          {A} refunded {amount(d.amount)} of {about(`invoice ${String(d.invoice_id)}`)}
          {e.subject_id ? <> to {S}</> : null}
        </>
      );
    case 'billing.charge.refunded':
      return (
        <>
          The payment provider confirmed {about('a refund')}
          {e.subject_id ? <> to {S}</> : null} ({amount(d.amount_refunded)} refunded in all)
        </>
      );
    case 'user.enabled':
    case 'user.disabled': {
      const verb = e.type === 'user.enabled' ? 'enabled' : 'disabled';
      return e.actor_id ? (
        <>
          {A} {verb} the account of {S}
        </>
      ) : (
        <>
          The account of {S} was {verb}
        </>
      );
    }
    case 'user.group.added':
    case 'user.group.removed': {
      const added = e.type === 'user.group.added';
      if (!e.actor_id)
        return (
          <>
            {S} {added ? 'joined' : 'left'} the {String(d.group)} group
          </>
        );
      return added ? (
        <>
          {A} added {S} to the {String(d.group)} group
        </>
      ) : (
        <>
          {A} removed {S} from the {String(d.group)} group
        </>
      );
    }
    case 'user.deleted':
      return byOther ? <>{A} deleted an account and its data</> : <>An account was deleted by its owner</>;
    case 'admin.users.viewed':
      return (
        <>
          {A} looked through the users{d.search ? ` (search “${String(d.search)}”)` : ''}
        </>
      );
    case 'admin.audit.viewed':
      return <>{A} read the audit trail</>;
    case 'admin.user.viewed':
      return byOther ? (
        <>
          {A} looked at the account of {S}
        </>
      ) : (
        <>{A} looked at their own account</>
      );
    default:
      return (
        <>
          {eventLabel(e.type)}
          {e.subject_id ? <> · {S}</> : null}
        </>
      );
  }
}
