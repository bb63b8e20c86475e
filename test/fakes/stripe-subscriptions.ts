/**
 * The fake Stripe's subscriptions, subscription schedules and what ends things (cancel, expire,
 * void, delete a customer), as Stripe answers them in the API version the SDK pins: lists filter
 * as Stripe's do (`status=all` includes cancelled subscriptions, which are left out otherwise),
 * `expand` of a subscription's schedule gives the object, ending something that has already ended
 * is Stripe's own error (the adapter must turn it into success where the port says so), and a
 * deleted customer takes its live subscriptions with it. Prorations are not computed here (the
 * simulator computes them, as Stripe does); the requests that ask for them are recorded by the
 * server, so tests assert what the adapter sent.
 */
import { invalidRequest, missing, type Params, stripeId } from './stripe-form.ts';
import { list } from './stripe-state.ts';

type Obj = Record<string, unknown>;

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const expands = (p: Params, path: string) =>
  Array.isArray(p.expand) && (p.expand as unknown[]).includes(path);
const itemsOf = (s: Obj) => (s.items as { data: Obj[] }).data;

export interface SubscriptionMaps {
  readonly customers: Map<string, Obj>;
  readonly checkoutSessions: Map<string, Obj>;
  readonly subscriptions: Map<string, Obj>;
  readonly schedules: Map<string, Obj>;
  readonly invoices: Map<string, Obj>;
}

