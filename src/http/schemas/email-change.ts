/** Request and response schemas of /api/users/me/email (changing the sign-in address). */
import { Type } from 'typebox';
import { Body, Email } from './common.ts';
import { SIX_DIGITS } from './formats.ts';

export const EmailChangeBody = Body({
  new_email: Email,
  current_password: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 4096,
      description:
        'The current password. May be left out within 5 minutes of signing in; otherwise 403 REAUTHENTICATION_REQUIRED.',
    }),
  ),
});
export const EmailChangeConfirmBody = Body({
  code: Type.String({ pattern: SIX_DIGITS, description: 'The 6-digit code mailed to the new address' }),
});
export const EmailChangeAnswer = Type.Object(
  { message: Type.String(), email: Type.String({ description: 'The sign-in address from now on' }) },
  { additionalProperties: false },
);
