/**
 * The store's short-lived flows: a social sign-in (or a Cognito passkey ceremony) between its
 * start and its callback. A flow is taken at most once: of concurrent takes, exactly one gets it,
 * and an expired one is never handed out.
 */

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

export interface OAuthFlowStore {
  create(flow: OAuthFlowRecord): Promise<void>;
  /** Deletes and returns the flow; null when missing or expired at `now`. Single use, even concurrently. */
  take(idHash: string, now: number): Promise<OAuthFlowRecord | null>;
}
