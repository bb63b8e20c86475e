/**
 * buildApp: a configured Fastify instance that never listens (tests use inject, server.ts listens).
 * Order matters: security headers and the error handler first, so every answer, even a 404 or a
 * rate-limit refusal, carries the headers and the error shape.
 */
import { randomUUID } from 'node:crypto';
import cors from '@fastify/cors';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { type FastifyServerOptions, LogController } from 'fastify';
import { authPlugin } from './http/plugins/auth.ts';
import { createSecurityHeaders, edge } from './http/plugins/edge.ts';
import { errorHandler } from './http/plugins/error-handler.ts';
import { rateLimit } from './http/plugins/rate-limit.ts';
import { logOptions, requestLog } from './http/plugins/request-log.ts';
import { slowClients } from './http/plugins/slow-clients.ts';
import { type SchemaCompilers, schemaCompilers } from './http/route-schemas.ts';
import { adminRoutes } from './http/routes/admin.routes.ts';
import { authRoutes } from './http/routes/auth.routes.ts';
import { awsRoutes } from './http/routes/aws.routes.ts';
import { billingRoutes } from './http/routes/billing.routes.ts';
import { billingPageRoutes } from './http/routes/billing-pages.routes.ts';
import { dataRoutes } from './http/routes/data.routes.ts';
import { docsRoutes } from './http/routes/docs.routes.ts';
import { emailChangeRoutes } from './http/routes/email-change.routes.ts';
import { filesRoutes } from './http/routes/files.routes.ts';
import { identitiesRoutes } from './http/routes/identities.routes.ts';
import { oauthRoutes } from './http/routes/oauth.routes.ts';
import { opsRoutes } from './http/routes/ops.routes.ts';
import { passkeyRoutes } from './http/routes/passkeys.routes.ts';
import { sessionRoutes } from './http/routes/session.routes.ts';
import { usersRoutes } from './http/routes/users.routes.ts';
import { webRoutes } from './http/routes/web.routes.ts';
import { webhookRoutes } from './http/routes/webhooks.routes.ts';
import { ErrorBody, ErrorDoc, UploadDoc } from './http/schemas/common.ts';
import type { Deps } from './services/deps.ts';
import { createTokenVerifier } from './services/token-verifier.ts';

export interface BuildOptions {
  readonly deps: Deps;
  /** A pino logger instance or options; defaults to the config's LOG_LEVEL. */
  readonly logger?: FastifyServerOptions['loggerInstance'];
  /** Schema compilers other than the build's (src/build-schemas.ts passes its writing ones). */
  readonly compilersFactory?: SchemaCompilers['compilersFactory'];
}

