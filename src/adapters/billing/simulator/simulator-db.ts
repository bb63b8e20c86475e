/**
 * The simulator's own SQLite file (DATA_DIR/billing-simulator.db): its customers, checkout and
 * portal sessions, subscriptions, invoices and pending proration items, the responses of idempotent
 * requests, and its outgoing events. It plays Stripe's side of the line, so it keeps its own records
 * apart from Gatehouse's store. A change and the events announcing it are written in one
 * transaction, so a crash can lose neither without the other.
 */
import { openSqlite } from '../../shared/sqlite.ts';

const MIGRATIONS = [
  // 1: customers, checkout and portal sessions, subscriptions, invoices, idempotent responses. A
  // file from before versioning (0) already has these tables: IF NOT EXISTS.
  `
  CREATE TABLE IF NOT EXISTS customers (id TEXT PRIMARY KEY, email TEXT NOT NULL, user_id TEXT NOT NULL);
  CREATE TABLE IF NOT EXISTS checkouts (
    id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, user_id TEXT NOT NULL, price_id TEXT NOT NULL,
    success_url TEXT NOT NULL, cancel_url TEXT NOT NULL, status TEXT NOT NULL, created INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS portals (
    token TEXT PRIMARY KEY, customer_id TEXT NOT NULL, return_url TEXT NOT NULL, expires INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS subscriptions (
    id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, user_id TEXT NOT NULL, price_id TEXT NOT NULL,
    status TEXT NOT NULL, current_period_end INTEGER NOT NULL, cancel_at_period_end INTEGER NOT NULL,
    created INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS invoices (
    id TEXT PRIMARY KEY, number TEXT NOT NULL, customer_id TEXT NOT NULL, subscription_id TEXT NOT NULL,
    status TEXT NOT NULL, amount_due INTEGER NOT NULL, amount_paid INTEGER NOT NULL,
    amount_refunded INTEGER NOT NULL DEFAULT 0, currency TEXT NOT NULL, created INTEGER NOT NULL
  );
  CREATE INDEX IF NOT EXISTS invoices_customer ON invoices (customer_id, created);
  CREATE TABLE IF NOT EXISTS idempotency (key TEXT PRIMARY KEY, response TEXT NOT NULL);
  `,
  // 2: the outbox of events (durable, retried for days), declines that keep a session open,
  // customers that can be deleted, prorations, downgrades at period end, invoice lines.
  `
  ALTER TABLE customers ADD COLUMN deleted INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE checkouts ADD COLUMN declined INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE subscriptions ADD COLUMN current_period_start INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE subscriptions ADD COLUMN scheduled_price_id TEXT;
  ALTER TABLE invoices ADD COLUMN lines TEXT NOT NULL DEFAULT '[]';
  CREATE INDEX IF NOT EXISTS checkouts_customer ON checkouts (customer_id, status);
  CREATE INDEX IF NOT EXISTS subscriptions_customer ON subscriptions (customer_id, created);
  CREATE TABLE IF NOT EXISTS invoice_items (
    id TEXT PRIMARY KEY, customer_id TEXT NOT NULL, subscription_id TEXT NOT NULL,
    description TEXT NOT NULL, amount INTEGER NOT NULL, proration INTEGER NOT NULL, created INTEGER NOT NULL
  );
  CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, type TEXT NOT NULL,
    payload TEXT NOT NULL, state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL, last_status INTEGER
  );
  CREATE INDEX IF NOT EXISTS events_due ON events (next_attempt_at) WHERE state = 'pending';
  `,
];

export interface SubscriptionRow {
  id: string;
  customer_id: string;
  user_id: string;
  price_id: string;
  status: string;
  current_period_start: number;
  current_period_end: number;
  cancel_at_period_end: number;
  scheduled_price_id: string | null;
  created: number;
}

export interface InvoiceRow {
  id: string;
  number: string;
  customer_id: string;
  subscription_id: string;
  status: string;
  amount_due: number;
  amount_paid: number;
  amount_refunded: number;
  currency: string;
  created: number;
  /** JSON: [{ description, amount, proration }] */
  lines: string;
}

export interface CheckoutRow {
  id: string;
  customer_id: string;
  user_id: string;
  price_id: string;
  success_url: string;
  cancel_url: string;
  status: string;
  declined: number;
  created: number;
}

export interface InvoiceItemRow {
  id: string;
  customer_id: string;
  subscription_id: string;
  description: string;
  amount: number;
  proration: number;
  created: number;
}

export interface EventRow {
  seq: number;
  id: string;
  type: string;
  payload: string;
  attempts: number;
  next_attempt_at: number;
}

