/**
 * Records as the API shows them (snake_case, ISO dates), one mapper per record, shared by the
 * user's own routes and the admin's view of the same records so the two can never differ.
 */
import type { InvoiceSummary } from '../../ports/billing.ts';
import type { LinkedIdentity, SessionRecord } from '../../ports/store.ts';
import type { Deps } from '../../services/deps.ts';

export const sessionOut = (s: SessionRecord) => ({
  id: s.publicId,
  device: s.userAgent || 'Unknown device',
  ip: s.ip,
  created_at: new Date(s.createdAt).toISOString(),
  last_seen_at: new Date(s.lastSeenAt).toISOString(),
});

/** The configured social providers' display names by id ("google" -> "Google"). */
export const providerNames = (deps: Deps): ReadonlyMap<string, string> =>
  new Map(deps.federation.providers.map((p) => [p.id, p.name]));

/** `names`: providerNames(deps). */
export const identityOut = (l: LinkedIdentity, names: ReadonlyMap<string, string>) => ({
  provider: l.provider,
  provider_name: names.get(l.provider) ?? l.provider,
  email: l.email,
  linked_at: l.linkedAt,
});

export const invoiceOut = (i: InvoiceSummary) => ({
  id: i.id,
  number: i.number,
  status: i.status,
  subscription_id: i.subscriptionId,
  amount_due: i.amountDue,
  amount_paid: i.amountPaid,
  currency: i.currency,
  created_at: new Date(i.created * 1000).toISOString(),
  hosted_invoice_url: i.hostedInvoiceUrl,
  invoice_pdf: i.invoicePdf,
  lines: i.lines.map((l) => ({ ...l })),
});

export const refundOut = (r: { refundId: string; amount: number; currency: string; status: string }) => ({
  refund_id: r.refundId,
  amount: r.amount,
  currency: r.currency,
  status: r.status,
});
