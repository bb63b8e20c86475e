/**
 * A fake Stripe API over real HTTP (node:http on 127.0.0.1) that the stripe SDK is pointed at with
 * host/port/protocol, so tests exercise the SDK's own encoding, headers, retries and error classes.
 * It records every request (method, path, params flat and nested, headers), keeps state, checks the
 * API key, honours idempotency keys on POST as Stripe does (same key and params: the first
 * response replayed with `Idempotent-Replayed: true`; same key, other params or endpoint: 400
 * idempotency_error; only successful results are kept, as Stripe keeps none for a request that
 * fails validation), and answers with Stripe-shaped objects and errors. Tests can seed state and
 * make the next requests fail with a status or a dropped connection. Only the endpoints the Stripe
 * billing adapter uses exist; anything else is Stripe's 404 "Unrecognized request URL".
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  errorBodyFor,
  FakeStripeError,
  flatForm,
  invalidRequest,
  type Params,
  parseStripeForm,
  sameParams,
  stripeId,
} from './stripe-form.ts';
import { createSeeds } from './stripe-seed.ts';
import { createFakeStripeState } from './stripe-state.ts';

export const FAKE_STRIPE_KEY = 'sk_test_fake_0123456789abcdefSECRET';

export interface RecordedRequest {
  readonly method: string;
  /** Without the query string, e.g. /v1/checkout/sessions. */
  readonly path: string;
  /** The form pairs exactly as sent (body for POST, query string otherwise). */
  readonly form: Readonly<Record<string, string>>;
  /** The same, nested: `line_items[0][price]` is `params.line_items[0].price`. */
  readonly params: Params;
  /** Lower-case names: 'idempotency-key', 'stripe-version', 'authorization', 'user-agent'. */
  readonly headers: IncomingHttpHeaders;
}

type Failure = number | 'disconnect';

interface Stored {
  readonly method: string;
  readonly path: string;
  readonly form: Record<string, string>;
  readonly status: number;
  readonly body: unknown;
}

type Handler = (params: Params, id: string) => unknown;

