/**
 * Cognito's errors, translated at the adapter's boundary into Gatehouse's codes. What it
 * guarantees: no Cognito exception escapes the adapter; the same Cognito exception may mean
 * different things per operation, so translation is by (operation, exception); and the answers
 * SECURITY.md needs to be enumeration-safe are the same whatever the account's state:
 * - sign-in: an unknown user, a wrong password, "Password attempts exceeded" (Cognito's lockout,
 *   which only existing accounts can reach) and a reset-required account all become
 *   INVALID_CREDENTIALS, the reply an unknown email gets. "User is disabled." becomes USER_DISABLED:
 *   Cognito only says it once the password was right (with PreventUserExistenceErrors ENABLED;
 *   a disabled user with a wrong password gets "Incorrect username or password.").
 * - codes: a wrong, expired, spent or over-guessed code and an unknown user are one INVALID_CODE.
 *   At the MFA step (past the password) a TOTP code used already is CODE_ALREADY_USED.
 * - a password the pool's password history refuses (a pool with PasswordHistorySize) is
 *   PASSWORD_REUSED; without one, Cognito takes the current password again and cannot say so.
 * - passkeys: Cognito's WebAuthn refusals become the codes ports/passkeys.ts names (a dead
 *   challenge PASSKEY_CHALLENGE_INVALID, a wrong origin, RP ID or client PASSKEY_VERIFICATION_FAILED,
 *   a pool without WebAuthn NOT_AVAILABLE_IN_MODE); a refused assertion is INVALID_CREDENTIALS.
 * - link: an identity Cognito will not link (it still has a pool user of its own, or is linked
 *   already) is IDENTITY_IN_USE, whatever exception Cognito chose for it.
 * Cognito's own messages never reach an AppError (they are not written for end users); the log gets
 * the exception name, the HTTP status and the request id.
 */
import { AppError, type ErrorCode } from '../../../domain/errors.ts';

export type Operation =
  | 'sign-up'
  | 'code'
  | 'sign-in'
  | 'mfa-challenge'
  | 'refresh'
  | 'new-password'
  | 'totp'
  | 'admin'
  | 'link'
  | 'email'
  | 'passkey-register'
  | 'passkey-sign-in'
  | 'passkey'
  | 'ping';

