/**
 * Per-client-address rate limits, in fixed one-minute windows, in one synchronous onRequest hook
 * (so refused, unauthenticated and unknown-path requests count too, before any other work).
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
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../domain/errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    rateLimit?: false | 'credential';
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

    app.addHook('onRequest', (request, reply, done) => {
      const kind = request.routeOptions.config.rateLimit;
      if (kind === false) {
        done();
        return;
      }
      const now = clock();
      if (now >= windowEnds) {
        counts = new Map();
        windowEnds = now + WINDOW_MS;
      }
      const ip = request.ip;
      const limited =
        over(ip, opts.perMinute) ||
        (kind === 'credential' && over(`${request.routeOptions.url}|${ip}`, opts.credentialPerMinute));
      if (!limited) {
        done();
        return;
      }
      reply.header('retry-after', String(Math.ceil((windowEnds - now) / 1000)));
      done(new AppError('TOO_MANY_REQUESTS', 'Too many requests. Slow down and try again shortly.'));
    });
  },
  { name: 'rate-limit' },
);
