/**
 * Delivering the simulator's events the way Stripe does, and as durably. Every event is a row of
 * the simulator's database, written in the same transaction as the change it announces, so a crash
 * (kill -9 right after a payment) loses nothing: the next start delivers what was left. Each event
 * is signed at the moment it is sent (so the timestamp is fresh) and retried, while the endpoint
 * answers anything but 2xx, on Stripe's live-mode schedule: exponential backoff for up to three
 * days, then given up on with an error in the log. One event that keeps failing holds up no other.
 * `retrySpeedup` divides the schedule (SIMULATOR_RETRY_SPEEDUP), so tests can live through three
 * days of retries in minutes; delivery times follow the wall clock, signatures the app's clock.
 */
import { signStripePayload } from '../shared/stripe-signature.ts';
import type { EventRow, SimulatorDb } from './simulator-db.ts';

export interface EventLog {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/**
 * Stripe's live mode: "exponential backoff for up to three days". Its intervals are not published;
 * these double from one minute, capped at 12 hours, and stop three days after the first attempt.
 */
export function stripeRetrySchedule(): number[] {
  const out: number[] = [];
  let total = 0;
  for (let delay = MINUTE; total < 72 * HOUR; delay = Math.min(delay * 2, 12 * HOUR)) {
    const step = Math.min(delay, 72 * HOUR - total);
    out.push(step);
    total += step;
  }
  return out;
}

type Deliver = (payload: string, signature: string) => Promise<number>;

export function createEventQueue(opts: {
  q: SimulatorDb;
  secret: string;
  clock: () => number;
  log: EventLog;
  retrySpeedup?: number;
}) {
  const { q } = opts;
  const schedule = stripeRetrySchedule().map((ms) => Math.max(1, Math.round(ms / (opts.retrySpeedup ?? 1))));
  let deliver: Deliver | null = null;
  let pumping: Promise<void> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;

  async function attempt(ev: EventRow): Promise<void> {
    let status = 0;
    try {
      const signature = signStripePayload(ev.payload, opts.secret, Math.floor(opts.clock() / 1000));
      status = await (deliver as Deliver)(ev.payload, signature);
    } catch (err) {
      opts.log.warn({ err, eventId: ev.id }, 'billing simulator: webhook delivery failed');
    }
    // Closed while the request was out (shutdown): the event stays pending for the next start.
    if (!q.db.open) return;
    if (status >= 200 && status < 300) {
      q.eventDelivered.run(status, ev.seq);
      return;
    }
    const wait = schedule[ev.attempts];
    if (wait === undefined) {
      q.eventFailed.run(status, ev.seq);
      opts.log.error(
        { eventId: ev.id, type: ev.type, status, attempts: ev.attempts + 1 },
        'billing simulator: gave up delivering an event after three days of retries',
      );
      return;
    }
    q.eventRetry.run(Date.now() + wait, status, ev.seq);
    opts.log.warn(
      { eventId: ev.id, type: ev.type, status, retryInMs: wait },
      'billing simulator: the webhook endpoint refused an event; it will be retried',
    );
  }

  function wakeAt(at: number | null): void {
    if (timer) clearTimeout(timer);
    timer = null;
    if (at === null || stopped) return;
    timer = setTimeout(pump, Math.max(0, at - Date.now()));
    // A pending retry must not keep a finished process (or test) alive; the outbox is on disk.
    timer.unref();
  }

  function pump(): void {
    if (pumping || !deliver || stopped) return;
    pumping = (async () => {
      for (;;) {
        const due = q.dueEvents.all(Date.now(), 50);
        if (due.length === 0 || stopped) break;
        for (const ev of due) {
          if (stopped) break;
          await attempt(ev);
        }
      }
    })()
      .catch((err: unknown) => opts.log.error({ err }, 'billing simulator: the event outbox failed'))
      .finally(() => {
        pumping = null;
        if (!stopped && q.db.open) wakeAt(q.nextDue.get()?.at ?? null);
      });
  }

  return {
    setDelivery(fn: Deliver) {
      deliver = fn;
      stopped = false;
      pump();
    },
    /** Stores an event with a Stripe envelope around `object`; call inside the change's transaction. */
    emit(id: string, type: string, object: object, createdSeconds: number): void {
      const payload = JSON.stringify(
        {
          id,
          object: 'event',
          api_version: 'simulator',
          created: createdSeconds,
          livemode: false,
          pending_webhooks: 1,
          type,
          data: { object },
        },
        null,
        2,
      );
      q.insertEvent.run(id, type, payload, Date.now());
      // Deliver after the current call returns, as Stripe does: the browser redirect comes first.
      setImmediate(pump);
    },
    async idle(): Promise<void> {
      while (pumping || (deliver && !stopped && q.db.open && (q.untried.get()?.n ?? 0) > 0)) {
        if (!pumping) pump();
        await (pumping ?? new Promise((r) => setImmediate(r)));
      }
    },
    stop(): void {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