export function openSimulatorDb(file: string) {
  const db = openSqlite(file, { label: 'The billing simulator file', steps: MIGRATIONS });
  return {
    db,
    customer: db.prepare<[string], { id: string; email: string; user_id: string; deleted: number }>(
      'SELECT * FROM customers WHERE id = ?',
    ),
    insertCustomer: db.prepare<[string, string, string]>(
      'INSERT INTO customers (id, email, user_id) VALUES (?, ?, ?)',
    ),
    // A deleted customer keeps its id (as Stripe's does) and loses its details.
    deleteCustomer: db.prepare<[string]>("UPDATE customers SET deleted = 1, email = '' WHERE id = ?"),
    deletePortalsOf: db.prepare<[string]>('DELETE FROM portals WHERE customer_id = ?'),
    checkout: db.prepare<[string], CheckoutRow>('SELECT * FROM checkouts WHERE id = ?'),
    openCheckoutsOf: db.prepare<[string], CheckoutRow>(
      "SELECT * FROM checkouts WHERE customer_id = ? AND status = 'open' ORDER BY created DESC, rowid DESC",
    ),
    insertCheckout: db.prepare<[Omit<CheckoutRow, 'declined'>]>(
      `INSERT INTO checkouts (id, customer_id, user_id, price_id, success_url, cancel_url, status, created)
       VALUES (@id, @customer_id, @user_id, @price_id, @success_url, @cancel_url, @status, @created)`,
    ),
    // Only an open session can be completed or expired, once: the status check is part of the update.
    closeCheckout: db.prepare<[string, string]>(
      "UPDATE checkouts SET status = ? WHERE id = ? AND status = 'open'",
    ),
    declineCheckout: db.prepare<[string]>(
      "UPDATE checkouts SET declined = 1 WHERE id = ? AND status = 'open'",
    ),
    portal: db.prepare<[string], { token: string; customer_id: string; return_url: string; expires: number }>(
      'SELECT * FROM portals WHERE token = ?',
    ),
    insertPortal: db.prepare<[string, string, string, number]>(
      'INSERT INTO portals (token, customer_id, return_url, expires) VALUES (?, ?, ?, ?)',
    ),
    subscription: db.prepare<[string], SubscriptionRow>('SELECT * FROM subscriptions WHERE id = ?'),
    subscriptionsOf: db.prepare<[string], SubscriptionRow>(
      'SELECT * FROM subscriptions WHERE customer_id = ? ORDER BY created DESC, rowid DESC LIMIT 100',
    ),
    liveSubscriptionOf: db.prepare<[string], SubscriptionRow>(
      "SELECT * FROM subscriptions WHERE customer_id = ? AND status != 'canceled' ORDER BY created, rowid LIMIT 1",
    ),
    insertSubscription: db.prepare<[SubscriptionRow]>(
      `INSERT INTO subscriptions (id, customer_id, user_id, price_id, status, current_period_start, current_period_end,
         cancel_at_period_end, scheduled_price_id, created)
       VALUES (@id, @customer_id, @user_id, @price_id, @status, @current_period_start, @current_period_end,
         @cancel_at_period_end, @scheduled_price_id, @created)`,
    ),
    updateSubscription: db.prepare<[SubscriptionRow]>(
      `UPDATE subscriptions SET price_id = @price_id, status = @status, current_period_start = @current_period_start,
         current_period_end = @current_period_end, cancel_at_period_end = @cancel_at_period_end,
         scheduled_price_id = @scheduled_price_id WHERE id = @id`,
    ),
    invoice: db.prepare<[string], InvoiceRow>('SELECT * FROM invoices WHERE id = ?'),
    invoicesOf: db.prepare<[string, number], InvoiceRow>(
      'SELECT * FROM invoices WHERE customer_id = ? ORDER BY created DESC, rowid DESC LIMIT ?',
    ),
    invoicesOfSubscription: db.prepare<[string], InvoiceRow>(
      'SELECT * FROM invoices WHERE subscription_id = ? ORDER BY created DESC, rowid DESC',
    ),
    countInvoices: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM invoices'),
    insertInvoice: db.prepare<[InvoiceRow]>(
      `INSERT INTO invoices (id, number, customer_id, subscription_id, status, amount_due, amount_paid, amount_refunded, currency, created, lines)
       VALUES (@id, @number, @customer_id, @subscription_id, @status, @amount_due, @amount_paid, @amount_refunded, @currency, @created, @lines)`,
    ),
    setInvoiceStatus: db.prepare<[string, number, string]>(
      'UPDATE invoices SET status = ?, amount_paid = ? WHERE id = ?',
    ),
    refundInvoice: db.prepare<[number, string]>(
      'UPDATE invoices SET amount_refunded = amount_refunded + ? WHERE id = ?',
    ),
    pendingItemsOf: db.prepare<[string], InvoiceItemRow>(
      'SELECT * FROM invoice_items WHERE subscription_id = ? ORDER BY created, rowid',
    ),
    insertItem: db.prepare<[InvoiceItemRow]>(
      `INSERT INTO invoice_items (id, customer_id, subscription_id, description, amount, proration, created)
       VALUES (@id, @customer_id, @subscription_id, @description, @amount, @proration, @created)`,
    ),
    clearItemsOf: db.prepare<[string]>('DELETE FROM invoice_items WHERE subscription_id = ?'),
    idempotent: db.prepare<[string], { response: string }>('SELECT response FROM idempotency WHERE key = ?'),
    remember: db.prepare<[string, string]>('INSERT OR IGNORE INTO idempotency (key, response) VALUES (?, ?)'),
    insertEvent: db.prepare<[string, string, string, number]>(
      'INSERT INTO events (id, type, payload, next_attempt_at) VALUES (?, ?, ?, ?)',
    ),
    dueEvents: db.prepare<[number, number], EventRow>(
      "SELECT * FROM events WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, seq LIMIT ?",
    ),
    nextDue: db.prepare<[], { at: number | null }>(
      "SELECT min(next_attempt_at) AS at FROM events WHERE state = 'pending'",
    ),
    untried: db.prepare<[], { n: number }>(
      "SELECT count(*) AS n FROM events WHERE state = 'pending' AND attempts = 0",
    ),
    eventDelivered: db.prepare<[number, number]>(
      "UPDATE events SET state = 'delivered', attempts = attempts + 1, last_status = ? WHERE seq = ?",
    ),
    eventRetry: db.prepare<[number, number, number]>(
      'UPDATE events SET attempts = attempts + 1, next_attempt_at = ?, last_status = ? WHERE seq = ?',
    ),
    eventFailed: db.prepare<[number, number]>(
      "UPDATE events SET state = 'failed', attempts = attempts + 1, last_status = ? WHERE seq = ?",
    ),
  };
}

export type SimulatorDb = ReturnType<typeof openSimulatorDb>;
