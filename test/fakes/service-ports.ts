/**
 * Small in-memory ports for the services' unit tests: each service module declares the narrow
 * deps it uses (FilesDeps, SessionsDeps, ...), so a test builds exactly those from these pieces,
 * with no composition, no database and no server. They keep the guarantees of their port that the
 * services rely on (the files store's atomic quota check, blobs' all-or-nothing put with
 * maxBytes, owner checks) and record what was asked of them; nothing more.
 */
import { Readable } from 'node:stream';
import { AppError } from '../../src/domain/errors.ts';
import type { PlanTable } from '../../src/domain/plans.ts';
import type { Blobs } from '../../src/ports/blobs.ts';
import type {
  AuditEvent,
  AuditStore,
  FileRecord,
  FileStore,
  Profile,
  RevocationStore,
  SessionRecord,
  SessionStore,
  SubscriptionRecord,
} from '../../src/ports/store.ts';
import type { Logger } from '../../src/services/deps.ts';

export const T0 = Date.parse('2026-11-22T12:00:00Z');
export const DAY = 86_400_000;
export const META = { ip: '203.0.113.7', userAgent: 'unit-test' } as const;

/** A clock the test moves by hand. */
export function manualClock(start = T0): (() => number) & { advance(ms: number): void } {
  let now = start;
  return Object.assign(() => now, {
    advance(ms: number) {
      now += ms;
    },
  });
}

/** A logger that keeps what it was given, so a test can say what was (not) logged. */
export function recordingLog(): Logger & { readonly lines: { level: string; msg: string }[] } {
  const lines: { level: string; msg: string }[] = [];
  const at = (level: string) => (obj: object | string, msg?: string) => {
    lines.push({ level, msg: typeof obj === 'string' ? obj : (msg ?? '') });
  };
  return { lines, info: at('info'), warn: at('warn'), error: at('error') };
}

/** A plan table with small figures, so quotas are reached with a few bytes. */
export const PLANS: PlanTable = {
  currency: 'usd',
  plans: [
    { id: 'free', name: 'Free', price: 0, interval: 'month', features: [], entitlements: q(0, 0) },
    {
      id: 'trial',
      name: 'Trial',
      price: 0,
      interval: 'month',
      features: [],
      trialDays: 14,
      entitlements: q(100, 40),
    },
    { id: 'basic', name: 'Basic', price: 900, interval: 'month', features: [], entitlements: q(1000, 400) },
    {
      id: 'premium',
      name: 'Premium',
      price: 2900,
      interval: 'month',
      features: [],
      entitlements: q(10000, 4000),
    },
  ],
};
function q(fileQuotaBytes: number, fileMaxBytes: number) {
  return { fileQuotaBytes, fileMaxBytes };
}

/** No FILE_QUOTA_BYTES or FILE_MAX_BYTES: each plan's own figures apply. */
export const PLAN_LIMITS = { fileQuotaBytes: null, fileMaxBytes: null } as const;

export function profileOf(userId: string, createdAt: number): Profile {
  const at = new Date(createdAt).toISOString();
  return {
    userId,
    email: `${userId}@example.test`,
    name: null,
    phoneNumber: null,
    address: null,
    emailVerified: true,
    mfaEnabled: false,
    groups: ['user'],
    enabled: true,
    photoVersion: null,
    createdAt: at,
    updatedAt: at,
  };
}

/** A billing record as a webhook would have left it: `plan` at `status`. */
export function subscriptionOf(
  userId: string,
  plan: 'basic' | 'premium',
  status: string,
): SubscriptionRecord {
  return {
    userId,
    customerId: `cus_${userId}`,
    subscriptionId: `sub_${userId}`,
    priceId: `price_${plan}`,
    plan,
    status,
    currentPeriodEnd: null,
    cancelAtPeriodEnd: false,
    paymentFailedAt: null,
    lastInvoiceAt: null,
    scheduledPriceId: null,
    checkoutStartedAt: null,
    checkAfter: null,
    updatedAt: new Date(T0).toISOString(),
  };
}

export function memoryAudit(): AuditStore & { readonly events: AuditEvent[] } {
  const events: AuditEvent[] = [];
  return {
    events,
    async append(event) {
      events.push(event);
    },
    async list() {
      return { items: [...events].reverse(), nextCursor: null };
    },
  };
}

