/**
 * Ending every session of a user at once: the per-user "issued at or before T is void" mark that
 * every request checks (so even stateless JWT holders are cut off), the identity provider's own
 * global sign-out (refresh tokens), and the browser sessions.
 */
import type { IdentityProvider, Tokens } from '../ports/identity.ts';
import type { Store } from '../ports/store.ts';
import type { Deps } from './deps.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type RevocationDeps = Pick<Deps, 'clock'> & {
  readonly identity: Pick<IdentityProvider, 'globalSignOut' | 'refresh'>;
  readonly store: Pick<Store, 'revocations' | 'sessions'>;
};

/** Whether a user's mark voids a token issued at `iatSeconds` (tokens carry whole seconds). */
export const tokenRevoked = (mark: number | null, iatSeconds: number): boolean =>
  mark !== null && iatSeconds <= Math.floor(mark / 1000);

/** Whether a user's mark voids a browser session created at `createdAt` (epoch ms). */
export const sessionRevoked = (mark: number | null, createdAt: number): boolean =>
  mark !== null && createdAt <= mark;

/**
 * The mark first: from the moment it is stored, every token and session issued before it is
 * refused on every instance. The provider's sign-out and the sessions' deletion then go side by
 * side; neither is what makes the sign-out hold.
 */
export async function revokeEverything(deps: RevocationDeps, userId: string): Promise<number> {
  const now = deps.clock();
  await deps.store.revocations.set(userId, now);
  const [, sessions] = await Promise.all([
    deps.identity.globalSignOut(userId),
    deps.store.sessions.deleteAllForUser(userId),
  ]);
  return sessions;
}

const iatOf = (jwt: string): number => {
  const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()) as {
    iat?: number;
  };
  return payload.iat ?? 0;
};

/**
 * Tokens carry whole-second `iat`s; a sign-in in the same second as a sign-out everywhere would get
 * tokens the mark already voids. Rare, and cured by waiting for the next second and refreshing.
 */
export async function tokensPastMark(
  deps: RevocationDeps,
  userId: string,
  tokens: Tokens,
  /** The user's mark, when the caller has just read it. */
  known?: number | null,
): Promise<Tokens> {
  const mark = known !== undefined ? known : await deps.store.revocations.get(userId);
  if (mark === null || !tokenRevoked(mark, iatOf(tokens.accessToken))) return tokens;
  const wait = (Math.floor(mark / 1000) + 1) * 1000 - deps.clock() + 5;
  await new Promise((r) => setTimeout(r, Math.max(wait, 0)));
  return deps.identity.refresh(tokens.refreshToken);
}

/** The same for a browser session about to be created. */
export async function waitPastMark(
  deps: RevocationDeps,
  userId: string,
  known?: number | null,
): Promise<void> {
  const mark = known !== undefined ? known : await deps.store.revocations.get(userId);
  if (mark !== null && deps.clock() <= mark) await new Promise((r) => setTimeout(r, mark - deps.clock() + 2));
}
