/**
 * Per-client-address rate limits, in fixed one-minute windows, in a synchronous onRequest hook of
 * each route (so refused and unauthenticated requests count too, before any other work) and in the
 * not-found handler (unknown paths and wrong methods count too).
 *
 * - Every route: RATE_LIMIT_PER_MINUTE per address, shared across routes.
 * - Credential routes (`config.rateLimit: 'credential'`): in addition, RATE_LIMIT_AUTH_PER_MINUTE per
 *   address for each such route, so spraying passwords or hammering sign-up is cut off early.
 * - `config.rateLimit: false`: exempt (health, readiness, discovery documents).
 *
 * The address is Fastify's request.ip, which honours exactly TRUST_PROXY_HOPS proxies. Counters
 * live in this process: behind several instances each enforces its own share. A refusal is a 429
 * TOO_MANY_REQUESTS with Retry-After.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../domain/errors.ts';

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

export const rateLimit = fp(
  async (
    app: FastifyInstance,
    opts: { perMinute: number; credentialPerMinute: number; clock?: () => number },
  ) => {
    const clock = opts.clock ?? Date.now;
    let counts = new Map<string, number>();
    let windowEnds = clock() + WINDOW_MS;

    const over = (key: string, max: number): boolean => {
      const n = (counts.get(key) ?? 0) + 1;
      counts.set(key, n);
      return n > max;
    };

    const refuse = (reply: FastifyReply, now: number) => {
      reply.header('retry-after', String(Math.ceil((windowEnds - now) / 1000)));
      return new AppError('TOO_MANY_REQUESTS', 'Too many requests. Slow down and try again shortly.');
    };
    /** Counts one request of `ip` (and, for a credential route, of `route`); the refusal, if over. */
    const check = (reply: FastifyReply, ip: string, route: string | null): AppError | undefined => {
      const now = clock();
      if (now >= windowEnds) {
        counts = new Map();
        windowEnds = now + WINDOW_MS;
      }
      const limited =
        over(ip, opts.perMinute) || (route !== null && over(`${route}|${ip}`, opts.credentialPerMinute));
      return limited ? refuse(reply, now) : undefined;
    };

    // Each route gets its own hook, chosen once when the route is added, rather than one global
    // hook that asks every request for its route's config (request.routeOptions builds a new
    // object on every read, on the hot path of every request).
    const everyRoute: onRequestHookHandler = (request, reply, done) => {
      request.rateCounted = true;
      done(check(reply, request.ip, null));
    };
    app.addHook('onRoute', (route) => {
      const kind = route.config?.rateLimit;
      if (kind === false) return;
      const url = route.url;
      const hook: onRequestHookHandler =
        kind === 'credential'
          ? (request, reply, done) => {
              request.rateCounted = true;
              done(check(reply, request.ip, url));
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
      request.rateCounted ? undefined : check(reply, request.ip, null),
    );
  },
  { name: 'rate-limit' },
);
