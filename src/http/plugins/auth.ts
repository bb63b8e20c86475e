/**
 * Authentication for routes that need it: `app.authenticate`, a preParsing hook (after the rate
 * limit, before body parsing and validation, so a 401 comes before any 400), sets
 * request.principal from a Bearer access token (API clients) or the session cookie (the browser),
 * and request.user from the one read of the user's record that the check makes (the revocation
 * mark, strongly consistent, on every request; the profile, plan and usage the route goes on to
 * use). There is one path, the same whatever the store: a store that keeps the record in memory
 * (SQLite) answers from there, one that does not (DynamoDB) reads it in one round trip.
 * An Authorization header, when present, is the only credential considered; a malformed one is a
 * 401, never a 500. Cookie-authenticated unsafe requests must come from an allowed origin
 * (Origin / Sec-Fetch-Site), or, from non-browser clients that send neither, carry the session's
 * CSRF token in X-CSRF-Token. Allowed origins: APP_ORIGIN, CORS_ORIGINS, and, only while the app
 * serves loopback with the default APP_ORIGIN, the same port at localhost, 127.0.0.1 and [::1]
 * (config.loopbackOrigins). A refusal is logged with the Origin seen and the one expected.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../domain/errors.ts';
import type { SessionRecord, UserRecord } from '../../ports/store.ts';
import type { Deps, Principal, RequestMeta, SignedInUser } from '../../services/deps.ts';
import { resolveSession } from '../../services/sessions.ts';
import type { TokenVerifier } from '../../services/token-verifier.ts';
import { activeProfile } from '../../services/users.ts';
import { createSessionCookie, type SessionCookie } from '../session-cookie.ts';

/** A read of a GET route's own, given the signed-in user's id (see authenticateWith). */
export type AlongsideRead<T> = (request: FastifyRequest, userId: string) => Promise<T>;

