/**
 * Which account a social identity belongs to, and the user's own view of their linked identities.
 * The rules (issue 8, SECURITY 15 and 30), in the order they are applied:
 *
 * 1. Accounts are keyed by (provider, subject): a linked pair signs in its user, whatever email
 *    the provider sends today.
 * 2. Nothing new happens on an unverified (or absent) email: OAUTH_EMAIL_UNVERIFIED.
 * 3. No account has the address: a new, password-less account is made for it and linked.
 * 4. An UNCONFIRMED account has the address: it never captures the sign-in. Nobody has proved
 *    control of that address through it (it may be an attacker's pre-registration), so it is
 *    removed, with the password its registrant chose, and a new account is made as in 3.
 * 5. A confirmed account has the address: never joined automatically. ACCOUNT_EXISTS tells the
 *    person to sign in to it (proving control) and link the provider from the security page,
 *    where linkToSignedInUser joins them, the signed-in user having asked for it.
 *
 * A user can remove a link, but not the last way to sign in (no password and no other link).
 * Joining and removing are built-in identity's: in Cognito mode the pool keeps its own links.
 */
import { normalizeEmail } from '../domain/email.ts';
import { AppError } from '../domain/errors.ts';
import type { FederatedClaims } from '../ports/federation.ts';
import type { IdentityUser } from '../ports/identity.ts';
import type { LinkedIdentity } from '../ports/store.ts';
import { audit } from './audit.ts';
import { onboard } from './auth.service.ts';
import type { Deps, RequestMeta } from './deps.ts';

const unverified = () =>
  new AppError(
    'OAUTH_EMAIL_UNVERIFIED',
    'The provider did not confirm that this email address is yours, so it cannot sign you in here.',
  );

const builtinOnly = (deps: Deps, what: string): void => {
  if (deps.identity.mode !== 'builtin') {
    throw new AppError('NOT_AVAILABLE_IN_MODE', `${what} is managed by the Cognito user pool in this mode.`);
  }
};

const verifiedEmail = (claims: FederatedClaims): string => {
  if (!claims.email || !claims.emailVerified) throw unverified();
  return normalizeEmail(claims.email);
};

const linkRecord = (deps: Deps, userId: string, claims: FederatedClaims, email: string): LinkedIdentity => ({
  provider: claims.provider,
  subject: claims.subject,
  userId,
  email,
  linkedAt: new Date(deps.clock()).toISOString(),
});

/** The account a sign-in with these claims lands in, made when the rules above allow it. */
export async function resolveFederatedUser(
  deps: Deps,
  claims: FederatedClaims,
  meta: RequestMeta,
): Promise<IdentityUser> {
  const linked = await deps.store.identities.find(claims.provider, claims.subject);
  if (linked) {
    const user = await deps.identity.adminGetUser(linked.userId);
    if (user) return user;
    // The account was deleted and this link outlived it: it leads nowhere any more.
    await deps.store.identities.unlink(linked.userId, claims.provider, claims.subject);
  }
  const email = verifiedEmail(claims);
  const existing = await deps.identity.adminGetUserByEmail(email);
  if (existing?.status === 'CONFIRMED') {
    throw new AppError(
      'ACCOUNT_EXISTS',
      'An account with this email already exists. Sign in with your password, then link the provider on the Security page.',
    );
  }
  if (existing) {
    await deps.identity.adminDeleteUser(existing.userId);
    await audit(deps, {
      type: 'auth.signup.voided',
      actorId: null,
      subjectId: existing.userId,
      ip: meta.ip,
      detail: {
        reason: 'unconfirmed account, email verified by a social provider',
        provider: claims.provider,
      },
    });
  }
  const made = await deps.identity.createFederatedUser({
    email,
    ...(claims.name ? { name: claims.name.slice(0, 200) } : {}),
  });
  if (made.outcome === 'exists')
    throw new AppError('CONFLICT', 'The account was created by another request. Try again.');
  if (!(await deps.store.identities.link(linkRecord(deps, made.user.userId, claims, email)))) {
    // Two callbacks for the same person raced; only the one that linked keeps its account.
    await deps.identity.adminDeleteUser(made.user.userId);
    throw new AppError('CONFLICT', 'This sign-in was completed by another request. Try again.');
  }
  await audit(deps, {
    type: 'auth.signup',
    subjectId: made.user.userId,
    ip: meta.ip,
    detail: { outcome: 'created', provider: claims.provider },
  });
  await onboard(deps, made.user, meta, true);
  return made.user;
}

/** Joins the identity to the signed-in user who asked for it (rule 5's second half). */
export async function linkToSignedInUser(
  deps: Deps,
  userId: string,
  claims: FederatedClaims,
  meta: RequestMeta,
): Promise<void> {
  builtinOnly(deps, 'Linking a sign-in provider');
  const email = verifiedEmail(claims);
  const owner = await deps.store.identities.find(claims.provider, claims.subject);
  if (owner && owner.userId !== userId) {
    throw new AppError('IDENTITY_IN_USE', 'That account is already linked to another user here.');
  }
  if (!owner) {
    const mine = await deps.store.identities.listForUser(userId);
    if (mine.some((l) => l.provider === claims.provider)) {
      throw new AppError(
        'IDENTITY_IN_USE',
        'Another account of this provider is linked already: remove it first.',
      );
    }
    if (!(await deps.store.identities.link(linkRecord(deps, userId, claims, email)))) {
      throw new AppError('IDENTITY_IN_USE', 'That account is already linked to another user here.');
    }
  }
  await audit(deps, {
    type: 'auth.identity.linked',
    subjectId: userId,
    ip: meta.ip,
    detail: { provider: claims.provider },
  });
}

export async function listIdentities(
  deps: Deps,
  userId: string,
): Promise<{ identities: LinkedIdentity[]; hasPassword: boolean }> {
  const [identities, user] = await Promise.all([
    deps.store.identities.listForUser(userId),
    deps.identity.adminGetUser(userId),
  ]);
  return { identities, hasPassword: user?.hasPassword ?? false };
}

/** Removes the user's link to the provider, unless it is their last way to sign in. */
export async function unlinkIdentity(
  deps: Deps,
  userId: string,
  provider: string,
  meta: RequestMeta,
): Promise<void> {
  builtinOnly(deps, 'Removing a sign-in provider');
  const { identities, hasPassword } = await listIdentities(deps, userId);
  const target = identities.find((l) => l.provider === provider);
  if (!target) throw new AppError('NOT_FOUND', 'No such linked account.');
  if (!hasPassword && identities.length <= 1) {
    throw new AppError(
      'LAST_SIGN_IN_METHOD',
      'This is your only way to sign in. Set a password (Forgot password) or link another account first.',
    );
  }
  if (!(await deps.store.identities.unlink(userId, target.provider, target.subject))) {
    throw new AppError('NOT_FOUND', 'No such linked account.');
  }
  await audit(deps, { type: 'auth.identity.unlinked', subjectId: userId, ip: meta.ip, detail: { provider } });
}
