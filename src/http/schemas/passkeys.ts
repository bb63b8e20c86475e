/**
 * Request and response schemas of the passkey routes. The WebAuthn answers are the JSON that
 * @simplewebauthn/browser produces (the W3C's PublicKeyCredential toJSON shape); their binary
 * fields are base64url strings.
 */
import { Type } from 'typebox';
import { Body, Email, NullableString } from './common.ts';

const B64URL = Type.String({ pattern: '^[A-Za-z0-9_-]*$', maxLength: 16384 });
const CREDENTIAL_ID = Type.String({ pattern: '^[A-Za-z0-9_-]+$', minLength: 1, maxLength: 1400 });
const Attachment = Type.Optional(Type.Union([Type.Literal('platform'), Type.Literal('cross-platform')]));
// Browsers and extensions report what they like here; nothing in it is trusted or stored.
const ExtensionResults = Type.Object({}, { additionalProperties: true });

export const PasskeyName = Type.String({
  minLength: 1,
  maxLength: 64,
  // Something to read, and no control characters: the name is shown on pages and in mail.
  pattern: '^[^\\u0000-\\u001f\\u007f]*\\S[^\\u0000-\\u001f\\u007f]*$',
  description: 'A name the user recognises, e.g. "MacBook Touch ID"',
});

export const RegistrationResponse = Type.Object(
  {
    id: CREDENTIAL_ID,
    rawId: CREDENTIAL_ID,
    type: Type.Literal('public-key'),
    response: Type.Object(
      {
        clientDataJSON: B64URL,
        attestationObject: B64URL,
        authenticatorData: Type.Optional(B64URL),
        transports: Type.Optional(Type.Array(Type.String({ maxLength: 32 }), { maxItems: 10 })),
        publicKeyAlgorithm: Type.Optional(Type.Integer()),
        publicKey: Type.Optional(B64URL),
      },
      { additionalProperties: false },
    ),
    authenticatorAttachment: Attachment,
    clientExtensionResults: ExtensionResults,
  },
  { additionalProperties: false },
);

export const AuthenticationResponse = Type.Object(
  {
    id: CREDENTIAL_ID,
    rawId: CREDENTIAL_ID,
    type: Type.Literal('public-key'),
    response: Type.Object(
      {
        clientDataJSON: B64URL,
        authenticatorData: B64URL,
        signature: B64URL,
        userHandle: Type.Optional(B64URL),
      },
      { additionalProperties: false },
    ),
    authenticatorAttachment: Attachment,
    clientExtensionResults: ExtensionResults,
  },
  { additionalProperties: false },
);

export const RegisterPasskeyBody = Body({ name: Type.Optional(PasskeyName), response: RegistrationResponse });
export const PasskeySignInBody = Body({ response: AuthenticationResponse });
export const PasskeySignInOptionsBody = Body({
  email: Type.Optional({
    ...Email,
    description:
      'The account to sign in to. Required where /api/client-config says passkey_sign_in_needs_email ' +
      '(Cognito); ignored otherwise (any passkey of this site may answer). The answer has the same ' +
      'shape whether or not the address has an account or passkeys.',
  }),
});
export const RenamePasskeyBody = Body({ name: PasskeyName });
export const PasskeyParams = Type.Object(
  {
    id: Type.String({
      pattern: '^[A-Za-z0-9_-]+$',
      maxLength: 1400,
      description: "The passkey's id from the list: a UUID (built-in), the credential id (Cognito)",
    }),
  },
  { additionalProperties: false },
);

/** The options to hand to startRegistration / startAuthentication of @simplewebauthn/browser. */
export const OptionsAnswer = Type.Object(
  {
    options: Type.Object(
      { challenge: Type.String() },
      {
        additionalProperties: true,
        description: 'PublicKeyCredentialCreationOptionsJSON or PublicKeyCredentialRequestOptionsJSON',
      },
    ),
  },
  { additionalProperties: false },
);

export const PasskeyOut = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    created_at: Type.String({ format: 'date-time' }),
    last_used_at: NullableString(),
    transports: Type.Array(Type.String()),
    synced: Type.Boolean({ description: 'The authenticator says the key is synced across devices' }),
  },
  { additionalProperties: false },
);
export const PasskeyAnswer = Type.Object({ passkey: PasskeyOut }, { additionalProperties: false });
export const PasskeyList = Type.Object({ passkeys: Type.Array(PasskeyOut) }, { additionalProperties: false });
