/**
 * Records to DynamoDB items and back. An item holds the record's own fields under their port
 * names, plus its keys (keys.ts) and, where a listing needs them, derived attributes (lower-cased
 * email and name for the admin search, `expires_at` for TTL). Reading picks the record's fields
 * only, so the keys never leak into a record.
 *
 * The user item holds four records side by side: the profile's fields at the top level (with the
 * index keys that list it, present only while there is a profile), the revocation mark as
 * `revokedThrough`, the billing state as one map `billing`, and the file usage as `usedBytes` and
 * `fileCount`. A profile's null fields are absent, so `if_not_exists` can tell them apart.
 */
import type {
  AuditEvent,
  FileRecord,
  Profile,
  SessionRecord,
  SubscriptionRecord,
  UserRecord,
} from '../../../ports/store.ts';
import { indexSort, keys, ms } from './keys.ts';

type Item = Record<string, unknown>;

const str = (v: unknown): string => String(v);
const strOrNull = (v: unknown): string | null => (v === null || v === undefined ? null : String(v));
const numOrNull = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

/** Every attribute a profile puts on the user item (what removing it removes). */
export const PROFILE_ATTRIBUTES = [
  'gsi1pk',
  'gsi1sk',
  'email_lc',
  'name_lc',
  'email',
  'name',
  'phoneNumber',
  'address',
  'emailVerified',
  'mfaEnabled',
  'groups',
  'enabled',
  'photoVersion',
  'createdAt',
  'updatedAt',
] as const;

/** The profile's attributes on the user item; a null field is undefined (to be removed). */
export function profileAttributes(p: Profile): Record<(typeof PROFILE_ATTRIBUTES)[number], unknown> {
  const orUndefined = <T>(v: T | null) => (v === null ? undefined : v);
  return {
    gsi1pk: keys.profilesIndex,
    gsi1sk: indexSort(p.createdAt, p.userId),
    email_lc: p.email.toLowerCase(),
    name_lc: p.name === null ? undefined : p.name.toLowerCase(),
    email: p.email,
    name: orUndefined(p.name),
    phoneNumber: orUndefined(p.phoneNumber),
    address: orUndefined(p.address),
    emailVerified: p.emailVerified,
    mfaEnabled: p.mfaEnabled,
    groups: [...p.groups],
    enabled: p.enabled,
    photoVersion: orUndefined(p.photoVersion),
    createdAt: p.createdAt,
    updatedAt: p.updatedAt,
  };
}

/** The user item as a record; null (no item at all) is a user with nothing stored. */
export function toUserRecord(userId: string, i: Item | null): UserRecord {
  return {
    userId,
    profile: i && typeof i.email === 'string' ? toProfile(i) : null,
    revokedThrough: numOrNull(i?.revokedThrough),
    billing:
      i && typeof i.billing === 'object' && i.billing !== null ? toBilling(userId, i.billing as Item) : null,
    usage: { bytes: Number(i?.usedBytes ?? 0), count: Number(i?.fileCount ?? 0) },
  };
}

export const toProfile = (i: Item): Profile => ({
  userId: str(i.userId),
  email: str(i.email),
  name: strOrNull(i.name),
  phoneNumber: strOrNull(i.phoneNumber),
  address: (i.address ?? null) as Profile['address'],
  emailVerified: i.emailVerified === true,
  mfaEnabled: i.mfaEnabled === true,
  groups: ((i.groups ?? []) as unknown[]).map(str),
  enabled: i.enabled === true,
  photoVersion: strOrNull(i.photoVersion),
  createdAt: str(i.createdAt),
  updatedAt: str(i.updatedAt),
});

export function fileItem(f: FileRecord): Item {
  return {
    ...keys.file(f.userId, f.id),
    gsi1pk: keys.filesIndex(f.userId),
    gsi1sk: indexSort(f.createdAt, f.id),
    id: f.id,
    userId: f.userId,
    name: f.name,
    size: f.size,
    contentType: f.contentType,
    sha256: f.sha256,
    blobKey: f.blobKey,
    createdAt: f.createdAt,
  };
}

export const toFile = (i: Item): FileRecord => ({
  id: str(i.id),
  userId: str(i.userId),
  name: str(i.name),
  size: Number(i.size),
  contentType: str(i.contentType),
  sha256: str(i.sha256),
  blobKey: str(i.blobKey),
  createdAt: str(i.createdAt),
});

