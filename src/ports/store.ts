/**
 * The store port: Gatehouse's own records (profiles, browser sessions, revocation marks, file
 * records, audit events, throttle counters, social sign-in flows and linked provider accounts),
 * apart from the identity provider's. One SQLite file by default,
 * one DynamoDB table in AWS mode.
 *
 * Guarantees every adapter gives:
 * - Each method is atomic on its own; none spans records unless it says so.
 * - `get` returns null for a missing record, never throws NOT_FOUND.
 * - Revocation marks only ever move forward (set keeps the larger value), so a slow writer can
 *   never resurrect revoked tokens.
 * - Throttle `hit` is an atomic increment: N concurrent hits count N.
 * - `files.create` checks the user's quota and inserts in one atomic step: concurrent uploads can
 *   never together exceed it.
 * - Every per-user read or delete takes the owner's id and treats another user's record as
 *   missing, so a service cannot reach across users by forgetting a check.
 * - `users.get` reads a user's profile, revocation mark, billing state and file usage together,
 *   strongly consistent: it reflects every write that finished before it began. It is the read of
 *   every signed-in request, so adapters answer it in one round trip; no adapter answers it from
 *   memory that another process could have made stale.
 * - A change given an audit event (`profiles.put`, `files.create`) records the event in the same
 *   atomic step: both happen or neither does.
 * - Listing is newest first with an opaque cursor; a cursor from one query is only valid for it.
 * - A social sign-in flow is taken at most once: of concurrent takes, exactly one gets it, and an
 *   expired one is never handed out. A (provider, subject) pair is linked to at most one user.
 * - A store that cannot be reached raises UNAVAILABLE (HTTP 503), never a silent empty answer.
 */

export interface Address {
  readonly line1?: string;
  readonly line2?: string;
  readonly city?: string;
  readonly region?: string;
  readonly postal_code?: string;
  readonly country?: string;
}

