/**
 * Security notices: the mail a user gets when something important happens to their account.
 * Each one says what happened and when (in UTC, to the minute), and what to do if it was not
 * them (or, for billing, what to do next). Links are on the configured app origin only. A notice
 * carries no code, token or password, nor any six-digit number.
 */
import {
  appLink,
  formatWhen,
  type Letter,
  letterMail,
  type MailContext,
  type MailMessage,
  type NoticeKind,
} from './mail-render.ts';

export type { NoticeKind } from './mail-render.ts';

export type Notice =
  | { readonly kind: 'password-changed' }
  | { readonly kind: 'password-reset' }
  | { readonly kind: 'mfa-enabled' }
  | { readonly kind: 'mfa-disabled' }
  | { readonly kind: 'recovery-codes-regenerated' }
  /** `provider` is the name on the sign-in button: Google, Facebook, Amazon, an SSO's name. */
  | { readonly kind: 'provider-linked'; readonly provider: string }
  | { readonly kind: 'provider-removed'; readonly provider: string }
  /** `name` is the name the user gave the passkey. */
  | { readonly kind: 'passkey-added'; readonly name: string }
  | { readonly kind: 'passkey-removed'; readonly name: string }
  | { readonly kind: 'account-deleted'; readonly byAdministrator: boolean }
  /** `plan` is the plan's display name; `amount` as it should read, e.g. "EUR 9.00". */
  | { readonly kind: 'payment-failed'; readonly plan: string; readonly amount?: string }
  | { readonly kind: 'subscription-ended'; readonly plan: string }
  /** Sent to the current address; `newEmail` is the address asked for. */
  | { readonly kind: 'email-change-requested'; readonly newEmail: string }
  /** Sent to the old address once the new one is confirmed. */
  | { readonly kind: 'email-changed'; readonly newEmail: string };

type Writer<K extends NoticeKind> = (
  ctx: MailContext,
  notice: Extract<Notice, { kind: K }>,
  when: string,
) => Letter;