/** The slice of the app's logger (pino) the adapter uses. */
export interface CognitoLog {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

interface SdkError {
  name?: string;
  message?: string;
  $fault?: 'client' | 'server';
  $metadata?: { httpStatusCode?: number; requestId?: string };
}

export const errorName = (err: unknown): string =>
  typeof err === 'object' && err !== null ? String((err as SdkError).name ?? '') : '';

const MESSAGES: Partial<Record<ErrorCode, string>> = {
  INVALID_CREDENTIALS: 'Incorrect email or password.',
  USER_NOT_CONFIRMED: 'Confirm your email address first: enter the code we sent you.',
  USER_DISABLED: 'This account has been disabled.',
  INVALID_CODE: 'That code is not valid or has expired. Ask for a new one.',
  CODE_ALREADY_USED:
    'That code has been used already. Wait for your app to show the next one, then enter it.',
  PASSWORD_REUSED: 'Choose a password you have not used recently on this account.',
  INVALID_MFA_SESSION: 'This sign-in attempt has expired or had too many wrong codes. Sign in again.',
  INVALID_TOKEN: 'The token is invalid, expired or revoked. Sign in again.',
  INVALID_PASSWORD: 'The password does not meet the password policy.',
  MFA_SETUP_REQUIRED: 'Start the setup first.',
  NOT_FOUND: 'No such user.',
  IDENTITY_IN_USE: 'That account is already linked to another user here.',
  ACCOUNT_EXISTS: 'Another account has that address. Your address has not changed.',
  VALIDATION_FAILED: 'The identity provider refused the request as malformed.',
  UNAVAILABLE: 'The identity provider is unavailable or busy. Try again shortly.',
  INTERNAL: 'The identity provider failed unexpectedly.',
  PASSKEY_CHALLENGE_INVALID: 'This passkey request has expired or was already used. Try again.',
  PASSKEY_VERIFICATION_FAILED:
    'The passkey could not be verified for this site (origin, relying party or app client). Try again.',
  NOT_AVAILABLE_IN_MODE: 'Passkeys are not turned on in the Cognito user pool.',
  CONFLICT: 'Cognito refused another passkey: you may have as many as it allows. Remove one, or try later.',
};

/** Where one operation's refusal needs other words than the code's usual ones. */
const OPERATION_MESSAGES: Partial<Record<Operation, Partial<Record<ErrorCode, string>>>> = {
  'passkey-sign-in': { INVALID_CREDENTIALS: 'This passkey could not sign you in to that account.' },
};

const appError = (code: ErrorCode, cause?: unknown, operation?: Operation) =>
  new AppError(
    code,
    (operation && OPERATION_MESSAGES[operation]?.[code]) ?? MESSAGES[code] ?? code,
    cause === undefined ? undefined : { cause: errorName(cause) },
  );

/** Cognito's WebAuthn refusals, the same in every passkey operation. */
const WEBAUTHN: Record<string, ErrorCode> = {
  WebAuthnNotEnabledException: 'NOT_AVAILABLE_IN_MODE',
  WebAuthnConfigurationMissingException: 'NOT_AVAILABLE_IN_MODE',
  OperationNotEnabledException: 'NOT_AVAILABLE_IN_MODE',
  FeatureUnavailableInTierException: 'NOT_AVAILABLE_IN_MODE',
  WebAuthnChallengeNotFoundException: 'PASSKEY_CHALLENGE_INVALID',
  WebAuthnOriginNotAllowedException: 'PASSKEY_VERIFICATION_FAILED',
  WebAuthnRelyingPartyMismatchException: 'PASSKEY_VERIFICATION_FAILED',
  WebAuthnClientMismatchException: 'PASSKEY_VERIFICATION_FAILED',
  WebAuthnCredentialNotSupportedException: 'PASSKEY_VERIFICATION_FAILED',
};

/** Per operation: Cognito exception name -> Gatehouse code. */
const BY_OPERATION: Record<Operation, Record<string, ErrorCode>> = {
  'sign-in': {
    NotAuthorizedException: 'INVALID_CREDENTIALS',
    UserNotFoundException: 'INVALID_CREDENTIALS',
    // cognito-local answers a wrong password with this; real Cognito uses it only for policy failures.
    InvalidPasswordException: 'INVALID_CREDENTIALS',
    // Cognito may say this before checking the password, so it must look like a wrong password.
    PasswordResetRequiredException: 'INVALID_CREDENTIALS',
    UserNotConfirmedException: 'USER_NOT_CONFIRMED',
  },
  'mfa-challenge': {
    CodeMismatchException: 'INVALID_CODE',
    // "Your software token has already been used once.": a replayed TOTP code.
    ExpiredCodeException: 'CODE_ALREADY_USED',
    NotAuthorizedException: 'INVALID_MFA_SESSION',
    TooManyFailedAttemptsException: 'INVALID_MFA_SESSION',
    UserNotFoundException: 'INVALID_MFA_SESSION',
    InvalidParameterException: 'INVALID_MFA_SESSION',
  },
  refresh: {
    NotAuthorizedException: 'INVALID_TOKEN',
    UserNotFoundException: 'INVALID_TOKEN',
    InvalidParameterException: 'INVALID_TOKEN',
  },
  code: {
    CodeMismatchException: 'INVALID_CODE',
    ExpiredCodeException: 'INVALID_CODE',
    UserNotFoundException: 'INVALID_CODE',
    NotAuthorizedException: 'INVALID_CODE',
    TooManyFailedAttemptsException: 'INVALID_CODE',
    // "Attempt limit exceeded" after wrong guesses: the code is void, like the built-in's fifth guess.
    LimitExceededException: 'INVALID_CODE',
    InvalidPasswordException: 'INVALID_PASSWORD',
    PasswordHistoryPolicyViolationException: 'PASSWORD_REUSED',
  },
  'sign-up': { InvalidPasswordException: 'INVALID_PASSWORD', CodeDeliveryFailureException: 'UNAVAILABLE' },
  'new-password': {
    InvalidPasswordException: 'INVALID_PASSWORD',
    PasswordHistoryPolicyViolationException: 'PASSWORD_REUSED',
    UserNotFoundException: 'NOT_FOUND',
  },
  totp: {
    CodeMismatchException: 'INVALID_CODE',
    EnableSoftwareTokenMFAException: 'INVALID_CODE',
    SoftwareTokenMFANotFoundException: 'MFA_SETUP_REQUIRED',
    NotAuthorizedException: 'INVALID_TOKEN',
  },
  admin: { UserNotFoundException: 'NOT_FOUND', ResourceNotFoundException: 'NOT_FOUND' },
  // AdminLinkProviderForUser: an identity that is some user's own or linked to one already is in use
  // (InvalidParameterException is narrowed to those by its message in translate()).
  link: {
    AliasExistsException: 'IDENTITY_IN_USE',
    InvalidParameterException: 'IDENTITY_IN_USE',
    UserNotFoundException: 'NOT_FOUND',
  },
  // UpdateUserAttributes and VerifyUserAttribute of the email: a wrong, expired or over-guessed
  // code is one INVALID_CODE, as for the other codes; an address another user has is ACCOUNT_EXISTS.
  email: {
    CodeMismatchException: 'INVALID_CODE',
    ExpiredCodeException: 'INVALID_CODE',
    LimitExceededException: 'INVALID_CODE',
    TooManyFailedAttemptsException: 'INVALID_CODE',
    AliasExistsException: 'ACCOUNT_EXISTS',
    NotAuthorizedException: 'INVALID_TOKEN',
    UserNotFoundException: 'NOT_FOUND',
    CodeDeliveryFailureException: 'UNAVAILABLE',
  },
  // StartWebAuthnRegistration and CompleteWebAuthnRegistration, with the user's access token.
  'passkey-register': {
    ...WEBAUTHN,
    NotAuthorizedException: 'INVALID_TOKEN',
    // Cognito's cap on a user's passkeys (or on attempts): not the pool being unavailable.
    LimitExceededException: 'CONFLICT',
  },
  // InitiateAuth USER_AUTH and its WEB_AUTHN answer (NotAuthorized is narrowed in translate()).
  'passkey-sign-in': {
    ...WEBAUTHN,
    NotAuthorizedException: 'INVALID_CREDENTIALS',
    UserNotFoundException: 'INVALID_CREDENTIALS',
    PasswordResetRequiredException: 'INVALID_CREDENTIALS',
    UserNotConfirmedException: 'USER_NOT_CONFIRMED',
    ExpiredCodeException: 'PASSKEY_CHALLENGE_INVALID',
  },
  // ListWebAuthnCredentials and DeleteWebAuthnCredential, with the user's access token.
  passkey: { ...WEBAUTHN, NotAuthorizedException: 'INVALID_TOKEN', ResourceNotFoundException: 'NOT_FOUND' },
  ping: {},
};

// Throttling that outlasted the SDK's retries (shared/aws-client.ts) is Cognito being unavailable
// to us for now (503 with Retry-After), not the caller sending too much: their 429 is our limiter's.
const EVERYWHERE: Record<string, ErrorCode> = {
  TooManyRequestsException: 'UNAVAILABLE',
  LimitExceededException: 'UNAVAILABLE',
  InvalidParameterException: 'VALIDATION_FAILED',
  InternalErrorException: 'UNAVAILABLE',
};

/** The AppError for a failed Cognito call made by `operation`. */
export function translate(err: unknown, operation: Operation, log?: CognitoLog): AppError {
  if (err instanceof AppError) return err;
  const name = errorName(err);
  const sdk = (typeof err === 'object' && err !== null ? err : {}) as SdkError;
  let code = BY_OPERATION[operation][name] ?? EVERYWHERE[name];
  // "Merging is not currently supported, provide a SourceUser that has not been signed up in order to
  // link", or already linked: the identity is in use. Any other refusal is a malformed request.
  if (operation === 'link' && name === 'InvalidParameterException' && !/merg|link/i.test(sdk.message ?? '')) {
    code = 'VALIDATION_FAILED';
  }
  if (operation === 'passkey-sign-in' && name === 'NotAuthorizedException') {
    // "Invalid session for the user, session is expired." and the like: the ceremony, not the key.
    if (/session/i.test(sdk.message ?? '')) code = 'PASSKEY_CHALLENGE_INVALID';
    else if (/user is disabled/i.test(sdk.message ?? '')) code = 'USER_DISABLED';
  }
  if (operation === 'sign-in' && name === 'NotAuthorizedException') {
    if (/user is disabled/i.test(sdk.message ?? '')) code = 'USER_DISABLED';
    // Masked for the caller, but an operator investigating a locked-out user needs to see it.
    else if (/attempts exceeded/i.test(sdk.message ?? '')) log?.info({ operation }, 'cognito lockout masked');
  }
  // Failures without an HTTP answer (a refused connection, a call that timed out: the SDK sets
  // $metadata with its attempts but no status) and server faults (5xx, cognito-local's
  // Unsupported, marked 'server') are Cognito being unavailable, not a bug of ours.
  if (!code && (operation === 'ping' || sdk.$fault === 'server' || !sdk.$metadata?.httpStatusCode))
    code = 'UNAVAILABLE';
  code ??= 'INTERNAL';
  if (code === 'UNAVAILABLE' || code === 'INTERNAL' || code === 'VALIDATION_FAILED') {
    log?.warn(
      {
        operation,
        cognitoError: name,
        statusCode: sdk.$metadata?.httpStatusCode,
        requestId: sdk.$metadata?.requestId,
      },
      'cognito call failed',
    );
  }
  return appError(code, err, operation);
}

/**
 * Errors that only say something about the account's state (unknown, unconfirmed, disabled, already
 * confirmed, throttled, no deliverable address). The "send a code" operations swallow these so their
 * answer is the same for every email.
 */
const ACCOUNT_STATE = new Set([
  'UserNotFoundException',
  'InvalidParameterException',
  'NotAuthorizedException',
  'LimitExceededException',
  'CodeDeliveryFailureException',
  'UserNotConfirmedException',
]);

export const isAccountStateError = (err: unknown): boolean => ACCOUNT_STATE.has(errorName(err));

export const notAvailable = (what: string): AppError =>
  new AppError('NOT_AVAILABLE_IN_MODE', `${what} is not available with the Cognito identity provider.`);