/** Files with the port's atomic quota check; `refuseNext` plays a concurrent upload winning it. */
export function memoryFiles(audit?: { readonly events: AuditEvent[] }): FileStore & {
  readonly records: Map<string, FileRecord>;
  refuseNext: boolean;
} {
  const records = new Map<string, FileRecord>();
  const used = (userId: string) =>
    [...records.values()].filter((r) => r.userId === userId).reduce((n, r) => n + r.size, 0);
  const files = {
    records,
    refuseNext: false,
    async create(file: FileRecord, quotaBytes: number, event?: AuditEvent) {
      if (files.refuseNext || used(file.userId) + file.size > quotaBytes) {
        files.refuseNext = false;
        return false;
      }
      records.set(file.id, file);
      if (event) audit?.events.push(event);
      return true;
    },
    async get(userId: string, id: string) {
      const r = records.get(id);
      return r && r.userId === userId ? r : null;
    },
    async list(userId: string) {
      const items = [...records.values()].filter((r) => r.userId === userId).reverse();
      return { items, nextCursor: null };
    },
    async delete(userId: string, id: string) {
      return records.get(id)?.userId === userId && records.delete(id);
    },
    async usage(userId: string) {
      const mine = [...records.values()].filter((r) => r.userId === userId);
      return { bytes: used(userId), count: mine.length };
    },
  };
  return files;
}

/** Blobs whose put stores nothing when more than maxBytes arrive (PAYLOAD_TOO_LARGE), as the port says. */
export function memoryBlobs(): Pick<Blobs, 'put' | 'get' | 'delete'> & {
  readonly objects: Map<string, Buffer>;
  puts: number;
} {
  const objects = new Map<string, Buffer>();
  const blobs = {
    objects,
    puts: 0,
    async put(key: string, body: Readable, opts: { contentType: string; maxBytes?: number }) {
      blobs.puts += 1;
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of body) {
        size += (chunk as Buffer).length;
        if (opts.maxBytes !== undefined && size > opts.maxBytes) {
          body.destroy();
          throw new AppError('PAYLOAD_TOO_LARGE', 'Too large.');
        }
        chunks.push(chunk as Buffer);
      }
      objects.set(key, Buffer.concat(chunks));
      return { key, size, contentType: opts.contentType };
    },
    async get(key: string) {
      const bytes = objects.get(key);
      if (!bytes) return null;
      return {
        info: { key, size: bytes.length, contentType: 'application/octet-stream' },
        body: Readable.from([bytes]),
      };
    },
    async delete(key: string) {
      objects.delete(key);
    },
  };
  return blobs;
}

export function memorySessions(): SessionStore & { readonly rows: Map<string, SessionRecord> } {
  const rows = new Map<string, SessionRecord>();
  const mine = (userId: string) => [...rows.values()].filter((s) => s.userId === userId);
  return {
    rows,
    async create(session) {
      rows.set(session.idHash, session);
    },
    async get(idHash) {
      return rows.get(idHash) ?? null;
    },
    async touch(idHash, lastSeenAt) {
      const s = rows.get(idHash);
      if (s) rows.set(idHash, { ...s, lastSeenAt });
    },
    async setSealedIdpToken(idHash, sealed) {
      const s = rows.get(idHash);
      if (s) rows.set(idHash, { ...s, sealedIdpToken: sealed });
    },
    async listForUser(userId) {
      return mine(userId);
    },
    async delete(idHash) {
      rows.delete(idHash);
    },
    async deleteByPublicId(userId, publicId) {
      const s = mine(userId).find((x) => x.publicId === publicId);
      return s ? rows.delete(s.idHash) : false;
    },
    async deleteAllForUser(userId) {
      const all = mine(userId);
      for (const s of all) rows.delete(s.idHash);
      return all.length;
    },
  };
}

/** Marks that only move forward, as the port says. */
export function memoryRevocations(): RevocationStore & { readonly marks: Map<string, number> } {
  const marks = new Map<string, number>();
  return {
    marks,
    async get(userId) {
      return marks.get(userId) ?? null;
    },
    async set(userId, revokedThrough) {
      marks.set(userId, Math.max(marks.get(userId) ?? 0, revokedThrough));
    },
  };
}

/** A port member the test does not expect to be called: calling it fails the test. */
export const unexpected =
  (name: string) =>
  (..._args: unknown[]): never => {
    throw new Error(`unexpected call: ${name}`);
  };
