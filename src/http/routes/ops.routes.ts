/**
 * Operations: /health (alive, no I/O), /ready (every adapter answers; the checks' outcome is kept
 * for a few seconds), the built-in provider's JWKS and OpenID discovery document, and the dev mail
 * outbox (loopback clients only, only while the outbox is the mail adapter): the messages as JSON,
 * and each one's HTML part as the page the Mailbox shows in a sandboxed frame.
 */

import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { AppError } from '../../domain/errors.ts';
import { ClientConfigAnswer, DevMailAnswer } from '../schemas/ops.ts';
import type { App, RouteOptions } from './route-kit.ts';

const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
/** A client on this machine, talking to us directly (a proxy in front would make everyone local). */
const isLocalClient = (request: FastifyRequest) =>
  LOOPBACK.has(request.socket.remoteAddress ?? '') &&
  request.headers['x-forwarded-for'] === undefined &&
  request.headers.forwarded === undefined;
const noLimit = { config: { rateLimit: false } } as const;

/**
 * How long one round of /ready's checks answers for. Load balancers probe every few seconds from
 * several nodes; each round costs a call to every dependency (in AWS mode Cognito's
 * DescribeUserPool, which draws on a per-account quota shared with every user-pool read), so
 * probes in this window share the last round, and concurrent probes share one round in flight.
 */
export const READY_CACHE_MS = 5000;

type Readiness = {
  status: 'ready' | 'unavailable';
  checks: Record<string, 'ok' | 'failed'>;
  checked_at: string;
};

export async function opsRoutes(app: App, { deps }: RouteOptions) {
  const tags = ['Operations'];
  const { identity, store, blobs } = deps;

  app.get(
    '/health',
    {
      ...noLimit,
      schema: {
        tags,
        summary: 'The process is alive (no I/O)',
        response: { 200: Type.Object({ status: Type.Literal('ok') }) },
      },
    },
    async () => ({ status: 'ok' as const }),
  );

  const check = async (): Promise<Readiness> => {
    const checkedAt = new Date(deps.clock()).toISOString();
    const checks: Record<string, 'ok' | 'failed'> = {};
    await Promise.all(
      Object.entries({ identity, store, blobs }).map(async ([name, port]) => {
        checks[name] = await port.ping().then(
          () => 'ok' as const,
          () => 'failed' as const,
        );
      }),
    );
    const ready = Object.values(checks).every((c) => c === 'ok');
    return { status: ready ? 'ready' : 'unavailable', checks, checked_at: checkedAt };
  };
  let last: { at: number; answer: Promise<Readiness> } | null = null;

  app.get(
    '/ready',
    {
      ...noLimit,
      schema: {
        tags,
        summary: `Every adapter is reachable (the checks' outcome answers for ${READY_CACHE_MS / 1000} s; checked_at says when they ran)`,
      },
    },
    async (_request, reply) => {
      const now = deps.clock();
      if (!last || now - last.at >= READY_CACHE_MS || now < last.at) last = { at: now, answer: check() };
      const answer = await last.answer;
      reply.header('cache-control', 'no-store');
      return reply.status(answer.status === 'ready' ? 200 : 503).send(answer);
    },
  );

  if (identity.mode === 'builtin') {
    app.get(
      '/.well-known/jwks.json',
      {
        ...noLimit,
        schema: { tags, summary: 'Public keys that verify access and ID tokens' },
      },
      async (_request, reply) => {
        reply.header('cache-control', 'public, max-age=300');
        const jwks = await identity.getJwks();
        // Only public members, whatever the key store holds.
        return { keys: jwks.keys.map(({ kty, kid, alg, use, n, e }) => ({ kty, kid, alg, use, n, e })) };
      },
    );

    app.get(
      '/.well-known/openid-configuration',
      {
        ...noLimit,
        schema: { tags, summary: 'OpenID Connect discovery document of the built-in provider' },
      },
      async (_request, reply) => {
        reply.header('cache-control', 'public, max-age=300');
        return {
          issuer: identity.issuer,
          jwks_uri: `${deps.config.appOrigin}/.well-known/jwks.json`,
          token_endpoint: `${deps.config.appOrigin}/api/auth/signin`,
          response_types_supported: ['token'],
          subject_types_supported: ['public'],
          id_token_signing_alg_values_supported: ['RS256'],
          claims_supported: [
            'sub',
            'iss',
            'aud',
            'exp',
            'iat',
            'email',
            'email_verified',
            'name',
            'cognito:groups',
            'token_use',
          ],
        };
      },
    );
  }

  const outbox = deps.devOutbox;

  // What the web app needs to check fields with the server's own rules (web/src/validate.ts).
  app.get(
    '/api/client-config',
    {
      schema: {
        tags,
        summary:
          "Settings the web app follows: the password policy, the phone numbers' default country, whether the dev mailbox is served",
        response: { 200: ClientConfigAnswer },
      },
    },
    async (request, reply) => {
      reply.header('cache-control', 'no-cache');
      return {
        service_name: deps.config.serviceName,
        password: { min_length: deps.passwordPolicy.minLength, max_length: deps.passwordPolicy.maxLength },
        phone_default_country: deps.config.phoneDefaultCountry,
        dev_mailbox: outbox !== undefined && isLocalClient(request),
        passkeys: await deps.passkeys.offered(),
        passkey_rename: deps.passkeys.capabilities.rename,
        passkey_sign_in_needs_email: deps.passkeys.capabilities.signInNeedsEmail,
        passkey_keeps_name: deps.passkeys.capabilities.keepsGivenName,
        passkey_reports_use: deps.passkeys.capabilities.reportsLastUse,
      };
    },
  );

  if (outbox) {
    app.get(
      '/api/dev/mail',
      {
        schema: {
          tags: ['Development'],
          summary: 'The dev mail outbox (loopback clients only)',
          querystring: Type.Object(
            {
              to: Type.Optional(Type.String({ maxLength: 320 })),
              limit: Type.Optional(Type.String({ pattern: '^[0-9]{1,3}$' })),
            },
            { additionalProperties: false },
          ),
          response: { 200: DevMailAnswer },
        },
      },
      async (request) => {
        if (!isLocalClient(request)) {
          throw new AppError('LOOPBACK_ONLY', 'The dev outbox is only served to this machine.');
        }
        const to = request.query.to?.toLowerCase();
        const limit = Math.min(Number(request.query.limit ?? 50), 200);
        const messages = outbox
          .list(200)
          .filter((m) => !to || m.to === to)
          .slice(0, limit);
        return { messages };
      },
    );

    app.get(
      '/api/dev/mail/:id/html',
      {
        // A page, not an API answer: kept out of the OpenAPI document like the other pages.
        schema: {
          hide: true,
          params: Type.Object({ id: Type.String({ format: 'uuid' }) }, { additionalProperties: false }),
        },
      },
      async (request, reply) => {
        if (!isLocalClient(request)) {
          throw new AppError('LOOPBACK_ONLY', 'The dev outbox is only served to this machine.');
        }
        const message = outbox.list().find((m) => m.id === request.params.id);
        if (!message) throw new AppError('NOT_FOUND', 'No such message in the dev outbox.');
        // The mail as sent, in a sandbox: its inline styles apply, nothing else loads or runs, and
        // only the Mailbox page may frame it. Its links open in a new tab rather than in the frame.
        reply
          .header(
            'content-security-policy',
            "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox",
          )
          .header('x-frame-options', 'SAMEORIGIN')
          .type('text/html; charset=utf-8');
        return message.html.replace(/<head>/i, '<head><base target="_blank">');
      },
    );
  }
}