export function sessionItem(s: SessionRecord): Item {
  return {
    ...keys.session(s.idHash),
    gsi1pk: keys.sessionsIndex(s.userId),
    gsi1sk: indexSort(ms(s.createdAt), s.idHash),
    expires_at: Math.ceil(s.expiresAt / 1000),
    idHash: s.idHash,
    publicId: s.publicId,
    userId: s.userId,
    createdAt: s.createdAt,
    lastSeenAt: s.lastSeenAt,
    expiresAt: s.expiresAt,
    userAgent: s.userAgent,
    ip: s.ip,
    csrfToken: s.csrfToken,
    ...(s.sealedIdpToken === undefined ? {} : { sealedIdpToken: s.sealedIdpToken }),
  };
}

export const toSession = (i: Item): SessionRecord => ({
  idHash: str(i.idHash),
  publicId: str(i.publicId),
  userId: str(i.userId),
  createdAt: Number(i.createdAt),
  lastSeenAt: Number(i.lastSeenAt),
  expiresAt: Number(i.expiresAt),
  userAgent: str(i.userAgent),
  ip: str(i.ip),
  csrfToken: str(i.csrfToken),
  ...(typeof i.sealedIdpToken === 'string' ? { sealedIdpToken: i.sealedIdpToken } : {}),
});

/** The event's fields, shared by its main item and its by-subject copy. */
const auditFields = (e: AuditEvent): Item => ({
  id: e.id,
  at: e.at,
  type: e.type,
  actorId: e.actorId,
  subjectId: e.subjectId,
  ip: e.ip,
  outcome: e.outcome,
  detail: e.detail,
});

export const auditItem = (e: AuditEvent): Item => ({
  ...keys.audit(e.id),
  gsi1pk: keys.auditIndex,
  gsi1sk: indexSort(e.at, e.id),
  ...auditFields(e),
});

export const auditBySubjectItem = (e: AuditEvent, subjectId: string): Item => ({
  ...keys.auditBySubject(subjectId, e.at, e.id),
  ...auditFields(e),
});

export const toAudit = (i: Item): AuditEvent => ({
  id: str(i.id),
  at: str(i.at),
  type: str(i.type),
  actorId: strOrNull(i.actorId),
  subjectId: strOrNull(i.subjectId),
  ip: strOrNull(i.ip),
  outcome: i.outcome === 'failure' ? 'failure' : 'success',
  detail: (i.detail ?? {}) as AuditEvent['detail'],
});

/** The billing state as the user item's `billing` map. */
export function billingItem(r: SubscriptionRecord): Item {
  return {
    customerId: r.customerId,
    subscriptionId: r.subscriptionId,
    priceId: r.priceId,
    plan: r.plan,
    status: r.status,
    currentPeriodEnd: r.currentPeriodEnd,
    cancelAtPeriodEnd: r.cancelAtPeriodEnd,
    paymentFailedAt: r.paymentFailedAt,
    lastInvoiceAt: r.lastInvoiceAt,
    scheduledPriceId: r.scheduledPriceId,
    checkoutStartedAt: r.checkoutStartedAt,
    checkAfter: r.checkAfter,
    updatedAt: r.updatedAt,
  };
}

/**
 * The due mark of a billing state due for reconciliation: gsi1's sparse BILLING_DUE partition,
 * oldest due first. The billing map itself is in the user item, whose index entry is PROFILES.
 */
export function billingDueItem(userId: string, checkAfter: number): Item {
  return {
    ...keys.billingDue(userId),
    userId,
    gsi1pk: keys.billingDueIndex,
    gsi1sk: indexSort(ms(checkAfter * 1000), userId),
  };
}

export const toBilling = (userId: string, i: Item): SubscriptionRecord => ({
  userId,
  customerId: str(i.customerId),
  subscriptionId: strOrNull(i.subscriptionId),
  priceId: strOrNull(i.priceId),
  plan: i.plan === 'basic' || i.plan === 'premium' ? i.plan : null,
  status: strOrNull(i.status),
  currentPeriodEnd: numOrNull(i.currentPeriodEnd),
  cancelAtPeriodEnd: i.cancelAtPeriodEnd === true,
  paymentFailedAt: numOrNull(i.paymentFailedAt),
  lastInvoiceAt: numOrNull(i.lastInvoiceAt),
  scheduledPriceId: strOrNull(i.scheduledPriceId),
  checkoutStartedAt: numOrNull(i.checkoutStartedAt),
  checkAfter: numOrNull(i.checkAfter),
  updatedAt: str(i.updatedAt),
});