export function subscriptionApi(m: SubscriptionMaps, now: () => number) {
  const subscription = (id: string): Obj => {
    const s = m.subscriptions.get(id);
    if (!s) throw missing('subscription', id, 'id');
    return s;
  };
  const withSchedule = (s: Obj, expand: boolean): Obj => {
    const schedule = str(s.schedule);
    return expand && schedule ? { ...s, schedule: m.schedules.get(schedule) ?? schedule } : s;
  };

  return {
    retrieveSubscription(p: Params, id: string): Obj {
      return withSchedule(subscription(id), expands(p, 'schedule'));
    },

    listSubscriptions(p: Params): Obj {
      const customer = str(p.customer);
      const status = str(p.status);
      const data = [...m.subscriptions.values()]
        .filter((s) => !customer || s.customer === customer)
        // Stripe leaves cancelled subscriptions out unless asked for them.
        .filter((s) => (status === 'all' ? true : status ? s.status === status : s.status !== 'canceled'))
        .sort((a, b) => Number(b.created) - Number(a.created))
        .map((s) => withSchedule(s, expands(p, 'data.schedule')));
      return list(data.slice(0, Number(p.limit ?? 10)), '/v1/subscriptions');
    },

    updateSubscription(p: Params, id: string): Obj {
      const s = subscription(id);
      if (s.status === 'canceled') {
        throw invalidRequest(
          400,
          'A canceled subscription can only update its cancellation_details and metadata.',
        );
      }
      const items = Array.isArray(p.items) ? (p.items as Params[]) : [];
      for (const change of items) {
        const item = itemsOf(s).find((i) => i.id === change.id);
        if (!item)
          throw invalidRequest(400, `No such subscription item: '${String(change.id)}'`, 'resource_missing');
        if (str(change.price))
          item.price = { id: change.price, object: 'price', recurring: { interval: 'month' } };
      }
      if (p.cancel_at_period_end !== undefined) s.cancel_at_period_end = p.cancel_at_period_end === 'true';
      return s;
    },

    createSchedule(p: Params): Obj {
      const sub = subscription(str(p.from_subscription) ?? '');
      if (str(sub.schedule)) {
        throw invalidRequest(
          400,
          'You cannot migrate a subscription that is already attached to a schedule.',
        );
      }
      const item = itemsOf(sub)[0] as Obj;
      const schedule = {
        id: stripeId('sub_sched'),
        object: 'subscription_schedule',
        subscription: sub.id,
        customer: sub.customer,
        status: 'active',
        end_behavior: 'release',
        released_subscription: null,
        phases: [
          {
            start_date: item.current_period_start,
            end_date: item.current_period_end,
            items: [{ price: (item.price as Obj).id, quantity: 1 }],
          },
        ],
        created: now(),
        livemode: false,
      };
      m.schedules.set(schedule.id, schedule);
      sub.schedule = schedule.id;
      return schedule;
    },

    updateSchedule(p: Params, id: string): Obj {
      const schedule = m.schedules.get(id);
      if (!schedule) throw missing('subscription_schedule', id, 'id');
      if (schedule.status !== 'active' && schedule.status !== 'not_started')
        throw invalidRequest(
          400,
          `You cannot update a subscription schedule that is ${String(schedule.status)}.`,
        );
      if (str(p.end_behavior)) schedule.end_behavior = p.end_behavior;
      if (Array.isArray(p.phases)) {
        let start = Number((schedule.phases as Obj[])[0]?.start_date ?? now());
        schedule.phases = (p.phases as Params[]).map((phase) => {
          const startDate = phase.start_date === undefined ? start : Number(phase.start_date);
          const endDate = phase.end_date === undefined ? startDate + 30 * 86_400 : Number(phase.end_date);
          start = endDate;
          const items = (Array.isArray(phase.items) ? (phase.items as Params[]) : []).map((i) => ({
            price: i.price,
            quantity: Number(i.quantity ?? 1),
          }));
          return { start_date: startDate, end_date: endDate, items };
        });
      }
      return schedule;
    },

    releaseSchedule(_p: Params, id: string): Obj {
      const schedule = m.schedules.get(id);
      if (!schedule) throw missing('subscription_schedule', id, 'id');
      if (schedule.status !== 'active' && schedule.status !== 'not_started')
        throw invalidRequest(
          400,
          `You cannot release a subscription schedule that is currently ${String(schedule.status)}.`,
        );
      const sub = m.subscriptions.get(String(schedule.subscription));
      if (sub) sub.schedule = null;
      Object.assign(schedule, {
        status: 'released',
        released_subscription: schedule.subscription,
        subscription: null,
      });
      return schedule;
    },

    listCheckoutSessions(p: Params): Obj {
      const customer = str(p.customer);
      const status = str(p.status);
      const data = [...m.checkoutSessions.values()].filter(
        (c) => (!customer || c.customer === customer) && (!status || c.status === status),
      );
      return list(data.slice(0, Number(p.limit ?? 10)), '/v1/checkout/sessions');
    },

    retrieveCheckoutSession(_p: Params, id: string): Obj {
      const session = m.checkoutSessions.get(id);
      if (!session) throw missing('checkout.session', id, 'session');
      return session;
    },

    expireCheckoutSession(_p: Params, id: string): Obj {
      const session = m.checkoutSessions.get(id);
      if (!session) throw missing('checkout.session', id, 'session');
      if (session.status !== 'open') {
        throw invalidRequest(
          400,
          `Only Checkout Sessions with a status in ["open"] can be expired. This Checkout Session has a status of "${String(session.status)}".`,
        );
      }
      session.status = 'expired';
      return session;
    },

    retrieveInvoice(_p: Params, id: string): Obj {
      const invoice = m.invoices.get(id);
      if (!invoice) throw missing('invoice', id, 'invoice');
      return invoice;
    },

    voidInvoice(_p: Params, id: string): Obj {
      const invoice = m.invoices.get(id);
      if (!invoice) throw missing('invoice', id, 'invoice');
      if (invoice.status !== 'open') throw invalidRequest(400, 'You can only pass in open invoices.');
      invoice.status = 'void';
      return invoice;
    },

    deleteCustomer(_p: Params, id: string): Obj {
      const customer = m.customers.get(id);
      if (!customer) throw missing('customer', id, 'id');
      m.customers.delete(id);
      // Stripe cancels a deleted customer's subscriptions at once.
      for (const s of m.subscriptions.values())
        if (s.customer === id && s.status !== 'canceled')
          Object.assign(s, { status: 'canceled', ended_at: now() });
      return { id, object: 'customer', deleted: true };
    },
  };
}
