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
 * Both modes keep the links in the store; in Cognito mode the user pool holds them too (it is the
 * pool that decides whom a Hosted UI sign-in lands in), so joining and removing also change the
 * pool's link (pool-links.ts), first, and the store mirrors what the pool accepted.
 */
import { normalizeEmail } from '../domain/email.ts';
import { AppError } from '../domain/errors.ts';
import type { FederatedClaims } from '../ports/federation.ts';
import type { IdentityProvider, IdentityUser } from '../ports/identity.ts';
import type { LinkedIdentity, Store } from '../ports/store.ts';
import { type AuditDeps, audit } from './audit.ts';
import { type AuthDeps, onboard } from './auth.ts';
import type { Deps, RequestMeta } from './deps.ts';
import { type NoticesDeps, notify, providerName } from './notices.ts';
import { type PasskeysDeps, passkeyCount } from './passkeys.ts';
import {
  identityFor,
  linkInPool,
  type PoolLinksDeps,
  type PoolSignIn,
  poolIdentityOf,
  rejected,
} from './pool-links.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type LinkingDeps = Pick<Deps, 'clock'> & {
  readonly identity: Pick<
    IdentityProvider,
    | 'adminDeleteUser'
    | 'adminDisableProviderForUser'
    | 'adminGetUser'
    | 'adminGetUserByEmail'
    | 'createFederatedUser'
    | 'mode'
  >;
  readonly store: Pick<Store, 'identities'>;
} & AuditDeps &
  AuthDeps &
  NoticesDeps &
  PasskeysDeps &
  PoolLinksDeps;

const unverified = () =>
  new AppError(
    'OAUTH_EMAIL_UNVERIFIED',
    'The provider did not confirm that this email address is yours, so it cannot sign you in here.',
  );

const inUse = () => new AppError('IDENTITY_IN_USE', 'That account is already linked to another user here.');

const verifiedEmail = (claims: FederatedClaims): string => {
  if (!claims.email || !claims.emailVerified) throw unverified();
  return normalizeEmail(claims.email);
};

const linkRecord = (
  deps: LinkingDeps,
  userId: string,
  claims: Pick<FederatedClaims, 'provider' | 'subject'>,
  email: string | null,
): LinkedIdentity => ({
  provider: claims.provider,
  subject: claims.subject,
  userId,
  email,
  linkedAt: new Date(deps.clock()).toISOString(),
});

/** The account a sign-in with these claims lands in, made when the rules above allow it. */
export async function resolveFederatedUser(
  deps: LinkingDeps,
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

/** What a link flow's callback brought back. */
export type LinkSource =
  /** Built-in identity: the person the provider vouched for. */
  | { readonly kind: 'claims'; readonly claims: FederatedClaims }
  /** Cognito: a verified Hosted UI sign-in with the flow's provider. */
  | { readonly kind: 'pool'; readonly provider: string; readonly signIn: PoolSignIn };

/**
 * IDENTITY_IN_USE unless (provider, subject) may join userId: it is nobody else's, and the user has
 * no other identity of that provider.
 */
async function assertLinkable(
  deps: LinkingDeps,
  userId: string,
  provider: string,
  subject: string,
): Promise<void> {
  const owner = await deps.store.identities.find(provider, subject);
  if (owner) {
    if (owner.userId !== userId) throw inUse();
    return;
  }
  const mine = await deps.store.identities.listForUser(userId);
  if (mine.some((l) => l.provider === provider)) {
    throw new AppError(
      'IDENTITY_IN_USE',
      'Another account of this provider is linked already: remove it first.',
    );
  }
}

/** Joins the identity to the signed-in user who asked for it (rule 5's second half). */
export async function linkToSignedInUser(
  deps: LinkingDeps,
  userId: string,
  source: LinkSource,
  meta: RequestMeta,
): Promise<void> {
  let link: LinkedIdentity;
  let replaced: string | null = null;
  if (source.kind === 'claims') {
    link = linkRecord(deps, userId, source.claims, verifiedEmail(source.claims));
    await assertLinkable(deps, userId, link.provider, link.subject);
  } else {
    const identity = identityFor(deps, source.provider, source.signIn);
    if (!identity) throw rejected();
    link = linkRecord(
      deps,
      userId,
      { provider: source.provider, subject: identity.subject },
      source.signIn.email,
    );
    await assertLinkable(deps, userId, link.provider, link.subject);
    replaced = await linkInPool(deps, userId, source.signIn, identity);
  }
  // The user may have the link already (a repeated flow): that is success, not a conflict.
  const added = await deps.store.identities.link(link);
  if (!added && (await deps.store.identities.find(link.provider, link.subject))?.userId !== userId) {
    throw inUse();
  }
  await audit(deps, {
    type: 'auth.identity.linked',
    subjectId: userId,
    ip: meta.ip,
    detail: { provider: link.provider, ...(replaced ? { replacedPoolUser: replaced } : {}) },
  });
  // A repeated flow changed nothing: no notice.
  if (added)
    await notify(deps, userId, { kind: 'provider-linked', provider: providerName(deps, link.provider) });
}

export async function listIdentities(
  deps: LinkingDeps,
  userId: string,
): Promise<{ identities: LinkedIdentity[]; hasPassword: boolean; passkeys: number }> {
  const [identities, user, passkeys] = await Promise.all([
    deps.store.identities.listForUser(userId),
    deps.identity.adminGetUser(userId),
    passkeyCount(deps, userId),
  ]);
  return { identities, hasPassword: user?.hasPassword ?? false, passkeys };
}

/** Removes the user's link to the provider, unless it is their last way to sign in. */
export async function unlinkIdentity(
  deps: LinkingDeps,
  userId: string,
  provider: string,
  meta: RequestMeta,
): Promise<void> {
  const { identities, hasPassword, passkeys } = await listIdentities(deps, userId);
  const target = identities.find((l) => l.provider === provider);
  if (!target) throw new AppError('NOT_FOUND', 'No such linked account.');
  // A passkey is a way in of its own.
  if (!hasPassword && identities.length <= 1 && passkeys === 0) {
    throw new AppError(
      'LAST_SIGN_IN_METHOD',
      deps.identity.mode === 'cognito'
        ? 'This is your only way to sign in. Link another account first.'
        : 'This is your only way to sign in. Set a password (Forgot password), add a passkey or link another account first.',
    );
  }
  // The pool first: a link it keeps would go on signing the user in whatever the store says.
  if (deps.identity.mode === 'cognito') {
    await deps.identity.adminDisableProviderForUser(userId, poolIdentityOf(deps, target));
  }
  if (!(await deps.store.identities.unlink(userId, target.provider, target.subject))) {
    throw new AppError('NOT_FOUND', 'No such linked account.');
  }
  await audit(deps, { type: 'auth.identity.unlinked', subjectId: userId, ip: meta.ip, detail: { provider } });
  await notify(deps, userId, { kind: 'provider-removed', provider: providerName(deps, provider) });
}