const WRITERS: { [K in NoticeKind]: Writer<K> } = {
  'password-changed': (ctx, _n, when) => ({
    subject: `Your ${ctx.serviceName} password was changed`,
    paragraphs: [
      `The password of your ${ctx.serviceName} account was changed on ${when}.`,
      'Every other device signed in to your account was signed out.',
    ],
    ifNotYou: `If you did not change it, someone else knows your password. Reset it now at ${appLink(ctx, '/forgot-password')}, then check the recent activity at ${appLink(ctx, '/security')}.`,
  }),
  'password-reset': (ctx, _n, when) => ({
    subject: `Your ${ctx.serviceName} password was reset`,
    paragraphs: [
      `The password of your ${ctx.serviceName} account was reset on ${when}, with a code sent to this address.`,
      'Every device signed in to your account was signed out.',
    ],
    ifNotYou: `If you did not reset it, someone can read your email. Secure your email account first (change its password), then reset your ${ctx.serviceName} password again at ${appLink(ctx, '/forgot-password')}.`,
  }),
  'mfa-enabled': (ctx, _n, when) => ({
    subject: `Two-step verification is on for your ${ctx.serviceName} account`,
    paragraphs: [
      `Two-step verification was turned on for your ${ctx.serviceName} account on ${when}.`,
      'From now on, signing in asks for a code from your authenticator app after your password.',
    ],
    ifNotYou: `If you did not turn it on, someone has your password and could lock you out. Reset your password at ${appLink(ctx, '/forgot-password')} and check ${appLink(ctx, '/security')}.`,
  }),
  'mfa-disabled': (ctx, _n, when) => ({
    subject: `Two-step verification is off for your ${ctx.serviceName} account`,
    paragraphs: [
      `Two-step verification was turned off for your ${ctx.serviceName} account on ${when}.`,
      'Signing in now asks only for your password.',
    ],
    ifNotYou: `If you did not turn it off, someone has your password and your authenticator. Reset your password at ${appLink(ctx, '/forgot-password')}, then turn two-step verification back on at ${appLink(ctx, '/security')}.`,
  }),
  'recovery-codes-regenerated': (ctx, _n, when) => ({
    subject: `New recovery codes for your ${ctx.serviceName} account`,
    paragraphs: [
      `New recovery codes were made for your ${ctx.serviceName} account on ${when}.`,
      'The codes you had before no longer work.',
    ],
    ifNotYou: `If you did not make them, someone has your password and your authenticator. Reset your password at ${appLink(ctx, '/forgot-password')}, then make new recovery codes at ${appLink(ctx, '/security')}.`,
  }),
  'provider-linked': (ctx, n, when) => ({
    subject: `${n.provider} can now sign you in to ${ctx.serviceName}`,
    paragraphs: [
      `${n.provider} was linked to your ${ctx.serviceName} account on ${when}.`,
      `Signing in with ${n.provider} now opens your account.`,
    ],
    ifNotYou: `If you did not link it, remove it at ${appLink(ctx, '/security')} and change your password there.`,
  }),
  'provider-removed': (ctx, n, when) => ({
    subject: `${n.provider} no longer signs you in to ${ctx.serviceName}`,
    paragraphs: [
      `${n.provider} was removed from your ${ctx.serviceName} account on ${when}.`,
      `Signing in with ${n.provider} no longer opens your account.`,
    ],
    ifNotYou: `If you did not remove it, someone else is signed in to your account. Change your password and sign out every device at ${appLink(ctx, '/security')}.`,
  }),
  'passkey-added': (ctx, n, when) => ({
    subject: `A passkey was added to your ${ctx.serviceName} account`,
    paragraphs: [
      `A passkey named "${n.name}" was added to your ${ctx.serviceName} account on ${when}.`,
      'That passkey can now sign in to your account on its own, without your password or a two-step code.',
    ],
    ifNotYou: `If you did not add it, someone else is signed in to your account. Remove the passkey at ${appLink(ctx, '/security')}, change your password and sign out every device there.`,
  }),
  'passkey-removed': (ctx, n, when) => ({
    subject: `A passkey was removed from your ${ctx.serviceName} account`,
    paragraphs: [
      `The passkey named "${n.name}" was removed from your ${ctx.serviceName} account on ${when}.`,
      'It no longer signs in to your account.',
    ],
    ifNotYou: `If you did not remove it, someone else is signed in to your account. Change your password and sign out every device at ${appLink(ctx, '/security')}.`,
  }),
  'account-deleted': (ctx, n, when) => ({
    subject: `Your ${ctx.serviceName} account was deleted`,
    paragraphs: [
      `Your ${ctx.serviceName} account was deleted on ${when}${n.byAdministrator ? ' by an administrator' : ''}, with its profile, photo, files and sessions; a subscription, if you had one, was cancelled.`,
      'This is the last message you will get from us about it.',
    ],
    ifNotYou: n.byAdministrator
      ? `If you think this is a mistake, contact the people who run ${ctx.serviceName}. You can also sign up again at ${appLink(ctx, '/signup')}.`
      : `If you did not delete it, someone had access to your account. Secure your email account; the deleted data cannot be brought back, but you can sign up again at ${appLink(ctx, '/signup')}.`,
  }),
  'payment-failed': (ctx, n, when) => ({
    subject: `Payment for your ${ctx.serviceName} ${n.plan} plan failed`,
    paragraphs: [
      `A payment${n.amount ? ` of ${n.amount}` : ''} for your ${n.plan} plan failed on ${when}.`,
      'You keep your plan while the payment is retried over the next days; if every retry fails, the subscription ends.',
    ],
    action: { label: 'Update your payment method', url: appLink(ctx, '/billing') },
    ifNotYou: `If you no longer want the plan, you can cancel it on the same page: ${appLink(ctx, '/billing')}.`,
  }),
  'subscription-ended': (ctx, n, when) => ({
    subject: `Your ${ctx.serviceName} ${n.plan} subscription has ended`,
    paragraphs: [
      `Your ${n.plan} subscription to ${ctx.serviceName} ended on ${when}.`,
      `Your account and your files stay; what the ${n.plan} plan added is no longer available.`,
    ],
    action: { label: 'Choose a plan', url: appLink(ctx, '/billing') },
    ifNotYou: `If you did not cancel it, a payment may have failed: check ${appLink(ctx, '/billing')}, where you can subscribe again.`,
  }),
  'email-change-requested': (ctx, n, when) => ({
    subject: `Someone asked to change the email address of your ${ctx.serviceName} account`,
    paragraphs: [
      `On ${when} someone signed in to your ${ctx.serviceName} account asked to change its sign-in address to ${n.newEmail}.`,
      'Nothing changes until a code sent to the new address is entered; until then you keep signing in with this address.',
    ],
    ifNotYou: `If it was not you, someone else knows your password or is signed in to your account. Change your password at ${appLink(ctx, '/security')} now: that signs out every device, and the change cannot be finished without being signed in.`,
  }),
  'email-changed': (ctx, n, when) => ({
    subject: `The email address of your ${ctx.serviceName} account was changed`,
    paragraphs: [
      `On ${when} the sign-in address of your ${ctx.serviceName} account was changed from this address to ${n.newEmail}.`,
      'This address no longer signs in, and every other device signed in to the account was signed out.',
    ],
    ifNotYou: `If you did not change it, someone has taken over your account, and this address can no longer reset its password. Contact the people who run ${ctx.serviceName} at once and forward them this message.`,
  }),
};

/** The notice to `to` about something that happened at `at` (milliseconds since the epoch). */
export function noticeMail(ctx: MailContext, to: string, notice: Notice, at: number): MailMessage {
  const write = WRITERS[notice.kind] as Writer<typeof notice.kind>;
  return letterMail(ctx, to, `notice.${notice.kind}`, write(ctx, notice, formatWhen(at)));
}
