/**
 * Rows to port records and back. Profile groups, address and audit detail are JSON text columns:
 * they are read and written whole, never queried inside. Cursors (audit, profiles, files) are an
 * opaque base64url (time, id) position; anything that does not decode to one is refused with BAD_REQUEST.
 */
import type {
  Address,
  AuditEvent,
  FileRecord,
  Profile,
  SessionRecord,
  SubscriptionRecord,
} from '../../../ports/store.ts';

export interface ProfileRow {
  user_id: string;
  email: string;
  name: string | null;
  phone_number: string | null;
  address_json: string | null;
  email_verified: number;
  mfa_enabled: number;
  groups_json: string;
  enabled: number;
  photo_version: string | null;
  created_at: string;
  updated_at: string;
}

export interface FileRow {
  id: string;
  user_id: string;
  name: string;
  size: number;
  content_type: string;
  sha256: string;
  blob_key: string;
  created_at: string;
}

export interface SessionRow {
  id_hash: string;
  public_id: string;
  user_id: string;
  created_at: number;
  last_seen_at: number;
  expires_at: number;
  user_agent: string;
  ip: string;
  csrf_token: string;
  sealed_idp_token: string | null;
}

export interface AuditRow {
  id: string;
  at: string;
  type: string;
  actor_id: string | null;
  subject_id: string | null;
  ip: string | null;
  outcome: 'success' | 'failure';
  detail_json: string;
}

export const profileToRow = (p: Profile): ProfileRow => ({
  user_id: p.userId,
  email: p.email,
  name: p.name,
  phone_number: p.phoneNumber,
  address_json: p.address === null ? null : JSON.stringify(p.address),
  email_verified: p.emailVerified ? 1 : 0,
  mfa_enabled: p.mfaEnabled ? 1 : 0,
  groups_json: JSON.stringify(p.groups),
  enabled: p.enabled ? 1 : 0,
  photo_version: p.photoVersion,
  created_at: p.createdAt,
  updated_at: p.updatedAt,
});

export const rowToProfile = (r: ProfileRow): Profile => ({
  userId: r.user_id,
  email: r.email,
  name: r.name,
  phoneNumber: r.phone_number,
  address: r.address_json === null ? null : (JSON.parse(r.address_json) as Address),
  emailVerified: r.email_verified === 1,
  mfaEnabled: r.mfa_enabled === 1,
  groups: JSON.parse(r.groups_json) as string[],
  enabled: r.enabled === 1,
  photoVersion: r.photo_version,
  createdAt: r.created_at,
  updatedAt: r.updated_at,
});

export interface SubscriptionRow {
  user_id: string;
  customer_id: string;
  subscription_id: string | null;
  price_id: string | null;
  plan: 'basic' | 'premium' | null;
  status: string | null;
  current_period_end: number | null;
  cancel_at_period_end: number;
  payment_failed_at: number | null;
  last_invoice_at: number | null;
  scheduled_price_id: string | null;
  checkout_started_at: number | null;
  check_after: number | null;
  updated_at: string;
}

export const subscriptionToRow = (r: SubscriptionRecord): SubscriptionRow => ({
  user_id: r.userId,
  customer_id: r.customerId,
  subscription_id: r.subscriptionId,
  price_id: r.priceId,
  plan: r.plan,
  status: r.status,
  current_period_end: r.currentPeriodEnd,
  cancel_at_period_end: r.cancelAtPeriodEnd ? 1 : 0,
  payment_failed_at: r.paymentFailedAt,
  last_invoice_at: r.lastInvoiceAt,
  scheduled_price_id: r.scheduledPriceId,
  checkout_started_at: r.checkoutStartedAt,
  check_after: r.checkAfter,
  updated_at: r.updatedAt,
});

export const rowToSubscription = (r: SubscriptionRow): SubscriptionRecord => ({
  userId: r.user_id,
  customerId: r.customer_id,
  subscriptionId: r.subscription_id,
  priceId: r.price_id,
  plan: r.plan,
  status: r.status,
  currentPeriodEnd: r.current_period_end,
  cancelAtPeriodEnd: r.cancel_at_period_end === 1,
  paymentFailedAt: r.payment_failed_at,
  lastInvoiceAt: r.last_invoice_at,
  scheduledPriceId: r.scheduled_price_id,
  checkoutStartedAt: r.checkout_started_at,
  checkAfter: r.check_after,
  updatedAt: r.updated_at,
});

export const fileToRow = (f: FileRecord): FileRow => ({
  id: f.id,
  user_id: f.userId,
  name: f.name,
  size: f.size,
  content_type: f.contentType,
  sha256: f.sha256,
  blob_key: f.blobKey,
  created_at: f.createdAt,
});

export const rowToFile = (r: FileRow): FileRecord => ({
  id: r.id,
  userId: r.user_id,
  name: r.name,
  size: r.size,
  contentType: r.content_type,
  sha256: r.sha256,
  blobKey: r.blob_key,
  createdAt: r.created_at,
});

export const sessionToRow = (s: SessionRecord): SessionRow => ({
  id_hash: s.idHash,
  public_id: s.publicId,
  user_id: s.userId,
  created_at: s.createdAt,
  last_seen_at: s.lastSeenAt,
  expires_at: s.expiresAt,
  user_agent: s.userAgent,
  ip: s.ip,
  csrf_token: s.csrfToken,
  sealed_idp_token: s.sealedIdpToken ?? null,
});

export const rowToSession = (r: SessionRow): SessionRecord => ({
  idHash: r.id_hash,
  publicId: r.public_id,
  userId: r.user_id,
  createdAt: r.created_at,
  lastSeenAt: r.last_seen_at,
  expiresAt: r.expires_at,
  userAgent: r.user_agent,
  ip: r.ip,
  csrfToken: r.csrf_token,
  ...(r.sealed_idp_token === null ? {} : { sealedIdpToken: r.sealed_idp_token }),
});

export const auditToRow = (e: AuditEvent): AuditRow => ({
  id: e.id,
  at: e.at,
  type: e.type,
  actor_id: e.actorId,
  subject_id: e.subjectId,
  ip: e.ip,
  outcome: e.outcome,
  detail_json: JSON.stringify(e.detail),
});

export const rowToAudit = (r: AuditRow): AuditEvent => ({
  id: r.id,
  at: r.at,
  type: r.type,
  actorId: r.actor_id,
  subjectId: r.subject_id,
  ip: r.ip,
  outcome: r.outcome,
  detail: JSON.parse(r.detail_json) as AuditEvent['detail'],
});

export type { Position as AuditPosition } from '../../shared/cursor.ts';
export { decodeCursor, encodeCursor } from '../../shared/cursor.ts';
