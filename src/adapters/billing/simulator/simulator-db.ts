/**
 * The simulator's own SQLite file (DATA_DIR/billing-simulator.db): its customers, checkout and
 * portal sessions, subscriptions and invoices, and the responses of idempotent creates. It plays
 * Stripe's side of the line, so it keeps its own records apart from Gatehouse's store.
 */
import { openSqlite } from '../../shared/sqlite.ts';

const SCHEMA = `
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
`;

export interface SubscriptionRow {
  id: string;
  customer_id: string;
  user_id: string;
  price_id: string;
  status: string;
  current_period_end: number;
  cancel_at_period_end: number;
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
}

export interface CheckoutRow {
  id: string;
  customer_id: string;
  user_id: string;
  price_id: string;
  success_url: string;
  cancel_url: string;
  status: string;
  created: number;
}

export function openSimulatorDb(file: string) {
  const db = openSqlite(file, SCHEMA);
  return {
    db,
    customer: db.prepare<[string], { id: string; email: string; user_id: string }>(
      'SELECT * FROM customers WHERE id = ?',
    ),
    insertCustomer: db.prepare<[string, string, string]>(
      'INSERT INTO customers (id, email, user_id) VALUES (?, ?, ?)',
    ),
    checkout: db.prepare<[string], CheckoutRow>('SELECT * FROM checkouts WHERE id = ?'),
    insertCheckout: db.prepare<[CheckoutRow]>(
      `INSERT INTO checkouts (id, customer_id, user_id, price_id, success_url, cancel_url, status, created)
       VALUES (@id, @customer_id, @user_id, @price_id, @success_url, @cancel_url, @status, @created)`,
    ),
    // Only an open session can be completed, once: the status check is part of the update.
    closeCheckout: db.prepare<[string, string]>(
      "UPDATE checkouts SET status = ? WHERE id = ? AND status = 'open'",
    ),
    portal: db.prepare<[string], { token: string; customer_id: string; return_url: string; expires: number }>(
      'SELECT * FROM portals WHERE token = ?',
    ),
    insertPortal: db.prepare<[string, string, string, number]>(
      'INSERT INTO portals (token, customer_id, return_url, expires) VALUES (?, ?, ?, ?)',
    ),
    subscription: db.prepare<[string], SubscriptionRow>('SELECT * FROM subscriptions WHERE id = ?'),
    liveSubscriptionOf: db.prepare<[string], SubscriptionRow>(
      "SELECT * FROM subscriptions WHERE customer_id = ? AND status != 'canceled' ORDER BY created DESC LIMIT 1",
    ),
    insertSubscription: db.prepare<[SubscriptionRow]>(
      `INSERT INTO subscriptions (id, customer_id, user_id, price_id, status, current_period_end, cancel_at_period_end, created)
       VALUES (@id, @customer_id, @user_id, @price_id, @status, @current_period_end, @cancel_at_period_end, @created)`,
    ),
    updateSubscription: db.prepare<[SubscriptionRow]>(
      `UPDATE subscriptions SET price_id = @price_id, status = @status, current_period_end = @current_period_end,
         cancel_at_period_end = @cancel_at_period_end WHERE id = @id`,
    ),
    invoice: db.prepare<[string], InvoiceRow>('SELECT * FROM invoices WHERE id = ?'),
    invoicesOf: db.prepare<[string, number], InvoiceRow>(
      'SELECT * FROM invoices WHERE customer_id = ? ORDER BY created DESC, rowid DESC LIMIT ?',
    ),
    countInvoices: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM invoices'),
    insertInvoice: db.prepare<[InvoiceRow]>(
      `INSERT INTO invoices (id, number, customer_id, subscription_id, status, amount_due, amount_paid, amount_refunded, currency, created)
       VALUES (@id, @number, @customer_id, @subscription_id, @status, @amount_due, @amount_paid, @amount_refunded, @currency, @created)`,
    ),
    refundInvoice: db.prepare<[number, string]>(
      'UPDATE invoices SET amount_refunded = amount_refunded + ? WHERE id = ?',
    ),
    idempotent: db.prepare<[string], { response: string }>('SELECT response FROM idempotency WHERE key = ?'),
    remember: db.prepare<[string, string]>('INSERT OR IGNORE INTO idempotency (key, response) VALUES (?, ?)'),
  };
}

export type SimulatorDb = ReturnType<typeof openSimulatorDb>;
