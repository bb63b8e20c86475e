/**
 * Ending every session of a user at once: the per-user "issued at or before T is void" mark that
 * every request checks (so even stateless JWT holders are cut off), the identity provider's own
 * global sign-out (refresh tokens), and the browser sessions.
 */
import type { Tokens } from '../ports/identity.ts';
import type { Deps } from './deps.ts';

export async function revokeEverything(deps: Deps, userId: string): Promise<number> {
  const now = deps.clock();
  await deps.store.revocations.set(userId, now);
  await deps.identity.globalSignOut(userId);
  return deps.store.sessions.deleteAllForUser(userId);
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
export async function tokensPastMark(deps: Deps, userId: string, tokens: Tokens): Promise<Tokens> {
  const mark = await deps.store.revocations.get(userId);
  if (mark === null || iatOf(tokens.accessToken) > Math.floor(mark / 1000)) return tokens;
  const wait = (Math.floor(mark / 1000) + 1) * 1000 - deps.clock() + 5;
  await new Promise((r) => setTimeout(r, Math.max(wait, 0)));
  return deps.identity.refresh(tokens.refreshToken);
}

/** The same for a browser session about to be created. */
export async function waitPastMark(deps: Deps, userId: string): Promise<void> {
  const mark = await deps.store.revocations.get(userId);
  if (mark !== null && deps.clock() <= mark) await new Promise((r) => setTimeout(r, mark - deps.clock() + 2));
}
