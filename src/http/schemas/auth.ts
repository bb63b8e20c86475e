/** Request and response schemas of /api/auth/* and /api/session*. */
import { Type } from 'typebox';
import { Body, Code, Email, NullableString, Password, StringEnum } from './common.ts';
import { SIGNUP_NAME_MAX, SIX_DIGITS } from './formats.ts';
import { AddressOut } from './users.ts';

export const TokensBody = Type.Object(
  {
    id_token: Type.String(),
    access_token: Type.String(),
    refresh_token: Type.String(),
    expires_in: Type.Integer(),
    token_type: Type.Literal('Bearer'),
  },
  { additionalProperties: false },
);

export const Challenge = Type.Object(
  { challenge: Type.Literal('SOFTWARE_TOKEN_MFA'), session: Type.String() },
  { additionalProperties: false },
);

export const ChallengeOrTokens = Type.Union([TokensBody, Challenge]);

export const SignUpBody = Body({
  email: Email,
  password: Password,
  name: Type.Optional(Type.String({ minLength: 1, maxLength: SIGNUP_NAME_MAX })),
});
export const ConfirmBody = Body({ email: Email, confirmation_code: Type.String({ pattern: SIX_DIGITS }) });
export const EmailBody = Body({ email: Email });
export const SignInBody = Body({ email: Email, password: Password });
// Cognito's challenge sessions run to 2048 characters and its refresh tokens (JWE) to about 1800,
// each carried with a short prefix naming the user (adapters/identity/cognito/secret-hash.ts).
const OPAQUE_MAX = 4096;
export const MfaBody = Body({ session: Type.String({ minLength: 1, maxLength: OPAQUE_MAX }), code: Code });
export const RefreshBody = Body({ refresh_token: Type.String({ minLength: 1, maxLength: OPAQUE_MAX }) });
export const SignOutBody = Body({
  access_token: Type.Optional(Type.String({ minLength: 1, maxLength: 8192 })),
});
export const ResetBody = Body({
  email: Email,
  confirmation_code: Type.String({ pattern: SIX_DIGITS }),
  new_password: Password,
});
export const ChangePasswordBody = Body({ current_password: Password, new_password: Password });
export const TotpCodeBody = Body({ code: Type.String({ pattern: SIX_DIGITS }) });

export const SignUpAnswer = Type.Object(
  { message: Type.String(), confirmation_required: Type.Literal(true) },
  { additionalProperties: false },
);
export const TotpSetupAnswer = Type.Object(
  { secret: Type.String(), otpauth_uri: Type.String(), qr_svg: Type.String() },
  { additionalProperties: false },
);
export const TotpVerifyAnswer = Type.Object(
  { message: Type.String(), recovery_codes: Type.Optional(Type.Array(Type.String())) },
  { additionalProperties: false },
);

export const User = Type.Object(
  {
    user_id: Type.String(),
    email: Type.String(),
    name: NullableString(),
    phone_number: Type.Optional(Type.String()),
    email_verified: Type.Boolean(),
    mfa_enabled: Type.Boolean(),
    groups: Type.Array(Type.String()),
    address: Type.Optional(AddressOut),
    plan: StringEnum(['free', 'trial', 'basic', 'premium']),
    created_at: Type.String(),
    photo_url: Type.Optional(
      Type.String({
        description: 'Same-origin URL of the 256 px photo; change 256 to 64 or 512 for the other sizes.',
      }),
    ),
  },
  { additionalProperties: false },
);

/** PUT /api/users/me (here, next to User, which it carries). */
export const ProfileAnswer = Type.Object(
  { message: Type.String(), user: User },
  { additionalProperties: false },
);

export const SessionAnswer = Type.Object(
  { user: User, csrf_token: Type.Optional(Type.String()) },
  { additionalProperties: false },
);
/**
 * GET /api/session: who is signed in. Nobody (no cookie, or one whose session has ended) is an
 * answer too, not an error: every signed-out page asks, and a browser logs every 401 it gets.
 */
export const SessionState = Type.Union([
  SessionAnswer,
  Type.Object({ user: Type.Null() }, { additionalProperties: false, description: 'Signed out' }),
]);
export const SessionList = Type.Object(
  {
    sessions: Type.Array(
      Type.Object({
        id: Type.String(),
        device: Type.String(),
        ip: Type.String(),
        created_at: Type.String(),
        last_seen_at: Type.String(),
        current: Type.Boolean(),
      }),
    ),
  },
  { additionalProperties: false },
);