export async function buildApp({ deps, logger, compilersFactory }: BuildOptions) {
  const { config } = deps;
  // Pages may show images from where the blob store's short-lived URLs point (S3 in AWS mode).
  const securityHeaders = createSecurityHeaders(
    deps.blobs.signedUrlOrigin ? [deps.blobs.signedUrlOrigin] : [],
  );
  const processTag = randomUUID().slice(0, 8);
  let requestCount = 0;
  // Validators and serializers come compiled from the build (http/route-schemas.ts).
  const schemas = schemaCompilers();
  const app = Fastify({
    schemaController: { compilersFactory: compilersFactory ?? schemas.compilersFactory },
    ...(logger ? { loggerInstance: logger } : { logger: logOptions(config.logLevel) }),
    logController: new LogController({ disableRequestLogging: true }),
    // Trust exactly N proxy hops: the client address is the Nth entry from the right of X-Forwarded-For.
    trustProxy:
      config.trustProxyHops > 0 ? (_address: string, hop: number) => hop < config.trustProxyHops : false,
    bodyLimit: config.bodyLimitBytes,
    // Never adopt a client's request id: it ends up in logs. A counter under a per-process prefix
    // is unique enough to correlate log lines and costs nothing per request.
    genReqId: () => `${processTag}-${(++requestCount).toString(36)}`,
    // No child logger per request (pino children with redaction cost more than the rest of a
    // cached-token request); the lines that matter carry the request id themselves.
    childLoggerFactory: (logger) => logger,
    requestIdHeader: false,
    return503OnClosing: true,
    // The router's own refusals (a malformed URL, a path segment over maxParamLength) come before
    // any hook: give them the security headers and the error shape here, without echoing the URL.
    frameworkErrors: (err, request, reply) => {
      const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
      (reply as import('fastify').FastifyReply)
        .headers(securityHeaders(request.url ?? '/'))
        .status(tooLong ? 404 : 400)
        .send({
          error: tooLong
            ? { code: 'NOT_FOUND', message: 'Not found.' }
            : { code: 'BAD_REQUEST', message: 'The request URL is malformed.' },
        });
    },
    routerOptions: { maxParamLength: 256 },
    ajv: {
      customOptions: { removeAdditional: false, coerceTypes: false, useDefaults: true, allErrors: false },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  app.decorate('schemas', schemas);
  app.addSchema(ErrorBody);
  await app.register(edge, { securityHeaders });
  await app.register(rateLimit, {
    perMinute: config.rateLimitPerMinute,
    credentialPerMinute: config.rateLimitAuthPerMinute,
    limits: deps.limits,
    clock: deps.clock,
  });
  await app.register(errorHandler);
  await app.register(requestLog);
  await app.register(slowClients, {
    headersTimeoutMs: config.headersTimeoutSeconds * 1000,
    requestTimeoutMs: config.requestTimeoutSeconds * 1000,
    keepAliveTimeoutMs: config.keepAliveTimeoutSeconds * 1000,
    uploadIdleTimeoutMs: config.uploadIdleTimeoutSeconds * 1000,
  });
  if (config.corsOrigins.length > 0) {
    const allowed = new Set(config.corsOrigins);
    await app.register(cors, {
      origin: (origin, cb) => cb(null, origin !== undefined && allowed.has(origin)),
      credentials: true,
      methods: ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'],
      allowedHeaders: ['content-type', 'authorization', 'x-csrf-token'],
      maxAge: 600,
    });
  }
  await app.register(swagger, {
    // Every operation documents the shared error body once, here, instead of each route compiling
    // a serializer for it (that compilation was a measurable part of start-up).
    // Upload routes read their multipart body as a stream, so they declare no body schema to
    // validate; the document still shows the one `file` part they expect.
    transform: ({ schema, url }) => ({
      schema:
        schema && !schema.hide
          ? {
              ...schema,
              ...((schema.consumes as string[] | undefined)?.includes('multipart/form-data')
                ? { body: UploadDoc }
                : {}),
              response: { ...(schema.response as object), default: ErrorDoc },
            }
          : schema,
      url,
    }),
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Gatehouse API',
        version: '0.1.0',
        description:
          'Sign-up to sign-out, sessions and tokens, profiles, photos and files, administration. Errors are always { error: { code, message } }.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          session: { type: 'apiKey', in: 'cookie', name: 'gh_session' },
        },
      },
    },
  });
  await app.register(docsRoutes);
  // Upload routes register the multipart parser in their own scope (http/uploads.ts), and only
  // routes that list multipart/form-data in config.contentTypes get past the edge check.

  const verifier = createTokenVerifier({ identity: deps.identity, store: deps.store, clock: deps.clock });
  await app.register(authPlugin, { deps, verifier });

  const opts = { deps, verifier };
  await app.register(opsRoutes, opts);
  await app.register(authRoutes, { ...opts, prefix: '/api/auth' });
  await app.register(oauthRoutes, { ...opts, prefix: '/api/auth/oauth' });
  await app.register(sessionRoutes, { ...opts, prefix: '/api' });
  await app.register(passkeyRoutes, { ...opts, prefix: '/api' });
  await app.register(identitiesRoutes, { ...opts, prefix: '/api/users/me/identities' });
  await app.register(emailChangeRoutes, { ...opts, prefix: '/api/users/me/email' });
  await app.register(usersRoutes, { ...opts, prefix: '/api/users' });
  await app.register(filesRoutes, { ...opts, prefix: '/api/files' });
  await app.register(dataRoutes, { ...opts, prefix: '/api/data' });
  await app.register(awsRoutes, { ...opts, prefix: '/api/aws' });
  await app.register(adminRoutes, { ...opts, prefix: '/api/admin' });
  await app.register(billingRoutes, { ...opts, prefix: '/api/billing' });
  await app.register(webhookRoutes, { ...opts, prefix: '/api/webhooks' });
  await app.register(billingPageRoutes, opts);
  // Last: its catch-all GET serves the web app for every path no other route claims.
  await app.register(webRoutes, opts);
  // The simulator delivers its signed events through the whole HTTP stack, as Stripe would.
  deps.billingSimulator?.setDelivery(async (payload, signature) => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/webhooks/stripe',
      payload,
      headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signature },
    });
    return res.statusCode;
  });
  app.get('/openapi.json', { config: { rateLimit: false }, schema: { hide: true } }, async () =>
    app.swagger(),
  );

  return app;
}

export type GatehouseApp = Awaited<ReturnType<typeof buildApp>>;
