/** What every use case receives: the configuration, the ports, a clock and a logger. */
import type { Config } from '../config/config.ts';
import type { PasswordPolicy } from '../domain/password-policy.ts';
import type { PaidPlan, PlanTable } from '../domain/plans.ts';
import type { AwsCredentialsBroker } from '../ports/aws-credentials.ts';
import type { Billing } from '../ports/billing.ts';
import type { Blobs } from '../ports/blobs.ts';
import type { BillingSimulator } from '../ports/dev-billing.ts';
import type { DevOutbox } from '../ports/dev-outbox.ts';
import type { Federation } from '../ports/federation.ts';
import type { IdentityProvider } from '../ports/identity.ts';
import type { Limits } from '../ports/limits.ts';
import type { Mail } from '../ports/mail.ts';
import type { Passkeys } from '../ports/passkeys.ts';
import type { Secrets } from '../ports/secrets.ts';
import type { Profile, Store, UserRecord } from '../ports/store.ts';

export interface Logger {
  info(obj: object | string, msg?: string): void;
  warn(obj: object | string, msg?: string): void;
  error(obj: object | string, msg?: string): void;
}

export interface Deps {
  readonly config: Config;
  readonly identity: IdentityProvider;
  /** Passkeys of the identity provider's users. */
  readonly passkeys: Passkeys;
  /** Social sign-in: the configured providers (possibly none). */
  readonly federation: Federation;
  readonly store: Store;
  /** Counters of the sensitive routes' rate limits, shared by every instance. */
  readonly limits: Limits;
  readonly blobs: Blobs;
  readonly mail: Mail;
  readonly secrets: Secrets;
  readonly billing: Billing;
  /** The billing simulator's pages and webhook delivery: in simulator mode only. */
  readonly billingSimulator?: BillingSimulator;
  /** What the dev outbox kept, for the dev mailbox routes: with MAIL=outbox only. */
  readonly devOutbox?: DevOutbox;
  /** AWS credentials for signed-in users (AWS mode with an identity pool); absent otherwise. */
  readonly awsCredentials?: AwsCredentialsBroker;
  /** The plan table (config/plans.json) and the billing provider's price id of each paid plan. */
  readonly plans: PlanTable;
  readonly prices: Readonly<Record<PaidPlan, string>>;
  readonly passwordPolicy: PasswordPolicy;
  /** Milliseconds since the epoch. */
  readonly clock: () => number;
  readonly log: Logger;
}

/** Who is calling, once authenticated. */
export interface Principal {
  readonly userId: string;
  readonly groups: readonly string[];
  readonly via: 'bearer' | 'cookie';
  /** The browser session's id hash, for cookie callers. */
  readonly sessionIdHash?: string;
  /**
   * The session cookie's value itself, for cookie callers: it opens the session's sealed provider
   * token (services/session-idp-token.ts). Never stored, never logged.
   */
  readonly sessionCookie?: string;
  /** The verified access token itself, for bearer callers: some provider operations need it. */
  readonly accessToken?: string;
}

/** The signed-in user's record as the guard read it: its profile present and enabled. */
export interface SignedInUser extends UserRecord {
  readonly profile: Profile;
}

/** Where a request comes from, for audit and throttling, and for the links mailed in answer. */
export interface RequestMeta {
  readonly ip: string;
  readonly userAgent: string;
  /**
   * The origin links mailed for this request point at, when it is not APP_ORIGIN: set only for a
   * browser on this machine at one of config.loopbackOrigins, never from Host or X-Forwarded-Host.
   */
  readonly linkOrigin?: string;
}
