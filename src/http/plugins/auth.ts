/**
 * Authentication for routes that need it: `app.authenticate`, a preParsing hook (after the rate limit, before body parsing and validation, so a 401 comes before any 400), sets
 * request.principal from a Bearer access token (API clients) or the session cookie (the browser).
 * An Authorization header, when present, is the only credential considered; a malformed one is a
 * 401, never a 500. Cookie-authenticated unsafe requests must come from an allowed origin
 * (Origin / Sec-Fetch-Site), or, from non-browser clients that send neither, carry the session's
 * CSRF token in X-CSRF-Token. Allowed origins: APP_ORIGIN, CORS_ORIGINS, and, only while the app
 * serves loopback with the default APP_ORIGIN, the same port at localhost, 127.0.0.1 and [::1]
 * (config.loopbackOrigins). A refusal is logged with the Origin seen and the one expected.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../domain/errors.ts';
import type { Profile, SessionRecord } from '../../ports/store.ts';
import type { Deps, Principal, RequestMeta } from '../../services/deps.ts';
import { hashSessionId, resolveSession, resolveSessionNow } from '../../services/sessions.service.ts';
import type { TokenVerifier, VerifiedToken } from '../../services/token-verifier.ts';
import { getProfile, profileNow } from '../../services/users.service.ts';
import { createSessionCookie, type SessionCookie } from '../session-cookie.ts';

declare module 'fastify' {
  interface FastifyInstance {
    /**
     * The preParsing hook of signed-in routes. Synchronous when everything it needs is in memory
     * (a token verified before, a cached session and profile); otherwise it returns a promise.
     */
    authenticate: (
      request: FastifyRequest,
      reply: FastifyReply,
      payload: unknown,
      done: (err?: Error | null) => void,
    ) => Promise<void> | undefined;
    sessionCookie: SessionCookie;
    /** config.loopbackOrigins, for `meta`: the origins mail links may point at besides APP_ORIGIN. */
    loopbackOrigins: ReadonlySet<string>;
  }
  interface FastifyRequest {
    principal: Principal | null;
    session: SessionRecord | null;
    /** The caller's profile when authentication already had to read it (cookie callers). */
    profile: Profile | null;
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
    app.decorateRequest('profile', null);

    const bearerPrincipal = (request: FastifyRequest, token: string, verified: VerifiedToken) => {
      request.principal = {
        userId: verified.userId,
        groups: verified.groups,
        via: 'bearer',
        accessToken: token,
      };
    };
    const sessionEnded = () => new AppError('SESSION_EXPIRED', 'Your session has ended. Sign in again.');
    const cookiePrincipal = (
      request: FastifyRequest,
      session: SessionRecord,
      profile: Profile,
      sessionCookie: string,
    ) => {
      request.session = session;
      request.profile = profile;
      request.principal = {
        userId: session.userId,
        groups: profile.groups,
        via: 'cookie',
        sessionIdHash: session.idHash,
        sessionCookie,
      };
    };
    const slowBearer = async (request: FastifyRequest, token: string) => {
      bearerPrincipal(request, token, await verifier.verifyAccessToken(token));
    };
    const slowCookie = async (request: FastifyRequest, value: string) => {
      const session = await resolveSession(deps, value);
      if (!session) throw sessionEnded();
      checkOrigin(request, session);
      cookiePrincipal(request, session, await getProfile(deps, session.userId), value);
    };

    // An API client sends the same token on every request of a keep-alive connection: remember
    // the last one verified per connection, so the common case compares the token with that one
    // instead of hashing its ~800 characters for the verifier's cache. Expiry and revocation are
    // still checked on every request; a different token on the connection takes the usual path.
    const lastOnConnection = new WeakMap<object, { token: string; verified: VerifiedToken }>();
    // Likewise a browser sends the same Cookie header on every request of a connection: remember
    // the session id it carried and that id's hash (the store's key), so the common case is one
    // string comparison instead of parsing the header and hashing the id. The session itself is
    // looked up, and checked for expiry and revocation, on every request.
    const lastCookieOnConnection = new WeakMap<object, { header: string; value: string; idHash: string }>();
    const readCookie = (request: FastifyRequest): { value: string; idHash: string } | undefined => {
      const header = request.headers.cookie;
      if (header === undefined) return undefined;
      const socket = request.raw.socket;
      const last = lastCookieOnConnection.get(socket);
      if (last !== undefined && last.header === header) return last;
      const value = cookie.read(request);
      if (!value) return undefined;
      const known = { header, value, idHash: hashSessionId(value) };
      if (socket) lastCookieOnConnection.set(socket, known);
      return known;
    };

    // The same checks in the same order either way; the synchronous path only skips the promises
    // when every answer is already in memory (a cached token or session and its user's records).
    app.decorate(
      'authenticate',
      (
        request: FastifyRequest,
        _reply: FastifyReply,
        _payload: unknown,
        done: (err?: Error | null) => void,
      ) => {
        const token = bearerToken(request);
        if (token !== null) {
          const socket = request.raw.socket;
          const last = lastOnConnection.get(socket);
          const same = last !== undefined && last.token === token;
          const verified = verifier.verifyNow(token, same ? last.verified : undefined);
          if (!verified) return slowBearer(request, token);
          if (!same && socket) lastOnConnection.set(socket, { token, verified });
          bearerPrincipal(request, token, verified);
          done();
          return undefined;
        }
        const read = readCookie(request);
        if (!read) throw unauthenticated();
        const { value, idHash } = read;
        const session = resolveSessionNow(deps, value, idHash);
        if (session === null) throw sessionEnded();
        const profile = session && profileNow(deps, session.userId);
        if (!session || !profile) return slowCookie(request, value);
        checkOrigin(request, session);
        cookiePrincipal(request, session, profile, value);
        done();
        return undefined;
      },
    );
  },
  { name: 'auth' },
);
