/**
 * The identity port, shaped on Amazon Cognito's user-pool operations so that the built-in provider
 * (SQLite) and a Cognito adapter are interchangeable behind the same services.
 *
 * Guarantees every adapter gives:
 * - Emails are passed in already normalised (domain/email.ts); the adapter treats them as exact keys.
 * - Failures are AppErrors with codes from domain/errors.ts; vendor errors never escape. A wrong
 *   password and an unknown user both raise INVALID_CREDENTIALS, and take similar time.
 * - USER_NOT_CONFIRMED and USER_DISABLED are raised only after the password was found correct,
 *   so they reveal nothing to someone who does not know it.
 * - A sign-in's answer names its user from what the provider's own answer carries (no extra call
 *   to the provider): a Cognito adapter whose stand-in hands tokens to a disabled user cannot tell,
 *   and the service checks the stored profile's `enabled` (asking adminGetUser when it says no).
 * - Tokens are RS256 JWTs with Cognito's claim names (sub, token_use, client_id, cognito:groups,
 *   iss, exp, iat, jti, and aud on ID tokens), verifiable with `verificationKey` and `issuer`.
 * - A challenge session is single-use, expires within minutes and dies after 5 wrong codes.
 * - A TOTP code is accepted at most once per user (RFC 6238 section 5.2), even concurrently. A
 *   right code given again inside its window is CODE_ALREADY_USED (the app can say "wait for the
 *   next code"), a recovery code spent before is RECOVERY_CODE_USED; both count as wrong answers
 *   toward the challenge's cap, and only someone past the password step ever sees them.
 * - An operation an adapter cannot perform raises NOT_AVAILABLE_IN_MODE, never a silent success.
 * - Every admin operation finds the user by its userId (Cognito's `sub`) whatever its username in
 *   the provider (a pool user the Hosted UI made is named like `Google_<subject>`).
 * - A user without a password (made by social sign-in) fails a password sign-in exactly like a
 *   wrong password, in similar time; a provider's word never skips the user's TOTP.
 */
import type { JSONWebKeySet, JWTVerifyGetKey } from 'jose';

export interface Tokens {
  readonly idToken: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  /** Seconds until the access token expires. */
  readonly expiresIn: number;
  readonly tokenType: 'Bearer';
}

export type UserStatus = 'UNCONFIRMED' | 'CONFIRMED';

export interface IdentityUser {
  readonly userId: string;
  readonly email: string;
  readonly name: string | null;
  readonly emailVerified: boolean;
  readonly status: UserStatus;
  readonly enabled: boolean;
  readonly mfaEnabled: boolean;
  /** False for an account made by social sign-in that has never set a password. */
  readonly hasPassword: boolean;
  readonly groups: readonly string[];
  /** ISO 8601. */
  readonly createdAt: string;
}

/**
 * Who a sign-in's tokens are for, as the provider's answer states it (Cognito: the ID and access
 * tokens' claims), without asking the provider again. A provider hands tokens only to a confirmed,
 * enabled user; `mfaEnabled` is whether this sign-in went through the MFA challenge.
 */
export type SignInUser = Pick<
  IdentityUser,
  'userId' | 'email' | 'name' | 'emailVerified' | 'mfaEnabled' | 'groups'
>;

export type AuthResult =
  | { readonly kind: 'tokens'; readonly tokens: Tokens; readonly user: SignInUser }
  | { readonly kind: 'challenge'; readonly challenge: 'SOFTWARE_TOKEN_MFA'; readonly session: string };

/**
 * The signed-in caller's own access token, for the operations a provider allows only with it: the
 * token itself (a Bearer caller), or a way to get a fresh one (a browser session keeps its own
 * refresh token for this), asked only when the operation gets as far as needing it.
 */
export interface CallerToken {
  readonly accessToken?: string;
  readonly accessTokenFor?: () => Promise<string>;
}

export type SignUpOutcome =
  | { readonly outcome: 'created' }
  | { readonly outcome: 'replaced'; readonly replacedUserId: string }
  | { readonly outcome: 'exists' };

export type MfaAnswer = { readonly totp: string } | { readonly recoveryCode: string };

/** A social identity as a Cognito user pool names it: the pool's provider name and the subject. */
export interface ProviderIdentity {
  /** The pool's name for the identity provider (Google, Facebook, LoginWithAmazon, an OIDC name). */
  readonly providerName: string;
  /** The provider's id for the person: the `userId` of the ID token's `identities` claim. */
  readonly subject: string;
}

