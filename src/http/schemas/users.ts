/** Schemas of the profile, photo, files, data and admin routes. */
import { Type } from 'typebox';
import { Body, NullableString, StringEnum } from './common.ts';
import { COUNTRY, GROUP, MAX_GROUPS, NO_CONTROL, PHONE_INPUT, PROFILE_MAX } from './formats.ts';

/** No control characters (they break logs, headers and layouts) in any free text field. */
const Text = (maxLength: number) => Type.String({ minLength: 1, maxLength, pattern: NO_CONTROL });

const addressFields = {
  line1: Type.Optional(Text(PROFILE_MAX.line1)),
  line2: Type.Optional(Text(PROFILE_MAX.line2)),
  city: Type.Optional(Text(PROFILE_MAX.city)),
  region: Type.Optional(Text(PROFILE_MAX.region)),
  postal_code: Type.Optional(Text(PROFILE_MAX.postal_code)),
  country: Type.Optional(Type.String({ pattern: COUNTRY, description: 'ISO 3166-1 alpha-2 code' })),
};
export const AddressIn = Type.Object(addressFields, { additionalProperties: false });
const outField = Type.Optional(Type.String());
export const AddressOut = Type.Object(
  {
    line1: outField,
    line2: outField,
    city: outField,
    region: outField,
    postal_code: outField,
    country: outField,
  },
  { additionalProperties: false },
);

const nullable = <T extends ReturnType<typeof Type.String> | typeof AddressIn>(schema: T) =>
  Type.Union([schema, Type.Null()]);

export const ProfileUpdateBody = Body({
  name: Type.Optional(nullable(Text(PROFILE_MAX.name))),
  phone_number: Type.Optional(
    nullable(
      Type.String({
        pattern: PHONE_INPUT,
        description:
          'International (+44 20 7946 0958) or national, read as a number of PHONE_DEFAULT_COUNTRY (020 7946 0958); stored and answered in E.164 (+442079460958). Not a phone number: 400 INVALID_PHONE_NUMBER',
      }),
    ),
  ),
  address: Type.Optional(nullable(AddressIn)),
});

export const PhotoAnswer = Type.Object({ photo_url: Type.String() }, { additionalProperties: false });
export const PhotoParams = Type.Object({
  version: Type.String({ pattern: '^[A-Za-z0-9_-]{1,32}$' }),
  size: StringEnum(['64', '256', '512']),
});

export const FileOut = Type.Object(
  {
    id: Type.String(),
    name: Type.String(),
    size: Type.Integer(),
    content_type: Type.String(),
    sha256: Type.String(),
    created_at: Type.String(),
  },
  { additionalProperties: false },
);
export const FileIdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{22}$' }) });
/** Query strings stay strings (no type coercion anywhere): a page size is 1 to 100, as digits. */
export const PageQuery = {
  limit: Type.Optional(Type.String({ pattern: '^(100|[1-9][0-9]?)$', description: 'Page size, 1 to 100' })),
  cursor: Type.Optional(Type.String({ minLength: 1, maxLength: 512, pattern: '^[A-Za-z0-9_-]+$' })),
};
export const FileListQuery = Type.Object(PageQuery, { additionalProperties: false });
export const FileList = Type.Object(
  {
    files: Type.Array(FileOut),
    next_cursor: Type.Optional(Type.String()),
    usage: Type.Object(
      {
        bytes: Type.Integer(),
        count: Type.Integer(),
        quota_bytes: Type.Integer(),
        file_max_bytes: Type.Integer(),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export const FileAnswer = Type.Object({ file: FileOut }, { additionalProperties: false });

export const DataAnswer = Type.Object(
  {
    plan: StringEnum(['free', 'trial', 'basic', 'premium']),
    data: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          title: Type.String(),
          required_plan: StringEnum(['free', 'trial', 'basic', 'premium']),
          locked: Type.Boolean(),
          body: Type.Optional(Type.String()),
        },
        { additionalProperties: false },
      ),
    ),
  },
  { additionalProperties: false },
);

export const AdminUserQuery = Type.Object(
  {
    ...PageQuery,
    search: Type.Optional(Type.String({ minLength: 1, maxLength: 100 })),
    status: Type.Optional(StringEnum(['enabled', 'disabled'])),
    group: Type.Optional(Type.String({ pattern: GROUP })),
  },
  { additionalProperties: false },
);
export const AdminUser = Type.Object(
  {
    user_id: Type.String(),
    email: Type.String(),
    name: NullableString(),
    enabled: Type.Boolean(),
    email_verified: Type.Boolean(),
    mfa_enabled: Type.Boolean(),
    groups: Type.Array(Type.String()),
    plan: StringEnum(['free', 'trial', 'basic', 'premium']),
    created_at: Type.String(),
  },
  { additionalProperties: false },
);
export const AdminUserList = Type.Object(
  { users: Type.Array(AdminUser), next_cursor: Type.Optional(Type.String()) },
  { additionalProperties: false },
);
export const UserIdParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{1,128}$' }) });
export const AdminUserPatch = Body({
  enabled: Type.Optional(Type.Boolean()),
  groups: Type.Optional(
    Type.Array(Type.String({ pattern: GROUP }), { maxItems: MAX_GROUPS, uniqueItems: true }),
  ),
});
export const AuditQueryParams = Type.Object(
  {
    ...PageQuery,
    type: Type.Optional(Type.String({ pattern: '^[a-z0-9._-]{1,64}$' })),
    actor_id: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,128}$' })),
    subject_id: Type.Optional(Type.String({ pattern: '^[A-Za-z0-9_-]{1,128}$' })),
  },
  { additionalProperties: false },
);
export const AuditList = Type.Object(
  {
    events: Type.Array(
      Type.Object(
        {
          id: Type.String(),
          at: Type.String(),
          type: Type.String(),
          actor_id: NullableString(),
          subject_id: NullableString(),
          ip: NullableString(),
          outcome: StringEnum(['success', 'failure']),
          detail: Type.Unsafe<Record<string, string | number | boolean | null>>({
            type: 'object',
            additionalProperties: true,
          }),
        },
        { additionalProperties: false },
      ),
    ),
    users: Type.Record(
      Type.String(),
      Type.Object({ email: Type.String(), name: NullableString() }, { additionalProperties: false }),
      {
        description: 'The people the events name (actor_id, subject_id), by id; a deleted account is absent',
      },
    ),
    next_cursor: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const ActivityQuery = Type.Object(PageQuery, { additionalProperties: false });
export const ActivityList = Type.Object(
  {
    events: Type.Array(
      Type.Object(
        {
          at: Type.String(),
          type: Type.String({
            description: 'e.g. auth.signin, auth.password.change, auth.mfa.enabled, file.uploaded',
          }),
          outcome: StringEnum(['success', 'failure']),
          ip: NullableString(),
        },
        { additionalProperties: false },
      ),
    ),
    next_cursor: Type.Optional(Type.String()),
  },
  { additionalProperties: false },
);

export const AwsCredentialsAnswer = Type.Object(
  {
    identity_id: Type.String(),
    access_key_id: Type.String(),
    secret_access_key: Type.String(),
    session_token: Type.String(),
    expiration: Type.String({ format: 'date-time' }),
  },
  { additionalProperties: false },
);
