/**
 * The signed-in route scope. Routes registered through `signedInRoutes` live in an encapsulated
 * scope that puts `app.authenticate` (plugins/auth.ts) first among each route's preParsing hooks
 * (`app.authenticateWith(read)` for a route with an `alongside` read): it runs after every
 * onRequest hook (security headers, the media-type check, the rate limit, which so counts refused
 * requests too) and before the body is read, so an unauthenticated request never has its body
 * parsed and a 401 comes before any 400. A guard (the admin check) runs right after it, at the
 * same point. Every route of the scope is documented in OpenAPI as taking a Bearer access token or
 * the session cookie, so the document cannot say "public" of a route that is not.
 *
 * Handlers read the caller with `principalOf` and the user's record (profile, plan, usage: read
 * once by the guard) with `callerUser`, never null inside the scope: no casts in routes. A GET route
 * that reads data of its own names that read in its config (`alongside`): the guard starts it beside
 * its own read of the user's record (app.authenticateWith), one round trip for both.
 */
import type { FastifyRequest } from 'fastify';
import type { Profile } from '../ports/store.ts';
import type { Principal, SignedInUser } from '../services/deps.ts';
import type { AlongsideRead } from './plugins/auth.ts';
import { type App, signedIn } from './routes/route-kit.ts';

export interface SignedInOptions {
  /** A further check of the authenticated caller (the admin group), before the body is read. */
  readonly guard?: (request: FastifyRequest) => Promise<void>;
}

export const signedInRoutes = (
  app: App,
  routes: (scope: App) => void | Promise<void>,
  { guard }: SignedInOptions = {},
) =>
  app.register(async (scope: App) => {
    scope.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, security: signedIn };
      // The guard comes before any hook of the route's own, and is the same one per route.
      const read = route.config?.alongside;
      const own = route.preParsing === undefined ? [] : [route.preParsing].flat();
      route.preParsing = [
        read ? app.authenticateWith(read) : app.authenticate,
        ...(guard ? [guard] : []),
        ...own,
      ];
    });
    await routes(scope);
  });

/** The authenticated caller of a route in a signed-in scope. */
export function principalOf(request: FastifyRequest): Principal {
  const principal = request.principal;
  // Only a route registered outside signedInRoutes gets here: a bug to fix, not a 401 to send.
  if (principal === null)
    throw new Error(`${request.routeOptions.url} reads the caller outside a signed-in scope`);
  return principal;
}

/** The authenticated caller's user id. */
export const callerId = (request: FastifyRequest): string => principalOf(request).userId;

/** The caller's record as the guard read it: profile (present and enabled), plan, usage. */
export function callerUser(request: FastifyRequest): SignedInUser {
  const user = request.user;
  if (user === null)
    throw new Error(`${request.routeOptions.url} reads the caller outside a signed-in scope`);
  return user;
}

/** The caller's profile, from the guard's read. */
export const callerProfile = (request: FastifyRequest): Profile => callerUser(request).profile;

/** What a route's `alongside` read started, once the guard has let the request in. */
export const alongsideOf = <T>(request: FastifyRequest, _read: AlongsideRead<T>): Promise<T> =>
  request.alongside as Promise<T>;