/** Where the links in a code mail point (see RequestMeta.linkOrigin); APP_ORIGIN when absent. */
export interface MailLinks {
  readonly linkOrigin?: string;
}

export interface IdentityProvider {
  readonly mode: 'builtin' | 'cognito';
  /** `iss` of every token this provider issues. */
  readonly issuer: string;
  /** `client_id` of access tokens and `aud` of ID tokens. */
  readonly clientId: string;

  /**
   * The public keys that verify this provider's tokens, including recently rotated-out ones (what
   * the built-in provider publishes at /.well-known/jwks.json). Public members only.
   */
  getJwks(): Promise<JSONWebKeySet>;

  /**
   * The key for a token's protected header, as jose's jwtVerify takes it. A key rotated in (by
   * another process, or by Cognito) is found without a restart; a provider that caches a remote
   * key set refetches it for an unknown kid at most once per bounded interval, so a forged kid
   * cannot make it fetch on every request. A key set that cannot be had at all is UNAVAILABLE.
   */
  readonly verificationKey: JWTVerifyGetKey;

  /**
   * Registers an unconfirmed user and sends a 6-digit confirmation code. Callers must answer every
   * outcome identically:
   * - `created`: the email was free.
   * - `replaced`: the email had an unconfirmed, enabled registration (perhaps someone else's
   *   pre-registration of this address). It is gone, with its password and every code sent for
   *   it; this sign-up took its place as a new user (a new userId) and its own code was sent.
   * - `exists`: the email belongs to a confirmed or a disabled account: nothing changes and
   *   nothing is sent.
   * `mail.linkOrigin`, when given, is the origin of the links in the mail a provider sends itself
   * (default: APP_ORIGIN; Cognito's own mail ignores it).
   */
  signUp(input: { email: string; password: string; name?: string }, mail?: MailLinks): Promise<SignUpOutcome>;
  /**
   * Confirms with the emailed code; the code is single-use and dies after 5 wrong guesses. A code
   * confirms only the registration it was sent for, so it can only ever activate the password of
   * the sign-up that caused it (or of that registration, for a resent code).
   */
  confirmSignUp(email: string, code: string): Promise<IdentityUser>;
  /** Sends a new confirmation code if the user exists and is unconfirmed; silently nothing otherwise. */
  resendConfirmationCode(email: string, mail?: MailLinks): Promise<void>;

  /** USER_PASSWORD_AUTH. Tokens, or an MFA challenge when the user has TOTP on. One call to Cognito. */
  initiateAuth(email: string, password: string): Promise<AuthResult>;
  /**
   * Creates a confirmed user without a password, for a person a social provider vouched for with a
   * verified email (the caller checked that). `exists`, and nothing changes, when the email is
   * taken. Cognito: NOT_AVAILABLE_IN_MODE (its Hosted UI creates federated users itself).
   */
  createFederatedUser(input: {
    email: string;
    name?: string;
  }): Promise<{ outcome: 'created'; user: IdentityUser } | { outcome: 'exists' }>;
  /**
   * Signs in an existing user a social provider has just vouched for (the caller matched the link):
   * tokens, or the MFA challenge when the user has TOTP on. USER_NOT_CONFIRMED and USER_DISABLED as
   * for a password sign-in. Cognito: NOT_AVAILABLE_IN_MODE (the Hosted UI signs federated users in).
   */
  federatedSignIn(userId: string): Promise<AuthResult>;
  /**
   * Answers the SOFTWARE_TOKEN_MFA challenge with a TOTP or a one-use recovery code. A refusal of a
   * challenge the adapter can tie to its user (a live or spent session of its own, a code the
   * provider checked against that user's session) carries that user's id in the AppError's
   * `subjectId`, so guessing against one account shows in its audit trail.
   */
  respondToMfaChallenge(session: string, answer: MfaAnswer): Promise<{ tokens: Tokens; user: SignInUser }>;
  /** REFRESH_TOKEN_AUTH. The built-in provider rotates and treats reuse as theft (the family dies). */
  refresh(refreshToken: string): Promise<Tokens>;
  /** Revokes one refresh token (and the tokens it issued, as far as the provider tracks them). */
  revokeRefreshToken(refreshToken: string): Promise<void>;
  /** AdminUserGlobalSignOut: every refresh token of the user dies. */
  globalSignOut(userId: string): Promise<void>;