export interface Profile {
  readonly userId: string;
  readonly email: string;
  readonly name: string | null;
  readonly phoneNumber: string | null;
  readonly address: Address | null;
  readonly emailVerified: boolean;
  readonly mfaEnabled: boolean;
  readonly groups: readonly string[];
  readonly enabled: boolean;
  /** Changes with every new photo (it is part of the photo's URL); null when there is none. */
  readonly photoVersion: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** Newest first; `search` matches the start of the email or of the name, ignoring case. */
export interface ProfileQuery {
  readonly search?: string;
  readonly enabled?: boolean;
  readonly group?: string;
  readonly limit: number;
  readonly cursor?: string;
}

/** A stored file's metadata; the bytes live in the blobs port under `blobKey`. */
export interface FileRecord {
  readonly id: string;
  readonly userId: string;
  /** The uploader's name for it, cleaned; display only, never a path. */
  readonly name: string;
  readonly size: number;
  /** Sniffed from the bytes, not taken from the client. */
  readonly contentType: string;
  readonly sha256: string;
  readonly blobKey: string;
  readonly createdAt: string;
}

export interface SessionRecord {
  /** SHA-256 (hex) of the cookie value; the value itself is never stored. */
  readonly idHash: string;
  /** A public, non-secret id for listing and revoking (GET/DELETE /api/sessions/:id). */
  readonly publicId: string;
  readonly userId: string;
  readonly createdAt: number;
  readonly lastSeenAt: number;
  readonly expiresAt: number;
  readonly userAgent: string;
  readonly ip: string;
  readonly csrfToken: string;
  /**
   * The identity provider's refresh token for this session, sealed by the sessions service (only
   * a request carrying the cookie can open it); opaque to the store, absent when there is none.
   */
  readonly sealedIdpToken?: string;
}

export interface AuditEvent {
  readonly id: string;
  readonly at: string;
  readonly type: string;
  readonly actorId: string | null;
  readonly subjectId: string | null;
  readonly ip: string | null;
  readonly outcome: 'success' | 'failure';
  readonly detail: Readonly<Record<string, string | number | boolean | null>>;
}

export interface AuditQuery {
  readonly type?: string;
  readonly subjectId?: string;
  readonly actorId?: string;
  readonly limit: number;
  readonly cursor?: string;
}

/**
 * A user's billing state as Gatehouse last learned it from the provider, by verified webhook or by
 * asking it (reconciliation), never from a redirect. One per user; `customerId` links it to the
 * provider's customer, one for one.
 */
export interface SubscriptionRecord {
  readonly userId: string;
  readonly customerId: string;
  readonly subscriptionId: string | null;
  readonly priceId: string | null;
  /** The paid plan the price maps to; null without a subscription. */
  readonly plan: 'basic' | 'premium' | null;
  /** Stripe's subscription status, as last read from Stripe. */
  readonly status: string | null;
  /** Epoch seconds. */
  readonly currentPeriodEnd: number | null;
  readonly cancelAtPeriodEnd: boolean;
  /** Set by invoice.payment_failed, cleared by a later invoice.paid (epoch seconds of that invoice). */
  readonly paymentFailedAt: number | null;
  /** `created` of the newest invoice event applied, so an older one arriving late changes nothing. */
  readonly lastInvoiceAt: number | null;
  /** The price the subscription switches to when its period ends (a downgrade), else null. */
  readonly scheduledPriceId: string | null;
  /** Epoch seconds: when the user last opened a checkout that has not led to a subscription yet. */
  readonly checkoutStartedAt: number | null;
  /**
   * Epoch seconds: when this record should next be compared with the provider (reconciliation),
   * because a checkout is pending or a renewal is due; null when nothing is awaited.
   */
  readonly checkAfter: number | null;
  readonly updatedAt: string;
}

/** A social sign-in in progress, between GET .../start and GET .../callback. */
export interface OAuthFlowRecord {
  /** SHA-256 (hex) of the browser's flow cookie value; the value itself is never stored. */
  readonly idHash: string;
  /** The provider that started it: a callback for another provider is refused. */
  readonly provider: string;
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
  /** A same-origin path, checked when the flow started. */
  readonly returnTo: string;
  /** Set when a signed-in user is linking this provider to their account, null for a sign-in. */
  readonly linkUserId: string | null;
  /** Epoch milliseconds. */
  readonly createdAt: number;
  readonly expiresAt: number;
}

/** A provider's account linked to a Gatehouse user; (provider, subject) is the key. */
export interface LinkedIdentity {
  readonly provider: string;
  readonly subject: string;
  readonly userId: string;
  /** The address the provider gave when the link was made (display only). */
  readonly email: string | null;
  readonly linkedAt: string;
}

/** A user's file usage: the sum of their files' sizes, and how many there are. */
export interface Usage {
  readonly bytes: number;
  readonly count: number;
}

/**
 * What Gatehouse keeps on one user that a signed-in request needs, as one read returns it. Each
 * part is what its own read would answer (`profiles.get`, `revocations.get`, `billing.get`,
 * `files.usage`); a user with nothing stored yet has every part empty.
 */
export interface UserRecord {
  readonly userId: string;
  readonly profile: Profile | null;
  /** The revocation mark (see `revocations`); it outlives the profile. */
  readonly revokedThrough: number | null;
  readonly billing: SubscriptionRecord | null;
  readonly usage: Usage;
}

/** The identity provider's part of a profile, as a sign-in's tokens state it. */
export type IdentityFields = Pick<
  Profile,
  'userId' | 'email' | 'name' | 'emailVerified' | 'mfaEnabled' | 'groups'
>;

export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

export interface Store {
  readonly users: {
    /** The user's record, one strongly consistent read (see the guarantees above). */
    get(userId: string): Promise<UserRecord>;
  };
  readonly profiles: {
    get(userId: string): Promise<Profile | null>;
    /**
     * Inserts or replaces the whole profile (the user's mark, billing state and usage stay), with
     * `event` recorded in the same atomic step when given.
     */
    put(profile: Profile, event?: AuditEvent): Promise<void>;
    /**
     * Brings an existing profile's identity fields up to date in one atomic step: email, its
     * verification, MFA and groups, and the name only where none is stored; the user's own fields
     * and `enabled` stay. Returns the user's record as it is afterwards; null, writing nothing,
     * when the user has no profile.
     */
    syncIdentity(fields: IdentityFields, updatedAt: string): Promise<UserRecord | null>;
    /** Removes the profile; the revocation mark stays, so tokens it voided stay void. */
    delete(userId: string): Promise<void>;
    list(query: ProfileQuery): Promise<Page<Profile>>;
  };
  readonly files: {
    /**
     * Inserts the record only if the user's files, this one included, stay within quotaBytes.
     * False (nothing written) when they would not. Check and insert are one atomic step, with
     * `event` recorded in it when given.
     */
    create(file: FileRecord, quotaBytes: number, event?: AuditEvent): Promise<boolean>;
    /** Null when missing or owned by another user. */
    get(userId: string, id: string): Promise<FileRecord | null>;
    /** Newest first, paged with an opaque cursor. */
    list(userId: string, opts: { limit: number; cursor?: string }): Promise<Page<FileRecord>>;
    /** True if the user's record was deleted. */
    delete(userId: string, id: string): Promise<boolean>;
    usage(userId: string): Promise<Usage>;
  };
  readonly billing: {
    get(userId: string): Promise<SubscriptionRecord | null>;
    userIdForCustomer(customerId: string): Promise<string | null>;
    /**
     * Links a provider customer to the user if the user has none yet, atomically; returns the
     * record as stored, so when two requests race, both go on with the first one's customer.
     */
    linkCustomer(userId: string, customerId: string, updatedAt: string): Promise<SubscriptionRecord>;
    /** Replaces the user's record (which must exist: linkCustomer made it). */
    put(record: SubscriptionRecord): Promise<void>;
    delete(userId: string): Promise<void>;
    /** Users whose record is due for reconciliation (`checkAfter` <= now, epoch seconds), most overdue first. */
    listDue(nowSeconds: number, limit: number): Promise<string[]>;
    /** Remembers a handled webhook event; false when it had been recorded before. */
    recordEvent(eventId: string, type: string, receivedAt: string): Promise<boolean>;
    hasEvent(eventId: string): Promise<boolean>;
  };
  readonly sessions: {
    create(session: SessionRecord): Promise<void>;
    get(idHash: string): Promise<SessionRecord | null>;
    /** Moves lastSeenAt forward; no-op for a missing session. */
    touch(idHash: string, lastSeenAt: number): Promise<void>;
    /** Replaces the session's sealed provider token (after a rotation); no-op for a missing session. */
    setSealedIdpToken(idHash: string, sealed: string): Promise<void>;
    listForUser(userId: string): Promise<SessionRecord[]>;
    delete(idHash: string): Promise<void>;
    /** Deletes by public id, only if the session belongs to userId. True if one was deleted. */
    deleteByPublicId(userId: string, publicId: string): Promise<boolean>;
    /**
     * Deletes every session of the user (in batches where the store has them) and returns how
     * many it found.
     */
    deleteAllForUser(userId: string): Promise<number>;
  };
  readonly revocations: {
    /**
     * Epoch milliseconds: sessions of this user created at or before it are void, and so are
     * tokens whose `iat` (whole seconds) is at or before its second.
     */
    get(userId: string): Promise<number | null>;
    set(userId: string, revokedThrough: number): Promise<void>;
  };
  readonly oauthFlows: {
    create(flow: OAuthFlowRecord): Promise<void>;
    /** Deletes and returns the flow; null when missing or expired at `now`. Single use, even concurrently. */
    take(idHash: string, now: number): Promise<OAuthFlowRecord | null>;
  };
  readonly identities: {
    /** Links the pair to the user unless it is linked already (to anyone): then false, nothing written. */
    link(identity: LinkedIdentity): Promise<boolean>;
    find(provider: string, subject: string): Promise<LinkedIdentity | null>;
    /** The user's links, oldest first; a link just removed is never listed. */
    listForUser(userId: string): Promise<LinkedIdentity[]>;
    /** Removes the link only if it belongs to userId; true when one was removed. */
    unlink(userId: string, provider: string, subject: string): Promise<boolean>;
    deleteAllForUser(userId: string): Promise<number>;
  };
  readonly audit: {
    append(event: AuditEvent): Promise<void>;
    list(query: AuditQuery): Promise<Page<AuditEvent>>;
  };
  readonly throttle: {
    /** Adds one to the counter for key (starting a window of windowSeconds if none) and returns it. */
    hit(key: string, windowSeconds: number, now: number): Promise<number>;
    count(key: string, now: number): Promise<number>;
    reset(key: string): Promise<void>;
  };
  ping(): Promise<void>;
  close(): Promise<void>;
}
