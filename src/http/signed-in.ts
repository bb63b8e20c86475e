/**
 * The signed-in route scope. Routes registered through `signedInRoutes` live in an encapsulated
 * scope whose one preParsing hook is `app.authenticate` (plugins/auth.ts): it runs after every
 * onRequest hook (security headers, the media-type check, the rate limit, which so counts refused
 * requests too) and before the body is read, so an unauthenticated request never has its body
 * parsed and a 401 comes before any 400. A guard (the admin check) runs right after it, at the
 * same point. Every route of the scope is documented in OpenAPI as taking a Bearer access token or
 * the session cookie, so the document cannot say "public" of a route that is not.
 *
 * Handlers read the caller with `principalOf`, never null inside the scope: no casts in routes.
 */
import type { FastifyRequest } from 'fastify';
import type { Profile } from '../ports/store.ts';
import type { Deps, Principal } from '../services/deps.ts';
import { getProfile } from '../services/users.service.ts';
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
    scope.addHook('preParsing', app.authenticate);
    if (guard) scope.addHook('preParsing', guard);
    scope.addHook('onRoute', (route) => {
      route.schema = { ...route.schema, security: signedIn };
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

/** The caller's profile: the one authentication already read (cookie callers), else from the store. */
export const callerProfile = async (deps: Deps, request: FastifyRequest): Promise<Profile> =>
  request.profile ?? getProfile(deps, principalOf(request).userId);
