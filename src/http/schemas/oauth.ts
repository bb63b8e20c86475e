/** Request and response schemas of social sign-in (/api/auth/oauth/*) and linked identities. */
import { Type } from 'typebox';
import { MAX_RETURN_TO_LENGTH } from '../../domain/return-to.ts';
import { Body, NullableString } from './common.ts';

export const ProviderParams = Type.Object(
  {
    provider: Type.String({
      pattern: '^[a-z0-9-]{1,32}$',
      description: 'google, facebook, amazon, oidc, ...',
    }),
  },
  { additionalProperties: false },
);

const ReturnTo = Type.String({
  minLength: 1,
  maxLength: MAX_RETURN_TO_LENGTH,
  description:
    'A path on this site to come back to, such as /files. Anything else is a 400 INVALID_RETURN_TO.',
});

export const StartQuery = Type.Object(
  { return_to: Type.Optional(ReturnTo) },
  { additionalProperties: false },
);

/** Whatever the provider appends (Google adds scope, authuser, prompt, hd); only state is read here. */
export const CallbackQuery = Type.Object(
  {
    state: Type.Optional(Type.String({ maxLength: 512 })),
    code: Type.Optional(Type.String({ maxLength: 4096 })),
  },
  { additionalProperties: Type.String({ maxLength: 4096 }), maxProperties: 20 },
);

export const LinkBody = Body({ return_to: Type.Optional(ReturnTo) });

export const ProvidersAnswer = Type.Object(
  {
    providers: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          name: Type.String(),
          start_url: Type.String({
            description: 'GET it (a top-level navigation) to sign in with the provider',
          }),
        },
        { additionalProperties: false },
      ),
    ),
    linking: Type.Boolean({
      description:
        'Whether a signed-in user can link providers (in both identity modes, when any is configured)',
    }),
  },
  { additionalProperties: false },
);

export const UrlAnswer = Type.Object(
  { url: Type.String({ description: "The provider's authorization URL: navigate the browser to it" }) },
  { additionalProperties: false },
);

export const IdentitiesAnswer = Type.Object(
  {
    identities: Type.Array(
      Type.Object(
        {
          provider: Type.String(),
          provider_name: Type.String(),
          email: NullableString(),
          linked_at: Type.String(),
        },
        { additionalProperties: false },
      ),
    ),
    password_set: Type.Boolean({
      description: 'False for an account made by social sign-in without a password',
    }),
    passkeys: Type.Integer({ description: 'How many passkeys the user has (each is a way to sign in)' }),
  },
  { additionalProperties: false },
);

export const RedirectDoc = {
  description: 'A redirect (Location); errors of the callback are a redirect to /signin?oauth_error=CODE',
  type: 'null',
};
