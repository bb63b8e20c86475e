/**
 * Billing pages outside /api: the return page after checkout (both modes), and, in simulator mode
 * only, the simulator's checkout and portal standing in for Stripe's hosted pages. Their forms post
 * application/x-www-form-urlencoded (parsed here, a few fields, small) and must come from the app's
 * own origin. The session id or portal token in the URL is the capability, as with Stripe's pages.
 */
import { readFileSync } from 'node:fs';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import { assetPath } from '../../config/paths.ts';
import { AppError } from '../../domain/errors.ts';
import type { BillingSimulator, SimulatorAction } from '../../ports/billing.ts';
import { checkoutPage, portalPage, returnPage } from '../pages/billing-pages.ts';
import type { App, RouteOptions } from './route-kit.ts';

const FORM = ['application/x-www-form-urlencoded'] as const;
const hidden = { hide: true } as const;
const Token = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{8,128}$' }) });
const ACTIONS = new Set(['cancel', 'resume', 'cancel_now', 'renew', 'fail_renewal']);

const asset = (name: string) => readFileSync(assetPath('src/http/pages', name), 'utf8');

export async function billingPageRoutes(app: App, { deps }: RouteOptions) {
  const css = asset('billing.css');
  const returnJs = asset('billing-return.js');
  const testMode = deps.billing.mode === 'simulator';
  const page = (reply: FastifyReply, body: string) => reply.type('text/html; charset=utf-8').send(body);

  app.get('/billing/assets/billing.css', { schema: hidden }, async (_r, reply) =>
    reply.header('cache-control', 'public, max-age=3600').type('text/css; charset=utf-8').send(css),
  );
  app.get('/billing/assets/return.js', { schema: hidden }, async (_r, reply) =>
    reply
      .header('cache-control', 'public, max-age=3600')
      .type('text/javascript; charset=utf-8')
      .send(returnJs),
  );
  app.get('/billing/return', { schema: hidden }, async (_r, reply) => page(reply, returnPage(testMode)));

  const simulator = deps.billing.simulator;
  if (simulator) await simulatorPages(app, deps.config.appOrigin, simulator, deps.plans.plans);
}

async function simulatorPages(
  app: App,
  origin: string,
  sim: BillingSimulator,
  plans: readonly { id: string; name: string }[],
) {
  const names: Record<string, string> = Object.fromEntries(plans.map((p) => [`price_sim_${p.id}`, p.name]));
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
  const html = (reply: FastifyReply, body: string) => reply.type('text/html; charset=utf-8').send(body);

  app.get(
    '/billing/simulator/checkout/:id',
    { schema: { ...hidden, params: Token } },
    async (request, reply) => {
      const c = await sim.getCheckout(request.params.id);
      if (!c) throw new AppError('NOT_FOUND', 'No such checkout session.');
      return html(
        reply,
        checkoutPage(c, names[c.priceId] ?? c.priceId, `/billing/simulator/checkout/${c.id}`),
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
      const { redirectUrl } = await sim.completeCheckout(request.params.id, outcome);
      return reply.redirect(redirectUrl, 303);
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
          done ? 'Done: Stripe would now send its events, and so does the simulator.' : undefined,
        ),
      );
    },
  );
  app.post(
    '/billing/simulator/portal/:id',
    { config: { contentTypes: FORM }, schema: { ...hidden, params: Token } },
    async (request, reply) => {
      sameOrigin(request);
      const price = field(request, 'price');
      const kind = field(request, 'action');
      let action: SimulatorAction;
      if (price && names[price]) action = { kind: 'change', priceId: price };
      else if (kind && ACTIONS.has(kind))
        action = { kind: kind as Exclude<SimulatorAction['kind'], 'change'> };
      else throw new AppError('VALIDATION_FAILED', 'Unknown portal action.');
      await sim.portalAction(request.params.id, action);
      return reply.redirect(`/billing/simulator/portal/${request.params.id}?done=1`, 303);
    },
  );
}
