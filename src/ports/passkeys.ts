/**
 * Passkeys (WebAuthn) of an identity provider's users: registering them for a signed-in user,
 * signing in with one, listing, renaming and removing them. Each identity adapter comes with one
 * (Deps.passkeys), working on the same users and issuing the same tokens.
 *
 * Guarantees every adapter gives:
 * - A ceremony starts with options and a `handle`; the handle names the server-side challenge and
 *   the caller binds it to the browser (services/passkeys.ts keeps it in an HttpOnly cookie). A
 *   challenge is single use (even for two concurrent answers), lives CHALLENGE_TTL_SECONDS, and a
 *   registration challenge answers only for the user it was made for.
 * - The answer is checked against the relying party the options were made for: the origin the
 *   browser was at and its host as RP ID. User verification is required; attestation is 'none';
 *   credentials are discoverable (resident keys), so a sign-in needs no email.
 * - A signature counter that does not move forward (when either side is non-zero) is refused as
 *   `counter-regressed`, naming the user and the passkey so the caller can audit it; the stored
 *   counter is left as it was.
 * - Failures are AppErrors: PASSKEY_CHALLENGE_INVALID (missing, used, expired or another user's
 *   challenge), PASSKEY_VERIFICATION_FAILED (origin, RP ID, challenge, signature or user
 *   verification wrong), INVALID_CREDENTIALS (a passkey nobody has), USER_NOT_CONFIRMED and
 *   USER_DISABLED as for a password sign-in, NOT_FOUND for a passkey the user does not have.
 * - A passkey sign-in with user verification stands for two factors: it never asks for TOTP.
 *
 * What differs per provider is in `capabilities` (the web app reads them from /api/config): a
 * provider that keeps passkeys under the user's own token (Cognito) gets it through `caller`, as
 * the identity port's TOTP enrolment does, and answers NOT_AVAILABLE_IN_MODE without one.
 */
import type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { CallerToken, IdentityUser, Tokens } from './identity.ts';

export type {
  AuthenticationResponseJSON,
  PublicKeyCredentialCreationOptionsJSON,
  PublicKeyCredentialRequestOptionsJSON,
  RegistrationResponseJSON,
};

export const CHALLENGE_TTL_SECONDS = 300;

/** Who the browser believes it is talking to: the page's origin and its host as RP ID. */
export interface RelyingParty {
  /** The RP ID: the host of `origin`, never a parent domain. */
  readonly id: string;
  /** Shown by the browser and the authenticator (SERVICE_NAME). */
  readonly name: string;
  /** The exact origin the browser must report in clientDataJSON. */
  readonly origin: string;
}

export interface Passkey {
  /** Gatehouse's id of the passkey (not the credential id), for rename and delete. */
  readonly id: string;
  readonly name: string;
  /** ISO 8601. */
  readonly createdAt: string;
  /** ISO 8601, or null before its first sign-in. */
  readonly lastUsedAt: string | null;
  /** What the authenticator said it can be reached by (internal, hybrid, usb...). */
  readonly transports: readonly string[];
  /** True when the authenticator says the key is synced (a multi-device passkey). */
  readonly backedUp: boolean;
}

export type PasskeySignIn =
  | {
      readonly kind: 'tokens';
      readonly tokens: Tokens;
      readonly user: IdentityUser;
      readonly passkey: Passkey;
    }
  | { readonly kind: 'counter-regressed'; readonly userId: string; readonly passkeyId: string };

/** What a provider's passkeys can do beyond what every provider does. */
export interface PasskeyCapabilities {
  /** Passkeys can be renamed (Cognito names them itself: rename is NOT_AVAILABLE_IN_MODE). */
  readonly rename: boolean;
  /**
   * A sign-in names the account first (the email), so the browser gets an allow list and there
   * is no autofill (Cognito's USER_AUTH needs a USERNAME). False: any of the RP's passkeys may answer.
   */
  readonly signInNeedsEmail: boolean;
  /** The name given when a passkey is added is kept (Cognito takes the authenticator's). */
  readonly keepsGivenName: boolean;
  /** `lastUsedAt` is kept (Cognito does not report it: always null there). */
  readonly reportsLastUse: boolean;
}

export interface Passkeys {
  readonly capabilities: PasskeyCapabilities;
  /**
   * Whether passkeys are offered at all: always with the built-in provider; with Cognito, when the
   * user pool allows WEB_AUTHN as a first factor. The web app shows no passkey feature otherwise.
   * Never rejects (a failed check is false).
   */
  offered(): Promise<boolean>;
  /** Options for navigator.credentials.create, excluding the user's existing passkeys. */
  registrationOptions(
    userId: string,
    rp: RelyingParty,
    caller?: CallerToken,
  ): Promise<{ options: PublicKeyCredentialCreationOptionsJSON; handle: string }>;
  /** Verifies the browser's answer to the challenge behind `handle` and stores the passkey. */
  register(
    userId: string,
    handle: string,
    response: RegistrationResponseJSON,
    name: string,
    caller?: CallerToken,
  ): Promise<Passkey>;
  /**
   * Options for navigator.credentials.get. Without `email`, no allow list: any of the RP's passkeys
   * may answer. With `signInNeedsEmail`, `email` is required (VALIDATION_FAILED without it), and
   * the answer looks the same whether or not the address has an account or passkeys.
   */
  authenticationOptions(
    rp: RelyingParty,
    email?: string,
  ): Promise<{ options: PublicKeyCredentialRequestOptionsJSON; handle: string }>;
  /** Verifies a sign-in: tokens (no TOTP step), or the refusal of a counter that went back. */
  authenticate(handle: string, response: AuthenticationResponseJSON): Promise<PasskeySignIn>;
  /** The user's passkeys, oldest first. */
  list(userId: string, caller?: CallerToken): Promise<Passkey[]>;
  rename(userId: string, passkeyId: string, name: string): Promise<Passkey>;
  /**
   * Removes one passkey. With `keepOne` (the caller found no other way in), only while the user has
   * another passkey, judged atomically with the removal: two removals at once cannot take the last
   * two. LAST_SIGN_IN_METHOD, and nothing removed, otherwise.
   */
  remove(
    userId: string,
    passkeyId: string,
    opts?: { keepOne?: boolean; caller?: CallerToken },
  ): Promise<void>;
}
