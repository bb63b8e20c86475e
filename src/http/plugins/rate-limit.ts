/**
 * Per-client-address rate limits, in fixed one-minute windows, in an onRequest hook of each route
 * (so refused and unauthenticated requests count too, before any other work) and in the
 * not-found handler (unknown paths and wrong methods count too).
 *
 * - Every route: RATE_LIMIT_PER_MINUTE per address, shared across routes. Generous, and counted in
 *   this process (synchronously, on the hot path): behind several instances each enforces its own.
 * - Credential routes (`config.rateLimit: 'credential'`: sign-in, sign-up, codes, resets, MFA,
 *   refresh, social sign-in): in addition, RATE_LIMIT_AUTH_PER_MINUTE per address for each such
 *   route, counted through the limits port, whose counters every instance shares (ports/limits.ts),
 *   so running more instances gives nobody more guesses. One counter write per such request.
 * - `config.rateLimit: false`: exempt (health, readiness, discovery documents).
 *
 * The address is Fastify's request.ip, which honours exactly TRUST_PROXY_HOPS proxies. A refusal is
 * a 429 TOO_MANY_REQUESTS with Retry-After; counters that cannot be reached refuse with 503.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../domain/errors.ts';
import type { Limits } from '../../ports/limits.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    rateLimit?: false | 'credential';
  }
  interface FastifyRequest {
    /** Whether the rate limiter has counted this request already. */
    rateCounted: boolean;
  }
  interface FastifyInstance {
    /** Counts a request that no route claims; returns the 429 to send, if it is over the limit. */
    rateLimitUnrouted?: (request: FastifyRequest, reply: FastifyReply) => Error | undefined;
  }
}

const WINDOW_MS = 60_000;

const tooMany = (reply: FastifyReply, retryAfterMs: number) => {
  reply.header('retry-after', String(Math.max(1, Math.ceil(retryAfterMs / 1000))));
  return new AppError('TOO_MANY_REQUESTS', 'Too many requests. Slow down and try again shortly.');
};

export const rateLimit = fp(
  async (
    app: FastifyInstance,
    opts: { perMinute: number; credentialPerMinute: number; limits: Limits; clock?: () => number },
  ) => {
    const clock = opts.clock ?? Date.now;
    let counts = new Map<string, number>();
    let windowEnds = clock() + WINDOW_MS;

    /** Counts one request of `ip` against the general limit; the refusal, if over. */
    const check = (reply: FastifyReply, ip: string): AppError | undefined => {
      const now = clock();
      if (now >= windowEnds) {
        counts = new Map();
        windowEnds = now + WINDOW_MS;
      }
      const n = (counts.get(ip) ?? 0) + 1;
      counts.set(ip, n);
      return n > opts.perMinute ? tooMany(reply, windowEnds - now) : undefined;
    };

    // Each route gets its own hook, chosen once when the route is added, rather than one global
    // hook that asks every request for its route's config (request.routeOptions builds a new
    // object on every read, on the hot path of every request).
    const everyRoute: onRequestHookHandler = (request, reply, done) => {
      request.rateCounted = true;
      done(check(reply, request.ip));
    };
    app.addHook('onRoute', (route) => {
      const kind = route.config?.rateLimit;
      if (kind === false) return;
      const url = route.url;
      const hook =
        kind === 'credential'
          ? async (request: FastifyRequest, reply: FastifyReply) => {
              request.rateCounted = true;
              const refused = check(reply, request.ip);
              if (refused) throw refused;
              const { count, resetAt } = await opts.limits.hit(`${url}|${request.ip}`, WINDOW_MS / 1000);
              if (count > opts.credentialPerMinute) throw tooMany(reply, resetAt - clock());
            }
          : everyRoute;
      const own = route.onRequest;
      route.onRequest = own === undefined ? [hook] : [hook, ...(Array.isArray(own) ? own : [own])];
    });
    // Requests no route claims (404s, and 405s: a known path with another method) count as well,
    // through the not-found handler, so probing unknown paths is limited like anything else; once,
    // when a route (the web app's catch-all) already counted the request and then passed it on.
    app.decorateRequest('rateCounted', false);
    app.decorate('rateLimitUnrouted', (request: FastifyRequest, reply: FastifyReply) =>
      request.rateCounted ? undefined : check(reply, request.ip),
    );
  },
  { name: 'rate-limit' },
);
