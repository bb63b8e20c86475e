/**
 * Delivering the simulator's events the way Stripe does: one at a time, each signed at the moment
 * it is sent (so the timestamp is fresh), retried with backoff while the endpoint answers anything
 * but 2xx, and given up on (with an error in the log) after the last attempt. Events wait in the
 * queue until the app has told the simulator where to deliver.
 */
import { signStripePayload } from '../shared/stripe-signature.ts';

export interface EventLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const BACKOFF_MS = [250, 1000, 3000, 10_000];

export function createEventQueue(opts: {
  secret: string;
  clock: () => number;
  log: EventLog;
  backoffMs?: number[];
}) {
  const backoff = opts.backoffMs ?? BACKOFF_MS;
  const queue: { id: string; type: string; payload: string }[] = [];
  let deliver: ((payload: string, signature: string) => Promise<number>) | null = null;
  let running: Promise<void> | null = null;

  async function sendOne(item: { id: string; type: string; payload: string }): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      let status = 0;
      try {
        const signature = signStripePayload(item.payload, opts.secret, Math.floor(opts.clock() / 1000));
        status = await (deliver as NonNullable<typeof deliver>)(item.payload, signature);
      } catch (err) {
        opts.log.warn({ err, eventId: item.id }, 'billing simulator: webhook delivery failed');
      }
      if (status >= 200 && status < 300) return;
      const wait = backoff[attempt];
      if (wait === undefined) {
        opts.log.error(
          { eventId: item.id, type: item.type, status },
          'billing simulator: gave up delivering an event',
        );
        return;
      }
      await new Promise((r) => setTimeout(r, wait));
    }
  }

  function drain(): void {
    if (running || !deliver) return;
    running = (async () => {
      for (let item = queue.shift(); item; item = queue.shift()) await sendOne(item);
    })().finally(() => {
      running = null;
      if (queue.length > 0) drain();
    });
  }

  return {
    setDelivery(fn: (payload: string, signature: string) => Promise<number>) {
      deliver = fn;
      drain();
    },
    /** Queues an event with a Stripe envelope around `object`. */
    emit(id: string, type: string, object: object, createdSeconds: number): void {
      const payload = JSON.stringify(
        {
          id,
          object: 'event',
          api_version: 'simulator',
          created: createdSeconds,
          livemode: false,
          type,
          data: { object },
        },
        null,
        2,
      );
      queue.push({ id, type, payload });
      // Deliver after the current call returns, as Stripe does: the browser redirect comes first.
      setImmediate(drain);
    },
    async idle(): Promise<void> {
      while (running || (queue.length > 0 && deliver)) {
        await (running ?? new Promise((r) => setImmediate(r)));
      }
    },
  };
}