export async function startFakeStripe(opts: { secretKey?: string; clock?: () => number } = {}) {
  const secretKey = opts.secretKey ?? FAKE_STRIPE_KEY;
  const fake = createFakeStripeState(opts.clock ?? Date.now);
  const requests: RecordedRequest[] = [];
  const failures: Failure[] = [];
  const idempotency = new Map<string, Stored>();
  const { api } = fake;

  const routes: { method: string; pattern: RegExp; handle: Handler }[] = [
    { method: 'POST', pattern: /^\/v1\/customers$/, handle: (p) => api.createCustomer(p) },
    { method: 'POST', pattern: /^\/v1\/checkout\/sessions$/, handle: (p) => api.createCheckoutSession(p) },
    {
      method: 'POST',
      pattern: /^\/v1\/billing_portal\/sessions$/,
      handle: (p) => api.createPortalSession(p),
    },
    {
      method: 'GET',
      pattern: /^\/v1\/subscriptions\/([^/]+)$/,
      handle: (p, id) => api.retrieveSubscription(p, id),
    },
    { method: 'GET', pattern: /^\/v1\/subscriptions$/, handle: (p) => api.listSubscriptions(p) },
    {
      method: 'POST',
      pattern: /^\/v1\/subscriptions\/([^/]+)$/,
      handle: (p, id) => api.updateSubscription(p, id),
    },
    { method: 'POST', pattern: /^\/v1\/subscription_schedules$/, handle: (p) => api.createSchedule(p) },
    {
      method: 'POST',
      pattern: /^\/v1\/subscription_schedules\/([^/]+)\/release$/,
      handle: (p, id) => api.releaseSchedule(p, id),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/subscription_schedules\/([^/]+)$/,
      handle: (p, id) => api.updateSchedule(p, id),
    },
    { method: 'GET', pattern: /^\/v1\/checkout\/sessions$/, handle: (p) => api.listCheckoutSessions(p) },
    {
      method: 'GET',
      pattern: /^\/v1\/checkout\/sessions\/([^/]+)$/,
      handle: (p, id) => api.retrieveCheckoutSession(p, id),
    },
    {
      method: 'POST',
      pattern: /^\/v1\/checkout\/sessions\/([^/]+)\/expire$/,
      handle: (p, id) => api.expireCheckoutSession(p, id),
    },
    { method: 'GET', pattern: /^\/v1\/invoices\/([^/]+)$/, handle: (p, id) => api.retrieveInvoice(p, id) },
    {
      method: 'POST',
      pattern: /^\/v1\/invoices\/([^/]+)\/void$/,
      handle: (p, id) => api.voidInvoice(p, id),
    },
    { method: 'DELETE', pattern: /^\/v1\/customers\/([^/]+)$/, handle: (p, id) => api.deleteCustomer(p, id) },
    {
      method: 'DELETE',
      pattern: /^\/v1\/subscriptions\/([^/]+)$/,
      handle: (_p, id) => api.cancelSubscription(id),
    },
    { method: 'GET', pattern: /^\/v1\/invoices$/, handle: (p) => api.listInvoices(p) },
    { method: 'GET', pattern: /^\/v1\/invoice_payments$/, handle: (p) => api.listInvoicePayments(p) },
    { method: 'POST', pattern: /^\/v1\/refunds$/, handle: (p) => api.createRefund(p) },
  ];

  function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) {
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': stripeId('req'), ...headers });
    res.end(JSON.stringify(body));
  }

  function dispatch(method: string, path: string, params: Params): { status: number; body: unknown } {
    for (const route of routes) {
      const m = route.method === method ? route.pattern.exec(path) : null;
      if (!m) continue;
      try {
        return { status: 200, body: route.handle(params, decodeURIComponent(m[1] ?? '')) };
      } catch (err) {
        if (err instanceof FakeStripeError) return { status: err.status, body: err.body };
        throw err;
      }
    }
    const e = invalidRequest(404, `Unrecognized request URL (${method}: ${path}).`);
    return { status: e.status, body: e.body };
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const method = req.method ?? 'GET';
    const pairs =
      method === 'POST' ? new URLSearchParams(Buffer.concat(chunks).toString('utf8')) : url.searchParams;
    const form = flatForm(pairs);
    const params = parseStripeForm(pairs);
    requests.push({ method, path: url.pathname, form, params, headers: req.headers });

    const failure = failures.shift();
    if (failure === 'disconnect') {
      // No response at all: the client sees the socket reset (ECONNRESET).
      req.socket.destroy();
      return;
    }
    if (failure !== undefined) return send(res, failure, errorBodyFor(failure));

    // Deliberately worse than Stripe (which masks all but the last four characters): the key is
    // echoed whole, so a test can prove the adapter never passes Stripe's message through.
    const auth = req.headers.authorization;
    if (auth !== `Bearer ${secretKey}`) {
      const key = auth?.replace(/^Bearer /, '') ?? '';
      return send(res, 401, {
        error: { type: 'invalid_request_error', message: `Invalid API Key provided: ${key}` },
      });
    }

    const key = method === 'POST' ? req.headers['idempotency-key'] : undefined;
    const idemKey = typeof key === 'string' && key !== '' ? key : undefined;
    const seen = idemKey ? idempotency.get(idemKey) : undefined;
    if (seen) {
      if (seen.method !== method || seen.path !== url.pathname || !sameParams(seen.form, form)) {
        return send(res, 400, {
          error: {
            type: 'idempotency_error',
            message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '${idemKey}' if you meant to execute a different request.`,
          },
        });
      }
      return send(res, seen.status, seen.body, { 'idempotent-replayed': 'true' });
    }
    const { status, body } = dispatch(method, url.pathname, params);
    if (idemKey && status === 200)
      idempotency.set(idemKey, { method, path: url.pathname, form, status, body });
    send(res, status, body);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      send(res, 500, { error: { type: 'api_error', message: `fake stripe crashed: ${String(err)}` } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    api: { host: '127.0.0.1', port, protocol: 'http' as const },
    secretKey,
    requests,
    state: fake.state,
    ...createSeeds(fake),
    /** The next `times` requests fail with `failure` (a status, or a dropped connection). */
    failNext(failure: Failure, times = 1): void {
      for (let i = 0; i < times; i++) failures.push(failure);
    },
    /** Requests made to one path (and method), in order. */
    requestsTo(path: string, method?: string): RecordedRequest[] {
      return requests.filter((r) => r.path === path && (!method || r.method === method));
    },
    close(): Promise<void> {
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        // The SDK keeps connections alive; without this close() would wait for them to idle out.
        server.closeAllConnections();
      });
    },
  };
}

export type FakeStripe = Awaited<ReturnType<typeof startFakeStripe>>;
