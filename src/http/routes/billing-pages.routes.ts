/**
 * Billing pages outside /api: the return page after checkout (both modes), and, in simulator mode
 * only, the simulator's checkout and portal standing in for Stripe's hosted pages, in the web
 * app's own stylesheet (read from its build at start) and the reader's language. Their forms post
 * application/x-www-form-urlencoded (parsed here, a few fields, small) and must come from the app's
 * own origin. The session id or portal token in the URL is the capability, as with Stripe's pages.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { assetPath } from '../../config/paths.ts';
import { AppError } from '../../domain/errors.ts';
import type { PlanTable } from '../../domain/plans.ts';
import type { BillingSimulator, SimulatorAction } from '../../ports/dev-billing.ts';
import { checkoutPage, portalPage, returnPage } from '../pages/billing-pages.ts';
import { appStyles, type Frame, formatsFor } from '../pages/page-kit.ts';
import type { App, RouteOptions } from './route-kit.ts';

const FORM = ['application/x-www-form-urlencoded'] as const;
const hidden = { hide: true } as const;
const Token = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{8,128}$' }) });
const ACTIONS = new Set(['cancel', 'resume', 'cancel_now', 'renew', 'fail_renewal']);
const DONE: Record<string, string> = {
  cancel: 'Canceled: the plan lasts until the end of the period, and nothing more is charged.',
  resume: 'Your subscription carries on: it renews at the end of the period.',
  cancel_now: 'Canceled now: paid features have ended, and nothing more is charged.',
  renew: 'Done: the period ended and was paid.',
  fail_renewal: 'Done: the payment failed. Gatehouse now asks you to update your card.',
};

const asset = (name: string) => readFileSync(assetPath('src/http/pages', name), 'utf8');

export async function billingPageRoutes(app: App, { deps }: RouteOptions) {
  const css = asset('billing.css');
  const scripts: Record<string, string> = {
    'return.js': asset('billing-return.js'),
    'pages.js': asset('billing-page.js'),
  };
  const index = assetPath('dist', 'web', 'index.html');
  const styles = appStyles(existsSync(index) ? readFileSync(index, 'utf8') : null);
  const frameFor = (request: FastifyRequest): Frame => ({
    styles,
    testMode: deps.billing.mode === 'simulator',
    locale: formatsFor(request.headers['accept-language']).locale,
  });

  app.get('/billing/assets/billing.css', { schema: hidden }, async (_r, reply) =>
    reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(css),
  );
  app.get<{ Params: { name: string } }>(
    '/billing/assets/:name',
    { schema: { ...hidden, params: Type.Object({ name: Type.String({ pattern: '^[a-z]+\\.js$' }) }) } },
    async (request, reply) => {
      const body = scripts[request.params.name];
      if (!body) throw new AppError('NOT_FOUND', 'No such file.');
      return reply
        .header('cache-control', 'public, max-age=3600')
        .type('text/javascript; charset=utf-8')
        .send(body);
    },
  );
  app.get('/billing/return', { schema: hidden }, async (request, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .send(returnPage(frameFor(request), (request.query as { canceled?: string }).canceled === '1')),
  );

  const simulator = deps.billingSimulator;
  if (simulator) await simulatorPages(app, deps.config.appOrigin, simulator, deps.plans, frameFor);
}

async function simulatorPages(
  app: App,
  origin: string,
  sim: BillingSimulator,
  plans: PlanTable,
  frameFor: (request: FastifyRequest) => Frame,
) {
  const names: Record<string, string> = Object.fromEntries(
    plans.plans.map((p) => [`price_sim_${p.id}`, p.name]),
  );
  app.addContentTypeParser(
    'application/x-www-form-urlencoded',
    { parseAs: 'string', bodyLimit: 2048 },
    (_req, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
  );
  // A form post under Referrer-Policy: no-referrer carries Origin "null", which proves nothing:
  // then the browser-set Sec-Fetch-Site decides.
  const sameOrigin = (request: FastifyRequest) => {
    const from = request.headers.origin === 'null' ? undefined : request.headers.origin;
    const site = request.headers['sec-fetch-site'];
    const crossSite = site !== undefined && site !== 'same-origin' && site !== 'none';
    if ((from !== undefined && from !== origin) || crossSite)
      throw new AppError('ORIGIN_REJECTED', 'Cross-site requests are not allowed.');
  };
  const field = (request: FastifyRequest, name: string): string | undefined => {
    const value = (request.body as Record<string, unknown> | undefined)?.[name];
    return typeof value === 'string' ? value : undefined;
  };
  const html = (reply: FastifyReply, body: string) =>
    reply.header('cache-control', 'no-store').type('text/html; charset=utf-8').send(body);

  app.get(
    '/billing/simulator/checkout/:id',
    { schema: { ...hidden, params: Token } },
    async (request, reply) => {
      const c = await sim.getCheckout(request.params.id);
      if (!c) throw new AppError('NOT_FOUND', 'No such checkout session.');
      const f = formatsFor(request.headers['accept-language']);
      return html(
        reply,
        checkoutPage(
          c,
          names[c.priceId] ?? c.priceId,
          `/billing/simulator/checkout/${c.id}`,
          f,
          frameFor(request),
        ),
      );
    },
  );
  app.post(
    '/billing/simulator/checkout/:id',
    { config: { contentTypes: FORM }, schema: { ...hidden, params: Token } },
    async (request, reply) => {
      sameOrigin(request);
      const outcome = field(request, 'outcome');
      if (outcome !== 'pay' && outcome !== 'decline')
        throw new AppError('VALIDATION_FAILED', 'Choose pay or decline.');
      const done = await sim.completeCheckout(request.params.id, outcome);
      // A decline stays on the checkout page, which now says the card was declined.
      return reply.redirect(done?.redirectUrl ?? `/billing/simulator/checkout/${request.params.id}`, 303);
    },
  );

  app.get(
    '/billing/simulator/portal/:id',
    { schema: { ...hidden, params: Token } },
    async (request, reply) => {
      const portal = await sim.getPortal(request.params.id);
      if (!portal)
        throw new AppError('NOT_FOUND', 'This portal link has expired. Open the portal again from the app.');
      const done = (request.query as { done?: string }).done;
      return html(
        reply,
        portalPage(
          portal,
          names,
          `/billing/simulator/portal/${request.params.id}`,
          formatsFor(request.headers['accept-language']),
          frameFor(request),
          done && Object.hasOwn(DONE, done) ? DONE[done] : undefined,
        ),
      );
    },
  );
  app.post(
    '/billing/simulator/portal/:id',
    { config: { contentTypes: FORM }, schema: { ...hidden, params: Token } },
    async (request, reply) => {
      sameOrigin(request);
      const kind = field(request, 'action');
      if (!kind || !ACTIONS.has(kind)) throw new AppError('VALIDATION_FAILED', 'Unknown portal action.');
      await sim.portalAction(request.params.id, { kind } as SimulatorAction);
      return reply.redirect(`/billing/simulator/portal/${request.params.id}?done=${kind}`, 303);
    },
  );
}
