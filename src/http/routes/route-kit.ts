/** Small helpers every route file uses: the typed app, rate-limit presets and token mapping. */
import type {} from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type {
  FastifyBaseLogger,
  FastifyInstance,
  RawReplyDefaultExpression,
  RawRequestDefaultExpression,
  RawServerDefault,
} from 'fastify';
import { AppError } from '../../domain/errors.ts';
import type { Tokens } from '../../ports/identity.ts';
import type { Deps, SignedInUser } from '../../services/deps.ts';
import type { TokenVerifier } from '../../services/token-verifier.ts';

export type App = FastifyInstance<
  RawServerDefault,
  RawRequestDefaultExpression,
  RawReplyDefaultExpression,
  FastifyBaseLogger,
  TypeBoxTypeProvider
>;

export interface RouteOptions {
  readonly deps: Deps;
  readonly verifier: TokenVerifier;
}

/** Credential endpoints: tight, per client address. */
export const credentialLimit = { rateLimit: 'credential' } as const;

export const tokensBody = (t: Tokens) => ({
  id_token: t.idToken,
  access_token: t.accessToken,
  refresh_token: t.refreshToken,
  expires_in: t.expiresIn,
  token_type: t.tokenType,
});

/** OpenAPI: routes of the signed-in scope (../signed-in.ts) accept a Bearer access token or the session cookie. */
export const signedIn: { [scheme: string]: string[] }[] = [{ bearer: [] }, { session: [] }];

/** The signed-in user's record as the guard read it, in a handler behind app.authenticate. */
export function signedInUser(request: { user: SignedInUser | null }): SignedInUser {
  if (!request.user) throw new AppError('UNAUTHENTICATED', 'Sign in to continue.');
  return request.user;
}