  /** Sends a reset code if the user exists and is confirmed; silently nothing otherwise. */
  forgotPassword(email: string, mail?: MailLinks): Promise<void>;
  /**
   * ConfirmForgotPassword. Also ends every refresh token of the user. Never signs in. A new
   * password equal to the current one is PASSWORD_REUSED, judged only once the code is known to be
   * right (the code is then kept for another try). Cognito cannot compare with the current password
   * (the pool keeps it); a pool with a password history refuses reuse, and that is PASSWORD_REUSED.
   */
  confirmForgotPassword(email: string, code: string, newPassword: string): Promise<IdentityUser>;
  /** ChangePassword: requires the current password. */
  changePassword(userId: string, currentPassword: string, newPassword: string): Promise<void>;

  /**
   * Checks the user's current password before a sensitive change (re-authentication).
   * INVALID_CREDENTIALS when it is wrong or the user has none (social sign-in only). Never signs
   * in: no token, session or MFA challenge outlives the check.
   */
  verifyPassword(userId: string, password: string): Promise<void>;
  /**
   * Starts changing the user's sign-in address to `newEmail` (normalised; the caller has checked
   * that no account has it): a 6-digit code goes to `newEmail`. Until confirmEmailChange the user
   * keeps signing in with the old address only, and `newEmail` signs nobody in. A second call
   * replaces the first, whose code dies. `caller` as for associateSoftwareToken (Cognito acts only
   * with the user's own access token). `mail.linkOrigin` as for signUp.
   */
  startEmailChange(userId: string, newEmail: string, caller?: CallerToken, mail?: MailLinks): Promise<void>;
  /**
   * Confirms the pending change with its code: from now on the new address signs in and the old
   * one does not. The code is single-use, expires (1 hour built-in, Cognito's own lifetime) and
   * dies after 5 wrong guesses: all INVALID_CODE, as is "no change pending". ACCOUNT_EXISTS when
   * another account took the address meanwhile (nothing changes). Ends no session: the caller does.
   */
  confirmEmailChange(
    userId: string,
    code: string,
    caller?: CallerToken,
  ): Promise<{ user: IdentityUser; previousEmail: string }>;

  /**
   * AssociateSoftwareToken: a new pending TOTP secret (base32); MFA is not on until verified.
   * `caller` carries the user's own access token when the request brought one: Cognito allows
   * enrolment only with it (the built-in provider ignores it).
   */
  associateSoftwareToken(userId: string, caller?: CallerToken): Promise<{ secret: string }>;
  /** VerifySoftwareToken + SetUserMFAPreference: turns MFA on; returns fresh recovery codes. */
  verifySoftwareToken(
    userId: string,
    code: string,
    caller?: CallerToken,
  ): Promise<{ recoveryCodes: string[] }>;
  /** Turns MFA off; requires a current TOTP code. */
  disableSoftwareToken(userId: string, code: string): Promise<void>;
  /** Replaces the recovery codes; requires a current TOTP code. */
  regenerateRecoveryCodes(userId: string, code: string): Promise<{ recoveryCodes: string[] }>;

  adminGetUser(userId: string): Promise<IdentityUser | null>;
  adminGetUserByEmail(email: string): Promise<IdentityUser | null>;
  adminDisableUser(userId: string): Promise<void>;
  adminEnableUser(userId: string): Promise<void>;
  adminDeleteUser(userId: string): Promise<void>;
  adminAddUserToGroup(userId: string, group: string): Promise<void>;
  adminRemoveUserFromGroup(userId: string, group: string): Promise<void>;

  /**
   * AdminLinkProviderForUser: from now on a sign-in with `identity` lands in `userId`. The identity
   * must have no pool user of its own any more (Cognito refuses to merge two users: the caller
   * deletes the one the Hosted UI just made for it, having checked that it holds nothing).
   * IDENTITY_IN_USE when the pool refuses because the identity is in use (linked to, or still a
   * user of, its own); NOT_FOUND when `userId` is gone. Built-in: NOT_AVAILABLE_IN_MODE (its links
   * are Gatehouse's own, kept in the store by services/linking.ts).
   */
  adminLinkProviderForUser(userId: string, identity: ProviderIdentity): Promise<void>;
  /**
   * AdminDisableProviderForUser: `identity` no longer signs in as `userId`; an identity no longer
   * linked is success. LAST_SIGN_IN_METHOD, and nothing changes, when `identity` is the one the
   * user's pool account was made from (removing it would leave that account without its own way
   * in). Built-in: NOT_AVAILABLE_IN_MODE, as above.
   */
  adminDisableProviderForUser(userId: string, identity: ProviderIdentity): Promise<void>;

  /** Throws UNAVAILABLE when the provider cannot be reached. */
  ping(): Promise<void>;
  close(): Promise<void>;
}