declare module 'fastify' {
  interface FastifyInstance {
    /** The preParsing hook of signed-in routes. */
    authenticate: (request: FastifyRequest) => Promise<void>;
    /**
     * The same guard for a GET route that reads data of its own: `read` starts beside the guard's
     * read of the user's record, as soon as the credential names the user, so both take one round
     * trip; its result reaches the handler (request.alongside) only once the guard has let the
     * request through. A refused request's read is dropped unseen. Reads only: a GET changes nothing.
     */
    authenticateWith<T>(read: AlongsideRead<T>): (request: FastifyRequest) => Promise<void>;
    sessionCookie: SessionCookie;
    /** config.loopbackOrigins, for `meta`: the origins mail links may point at besides APP_ORIGIN. */
    loopbackOrigins: ReadonlySet<string>;
  }
  interface FastifyContextConfig {
    /** A GET route's own read, started beside the guard's (http/signed-in.ts, authenticateWith). */
    alongside?: AlongsideRead<unknown>;
  }
  interface FastifyRequest {
    principal: Principal | null;
    session: SessionRecord | null;
    /** The signed-in user's record as the guard read it, with an active profile. */
    user: SignedInUser | null;
    /** What authenticateWith's read started, for the handler to await. */
    alongside: Promise<unknown> | undefined;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const meta = (request: FastifyRequest): RequestMeta => {
  const origin = request.headers.origin;
  return {
    ip: request.ip,
    userAgent: String(request.headers['user-agent'] ?? '').slice(0, 256),
    // A browser on this machine gets links to the address it is at (localhost or 127.0.0.1): its
    // session cookie lives there. Any other Origin, or none, gets APP_ORIGIN's links.
    ...(origin !== undefined && request.server.loopbackOrigins.has(origin) ? { linkOrigin: origin } : {}),
  };
};

const unauthenticated = () => new AppError('UNAUTHENTICATED', 'Sign in to continue.');

/** The bearer token of a request, or null when there is no Authorization header; throws when malformed. */
export function bearerToken(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (header === undefined) return null;
  // The token's characters are checked by the verifier before it is trusted; here only the framing.
  if (!header.startsWith('Bearer ') || header.length > 8192 || header.length < 10) {
    throw new AppError('INVALID_TOKEN', 'The Authorization header must be "Bearer <access token>".');
  }
  return header.slice(7);
}

export function createOriginCheck(deps: Deps) {
  const { appOrigin, loopbackOrigins, corsOrigins } = deps.config;
  const allowed = new Set([appOrigin, ...loopbackOrigins, ...corsOrigins]);
  // One line an operator can act on: what came, what was expected, and the setting that decides.
  const refused = (request: FastifyRequest, what: string) => {
    const where = `${request.method} ${request.url.split('?')[0]?.slice(0, 200)}`;
    deps.log.warn(
      { expected: appOrigin, reqId: request.id },
      `Refused ${where}: ${what}. APP_ORIGIN is ${appOrigin}; if people open the app at another address, set APP_ORIGIN to it (or list that origin in CORS_ORIGINS).`,
    );
    return new AppError('ORIGIN_REJECTED', 'Cross-site requests are not allowed.');
  };
  return (request: FastifyRequest, session: SessionRecord | null): void => {
    if (SAFE_METHODS.has(request.method)) return;
    // "null" is what a browser sends for a form post under Referrer-Policy: no-referrer (our pages'
    // policy), and also from sandboxed or opaque origins: it proves nothing either way, so the
    // browser-set Sec-Fetch-Site decides, else the CSRF token does.
    const origin = request.headers.origin === 'null' ? undefined : request.headers.origin;
    const site = request.headers['sec-fetch-site'];
    if (origin !== undefined) {
      if (!allowed.has(origin))
        throw refused(request, `its Origin is ${JSON.stringify(origin.slice(0, 200))}`);
      return;
    }
    if (site !== undefined) {
      if (site !== 'same-origin' && site !== 'none')
        throw refused(request, `Sec-Fetch-Site is ${JSON.stringify(site.slice(0, 40))}`);
      return;
    }
    // Neither header: not a browser, so no ambient-credential attack, but a cookie still needs its CSRF token.
    if (session) {
      const sent = request.headers['x-csrf-token'];
      const ok =
        typeof sent === 'string' &&
        sent.length === session.csrfToken.length &&
        timingSafeEqual(Buffer.from(sent), Buffer.from(session.csrfToken));
      if (!ok) throw new AppError('ORIGIN_REJECTED', 'Send the X-CSRF-Token header from GET /api/session.');
    }
  };
}

export const authPlugin = fp(
  async (app: FastifyInstance, opts: { deps: Deps; verifier: TokenVerifier }) => {
    const { deps, verifier } = opts;
    const cookie = createSessionCookie(deps.config);
    const checkOrigin = createOriginCheck(deps);
    app.decorate('sessionCookie', cookie);
    app.decorate('loopbackOrigins', new Set(deps.config.loopbackOrigins));
    app.decorateRequest('principal', null);
    app.decorateRequest('session', null);
    app.decorateRequest('user', null);
    app.decorateRequest('alongside', undefined);

    const signedIn = async (request: FastifyRequest, user: UserRecord): Promise<SignedInUser> => {
      const profile = await activeProfile(deps, user.userId, user.profile);
      // With the stored profile (the usual case) the record is already a signed-in one: no copy
      // per request, and the same object while it is unchanged (GET /me keeps its JSON by it).
      const signed = profile === user.profile ? (user as SignedInUser) : { ...user, profile };
      request.user = signed;
      return signed;
    };

    const guard = (read: AlongsideRead<unknown> | undefined) => async (request: FastifyRequest) => {
      const alongside = read && ((userId: string) => read(request, userId));
      const token = bearerToken(request);
      if (token !== null) {
        const check = await verifier.verifyAccessToken(token, alongside);
        await signedIn(request, check.user);
        request.alongside = check.alongside;
        request.principal = {
          userId: check.claims.userId,
          groups: check.claims.groups,
          via: 'bearer',
          accessToken: token,
        };
        return;
      }
      const value = cookie.read(request);
      if (!value) throw unauthenticated();
      const check = await resolveSession(deps, value, alongside);
      if (!check) throw new AppError('SESSION_EXPIRED', 'Your session has ended. Sign in again.');
      checkOrigin(request, check.session);
      const { profile } = await signedIn(request, check.user);
      request.session = check.session;
      request.alongside = check.alongside;
      request.principal = {
        userId: check.session.userId,
        groups: profile.groups,
        via: 'cookie',
        sessionIdHash: check.session.idHash,
        sessionCookie: value,
      };
    };

    app.decorate('authenticate', guard(undefined));
    app.decorate('authenticateWith', <T>(read: AlongsideRead<T>) => {
      const hook = guard(read);
      return async (request: FastifyRequest) => {
        // A read started before the guard decides must not be able to change anything.
        if (request.method !== 'GET' && request.method !== 'HEAD') {
          throw new Error('authenticateWith is for GET routes only');
        }
        return hook(request);
      };
    });
  },
  { name: 'auth' },
);
