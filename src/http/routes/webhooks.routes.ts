/**
 * POST /api/webhooks/stripe. The body is kept as the exact bytes received (this plugin replaces the
 * JSON parser with a raw one), and the signature is checked over them before anything else: a
 * missing or bad signature, a stale timestamp or a re-serialised body is a 400 with no side effect.
 * A failure while applying the event is a 5xx, so the provider delivers it again.
 */
import { handleBillingEvent } from '../../services/billing-webhooks.ts';
import { WebhookAnswer } from '../schemas/billing.ts';
import type { App, RouteOptions } from './route-kit.ts';

const MAX_EVENT_BYTES = 512 * 1024;

export async function webhookRoutes(app: App, { deps }: RouteOptions) {
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser(
    'application/json',
    { parseAs: 'buffer', bodyLimit: MAX_EVENT_BYTES },
    (_req, body, done) => done(null, body),
  );

  app.post(
    '/stripe',
    {
      // Deliveries come in bursts from the provider's few addresses; the signature is the gate.
      config: { rateLimit: false },
      bodyLimit: MAX_EVENT_BYTES,
      schema: {
        tags: ['Billing'],
        summary: 'Stripe webhook: the raw body and Stripe-Signature, verified before anything else',
        response: { 200: WebhookAnswer },
      },
    },
    async (request) => {
      const raw = Buffer.isBuffer(request.body) ? request.body : Buffer.alloc(0);
      const signature = request.headers['stripe-signature'];
      const event = deps.billing.verifyWebhook(raw, typeof signature === 'string' ? signature : undefined);
      const outcome = await handleBillingEvent(deps, event);
      request.log.info({ reqId: request.id, eventType: event.type, outcome }, 'billing webhook');
      return { received: true as const };
    },
  );
}
