/**
 * Field formats of the request schemas as plain values, with no TypeBox in sight: the schemas build
 * on them, and the web app (web/src/validate.ts) imports the very same values to check fields as
 * the user types, so the browser and the server can never disagree about what is valid.
 */

/** A 6-digit code: email confirmation, password reset, TOTP. */
export const SIX_DIGITS = '^[0-9]{6}$';
/** A recovery code or a TOTP code at the MFA step (hex groups with dashes, or six digits). */
export const MFA_CODE = { minLength: 6, maxLength: 32, pattern: '^[0-9a-fA-F-]+$' } as const;
/**
 * A phone number as a person types it: digits, + ("(+1) 415 ..." too) and the usual separators.
 * Whether it is a number at all is src/domain/phone.ts's call (libphonenumber-js).
 */
export const PHONE_INPUT = '^[0-9 +().\\-/]{1,40}$';
/** ISO 3166-1 alpha-2 country codes. */
export const COUNTRY = '^[A-Za-z]{2}$';
/** Free text: no control characters (they break logs, headers and layouts). */
export const NO_CONTROL = '^[^\\u0000-\\u001f\\u007f]*$';
/** Group names an administrator can give. */
export const GROUP = '^[a-z][a-z0-9_-]{0,31}$';
export const MAX_GROUPS = 20;
/** A billing provider's invoice id (Stripe's, or the simulator's). */
export const INVOICE_ID = '^in_[A-Za-z0-9_]{1,250}$';

/** Longest value of each profile field, in code points (as JSON Schema counts length). */
export const PROFILE_MAX = {
  name: 100,
  line1: 200,
  line2: 200,
  city: 100,
  region: 100,
  postal_code: 20,
} as const;
/** The optional name given at sign-up. */
export const SIGNUP_NAME_MAX = 200;
