/**
 * One table of stable error codes and the HTTP status each maps to. Services and adapters throw
 * AppError with one of these codes; the HTTP error handler is the only place that turns them into
 * responses. Codes are part of the public contract: never rename one.
 */
export const errorCodes = {
  VALIDATION_FAILED: 400,
  INVALID_EMAIL: 400,
  INVALID_PASSWORD: 400,
  INVALID_PHONE_NUMBER: 400,
  PASSWORD_TOO_SHORT: 400,
  PASSWORD_TOO_LONG: 400,
  PASSWORD_TOO_COMMON: 400,
  PASSWORD_TOO_PREDICTABLE: 400,
  PASSWORD_REUSED: 400,
  EMAIL_UNCHANGED: 400,
  INVALID_CODE: 400,
  CODE_ALREADY_USED: 400,
  RECOVERY_CODE_USED: 400,
  CODE_EXPIRED: 400,
  INVALID_MFA_SESSION: 400,
  MFA_NOT_ENABLED: 400,
  MFA_ALREADY_ENABLED: 400,
  MFA_SETUP_REQUIRED: 400,
  PASSKEY_CHALLENGE_INVALID: 400,
  PASSKEY_VERIFICATION_FAILED: 400,
  PASSKEY_NEEDS_HOST_NAME: 400,
  UNSUPPORTED_MEDIA_TYPE: 415,
  UNSUPPORTED_FILE_TYPE: 415,
  INVALID_IMAGE: 400,
  MALFORMED_UPLOAD: 400,
  INVALID_SIGNATURE: 400,
  BAD_REQUEST: 400,
  INVALID_RETURN_TO: 400,
  OAUTH_REJECTED: 400,
  OAUTH_DENIED: 400,
  OAUTH_EMAIL_UNVERIFIED: 400,
  PLAN_REQUIRED: 402,
  UNAUTHENTICATED: 401,
  INVALID_CREDENTIALS: 401,
  INVALID_TOKEN: 401,
  TOKEN_REVOKED: 401,
  SESSION_EXPIRED: 401,
  PASSKEY_COUNTER_REGRESSED: 401,
  FORBIDDEN: 403,
  ORIGIN_REJECTED: 403,
  REAUTHENTICATION_REQUIRED: 403,
  USER_NOT_CONFIRMED: 403,
  USER_DISABLED: 403,
  LOOPBACK_ONLY: 403,
  NOT_FOUND: 404,
  METHOD_NOT_ALLOWED: 405,
  REQUEST_TIMEOUT: 408,
  CONFLICT: 409,
  ACCOUNT_EXISTS: 409,
  IDENTITY_IN_USE: 409,
  LAST_SIGN_IN_METHOD: 409,
  SELF_LOCKOUT: 409,
  PAYLOAD_TOO_LARGE: 413,
  FILE_TOO_LARGE: 413,
  QUOTA_EXCEEDED: 413,
  IMAGE_TOO_LARGE: 413,
  TOO_MANY_REQUESTS: 429,
  ACCOUNT_THROTTLED: 429,
  INTERNAL: 500,
  NOT_AVAILABLE_IN_MODE: 501,
  UNAVAILABLE: 503,
  /** The server's disk is full: the write was refused whole, reads still work. */
  STORAGE_FULL: 507,
} as const;

export type ErrorCode = keyof typeof errorCodes;

export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: number;
  /**
   * The user a refusal concerns, when the thrower knows it (whose MFA challenge a wrong code was
   * sent to): for the audit trail only, never part of an answer.
   */
  readonly subjectId: string | undefined;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown; subjectId?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AppError';
    this.code = code;
    this.status = errorCodes[code];
    this.subjectId = options?.subjectId;
  }
}

export const isAppError = (e: unknown): e is AppError => e instanceof AppError;
