/** Schemas shared by every route group: the error body, messages, and field formats. */
import { type TSchema, Type } from 'typebox';
import { MFA_CODE } from './formats.ts';

export const ErrorBody = Type.Object(
  { error: Type.Object({ code: Type.String(), message: Type.String() }) },
  { $id: 'ErrorBody', description: 'Every error: a stable UPPER_SNAKE code and a human message.' },
);

/**
 * Response helpers that serialize without anyOf: fast-json-stringify resolves an anyOf by running a
 * validator on every response, which on the hot path cost more than the database reads.
 */
export const NullableString = () => Type.Unsafe<string | null>({ type: ['string', 'null'] });
export const StringEnum = <const T extends readonly string[]>(values: T) =>
  Type.Unsafe<T[number]>({ type: 'string', enum: [...values] });

export const Message = Type.Object({ message: Type.String() }, { additionalProperties: false });

/** Request bodies reject unknown fields (mass assignment) instead of silently dropping them. */
export const Body = <T extends Record<string, TSchema>>(props: T) =>
  Type.Object(props, { additionalProperties: false });

export const Email = Type.String({ minLength: 3, maxLength: 320, description: 'Email address' });
/** Long enough for any accepted password; the policy gives the precise reason for what it refuses. */
export const Password = Type.String({ minLength: 1, maxLength: 4096 });
export const Code = Type.String({ ...MFA_CODE });

/** OpenAPI only: every error answer, whatever its status (see src/domain/errors.ts for the codes). */
export const ErrorDoc = {
  description: 'An error: a stable UPPER_SNAKE code and a human message. 4xx for the caller, 5xx for us.',
  type: 'object',
  properties: {
    error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' } } },
  },
};

/** OpenAPI only: the multipart body of upload routes (they stream it instead of validating it). */
export const UploadDoc = {
  type: 'object',
  required: ['file'],
  properties: { file: { type: 'string', format: 'binary', description: 'The file, as one multipart part' } },
};
