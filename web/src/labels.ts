/**
 * Words for what the server names in code: audit event types (the activity list and the admin's
 * audit trail) and browser user agents (the sessions list). test/unit/web-labels.test.ts checks
 * that every event type the services record has a label here.
 */

export const EVENT_LABELS: Record<string, string> = {
  'auth.signup': 'Account created',
  'auth.signup.voided': 'Unconfirmed sign-up replaced',
  'auth.identity.linked': 'Sign-in provider linked',
  'auth.identity.unlinked': 'Sign-in provider removed',
  'auth.confirm': 'Email confirmed',
  'auth.signin': 'Signed in',
  'auth.signout': 'Signed out',
  'auth.mfa.challenge': 'Two-step code checked',
  'auth.mfa.enabled': 'Two-step verification turned on',
  'auth.mfa.disabled': 'Two-step verification turned off',
  'auth.mfa.recovery_codes': 'Recovery codes issued',
  'auth.passkey.added': 'Passkey added',
  'auth.passkey.renamed': 'Passkey renamed',
  'auth.passkey.removed': 'Passkey removed',
  'auth.passkey.counter_regressed': 'Copied passkey refused',
  'auth.password.change': 'Password changed',
  'auth.password.forgot': 'Password reset requested',
  'auth.password.reset': 'Password reset',
  'auth.email.change_requested': 'Email change requested',
  'auth.email.changed': 'Email address changed',
  'session.revoked': 'Signed out a device',
  'profile.updated': 'Profile updated',
  'profile.photo.updated': 'Photo changed',
  'profile.photo.removed': 'Photo removed',
  'file.uploaded': 'File uploaded',
  'file.deleted': 'File deleted',
  'billing.checkout.started': 'Checkout started',
  'billing.subscription.changed': 'Subscription changed',
  'billing.payment.succeeded': 'Payment succeeded',
  'billing.payment.failed': 'Payment failed',
  'billing.plan.change_requested': 'Plan change requested',
  'billing.subscription.ended': 'Subscription ended',
  'billing.subscription.duplicate_canceled': 'Second subscription refunded and canceled',
  'billing.subscription.orphan_canceled': 'Subscription without an account refunded and canceled',
  'billing.subscription.canceled_for_deletion': 'Subscription canceled with the account',
  'billing.invoice.voided': 'Invoice voided: not owed',
  'billing.refund.created': 'Refund issued',
  'billing.charge.refunded': 'Charge refunded',
  'user.enabled': 'Account enabled',
  'user.disabled': 'Account disabled',
  'user.group.added': 'Added to a group',
  'user.group.removed': 'Removed from a group',
  'user.deleted': 'Account deleted',
  'admin.users.viewed': 'Admin viewed users',
  'admin.audit.viewed': 'Admin viewed the audit trail',
  'admin.user.viewed': 'Admin viewed an account',
};

/** A readable label for any event type, known or not ("file.uploaded" -> "File uploaded"). */
export function eventLabel(type: string): string {
  const known = EVENT_LABELS[type];
  if (known) return known;
  const words = type.replaceAll(/[._]/g, ' ');
  return words.charAt(0).toUpperCase() + words.slice(1);
}

const BROWSERS: [RegExp, string][] = [
  [/Edg(?:e|A|iOS)?\//, 'Edge'],
  [/OPR\/|Opera/, 'Opera'],
  [/Firefox\/|FxiOS/, 'Firefox'],
  [/HeadlessChrome/, 'Headless Chrome'],
  [/Chrome\/|CriOS/, 'Chrome'],
  [/Safari\//, 'Safari'],
  [/curl\//, 'curl'],
];
const SYSTEMS: [RegExp, string][] = [
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Android/, 'Android'],
  [/Windows/, 'Windows'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
];

/** "Chrome on Linux" from a user agent; the raw string when nothing matches. */
export function deviceLabel(userAgent: string): string {
  if (!userAgent) return 'Unknown device';
  const browser = BROWSERS.find(([re]) => re.test(userAgent))?.[1];
  const system = SYSTEMS.find(([re]) => re.test(userAgent))?.[1];
  if (browser && system) return `${browser} on ${system}`;
  return browser ?? system ?? (userAgent.length > 60 ? `${userAgent.slice(0, 57)}…` : userAgent);
}
