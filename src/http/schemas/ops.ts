/** Schemas of the operations routes the web app reads: its settings and the dev mail outbox. */
import { Type } from 'typebox';

export const ClientConfigAnswer = Type.Object(
  {
    service_name: Type.String(),
    password: Type.Object(
      {
        min_length: Type.Integer({ description: 'Shortest accepted password, in Unicode code points' }),
        max_length: Type.Integer(),
      },
      { additionalProperties: false },
    ),
    phone_default_country: Type.String({
      description: 'Country (ISO 3166-1 alpha-2) of phone numbers typed without a country code',
    }),
    dev_mailbox: Type.Boolean({
      description: 'GET /api/dev/mail answers this caller (the dev outbox, loopback clients only)',
    }),
    passkeys: Type.Boolean({
      description: 'Passkeys can be added and used to sign in (both identity modes; see the README)',
    }),
    passkey_rename: Type.Boolean({
      description: 'Passkeys can be renamed (false with Cognito, which has no rename: hide the control)',
    }),
    passkey_sign_in_needs_email: Type.Boolean({
      description:
        'A passkey sign-in must name the account first (POST /api/session/passkey/options with email); ' +
        'no autofill (true with Cognito)',
    }),
    passkey_keeps_name: Type.Boolean({
      description:
        'The name given when adding a passkey is kept (false with Cognito: it names passkeys itself)',
    }),
    passkey_reports_use: Type.Boolean({
      description: "A passkey's last_used_at is kept (false with Cognito: always null there)",
    }),
  },
  { additionalProperties: false },
);

export const DevMailAnswer = Type.Object(
  {
    messages: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          at: Type.String(),
          to: Type.String(),
          subject: Type.String(),
          text: Type.String({ description: 'The plain-text part' }),
          html: Type.String({ description: 'The HTML part (also at GET /api/dev/mail/{id}/html)' }),
          kind: Type.String({
            description: 'What the message is for, e.g. confirmation-code, notice.password-changed',
          }),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);
