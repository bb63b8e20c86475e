/**
 * Social identities in Cognito mode: what a Hosted UI sign-in proves once its tokens verify as the
 * pool's, and linking such an identity to the signed-in user, Cognito's way (linking.ts holds the
 * rules both modes share and calls this for the pool's part).
 *
 * How Cognito links. A Hosted UI sign-in with an identity the pool has not linked makes a pool
 * user of its own for it (`Google_<subject>`, no password), and Cognito links only an identity that
 * has no pool user (it does not merge users). So a link flow ends with the tokens of that user.
 * When it holds nothing (no password, no Gatehouse profile, no other identity: nobody has used it
 * here) it is deleted and the identity linked to the signed-in user (AdminLinkProviderForUser),
 * whose account every later sign-in with it lands in. A pool user that holds anything is an
 * account of its own, possibly another person's: IDENTITY_IN_USE, and nothing is deleted. If
 * Cognito then refuses the link, the deleted user is no loss: the next sign-in makes it afresh.
 */

import { AppError, isAppError } from '../domain/errors.ts';
import type { Federation } from '../ports/federation.ts';
import type { IdentityProvider, ProviderIdentity, Tokens } from '../ports/identity.ts';
import type { LinkedIdentity, Store } from '../ports/store.ts';
import type { TokenVerifier } from './token-verifier.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type PoolLinksDeps = {
  readonly federation: Pick<Federation, 'providers'>;
  readonly identity: Pick<IdentityProvider, 'adminDeleteUser' | 'adminGetUser' | 'adminLinkProviderForUser'>;
  readonly store: Pick<Store, 'profiles'>;
};

export const rejected = () =>
  new AppError('OAUTH_REJECTED', 'The sign-in could not be completed. Start again.');

/** A Hosted UI sign-in, once both of its tokens verified. */
export interface PoolSignIn {
  /** The pool user signed in (its sub). */
  readonly userId: string;
  /** The ID token's `identities` claim: the social identities that sign in as this user. */
  readonly identities: readonly ProviderIdentity[];
  readonly email: string | null;
}

const identitiesOf = (claim: unknown): ProviderIdentity[] =>
  (Array.isArray(claim) ? (claim as { userId?: unknown; providerName?: unknown }[]) : []).flatMap((i) =>
    typeof i?.userId === 'string' && typeof i.providerName === 'string'
      ? [{ providerName: i.providerName, subject: i.userId }]
      : [],
  );

/**
 * The Hosted UI's tokens, verified as pool tokens (RS256 against the pool's JWKS, issuer,
 * token_use, client_id; the ID token's audience) before anything about them is believed, and
 * both for the same user. Any failure is OAUTH_REJECTED.
 */
export async function verifyPoolSignIn(verifier: TokenVerifier, tokens: Tokens): Promise<PoolSignIn> {
  try {
    const { claims } = await verifier.verifyAccessToken(tokens.accessToken);
    const id = await verifier.verifyIdToken(tokens.idToken);
    if (id.sub !== claims.userId) throw rejected();
    return {
      userId: claims.userId,
      identities: identitiesOf(id.identities),
      email: typeof id.email === 'string' ? id.email : null,
    };
  } catch (err) {
    if (isAppError(err) && (err.code === 'INVALID_TOKEN' || err.code === 'TOKEN_REVOKED')) throw rejected();
    throw err;
  }
}

/** The identity of the flow's provider among those the sign-in carries; null when none is. */
export function identityFor(
  deps: PoolLinksDeps,
  provider: string,
  signIn: PoolSignIn,
): ProviderIdentity | null {
  const name = deps.federation.providers.find((p) => p.id === provider)?.poolProviderName;
  return signIn.identities.find((i) => i.providerName === name) ?? null;
}

/** The pool's name for one of our provider ids, for unlinking a stored link. */
export function poolIdentityOf(deps: PoolLinksDeps, link: LinkedIdentity): ProviderIdentity {
  const name = deps.federation.providers.find((p) => p.id === link.provider)?.poolProviderName;
  // A provider dropped from COGNITO_IDENTITY_PROVIDERS keeps its pool name only in the id.
  return { providerName: name ?? link.provider, subject: link.subject };
}

/**
 * The pool's part of linking the identity of `signIn` to `userId`, after linking.ts's own checks:
 * the user the Hosted UI made for it is deleted when it holds nothing, and the identity linked.
 * Nothing to do when the pool links the identity to `userId` already. Returns the replaced pool
 * user's id, if one was deleted (for the audit).
 */
export async function linkInPool(
  deps: PoolLinksDeps,
  userId: string,
  signIn: PoolSignIn,
  identity: ProviderIdentity,
): Promise<string | null> {
  if (signIn.userId === userId) return null;
  const made = await deps.identity.adminGetUser(signIn.userId);
  if (made) {
    const used =
      made.hasPassword ||
      signIn.identities.length !== 1 ||
      (await deps.store.profiles.get(made.userId)) !== null;
    if (used) {
      throw new AppError(
        'IDENTITY_IN_USE',
        'That account already signs in to another account here. Sign in with it to use that account.',
      );
    }
    await deps.identity.adminDeleteUser(made.userId);
  }
  await deps.identity.adminLinkProviderForUser(userId, identity);
  return made ? made.userId : null;
}
