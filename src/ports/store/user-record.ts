/**
 * The records a signed-in request reads: the profile and the user's record that gathers it with
 * the revocation mark, billing state and file usage. Kept apart from the aggregates' interfaces
 * because both the profiles and the users aggregate answer with them.
 */
import type { SubscriptionRecord } from './billing-records.ts';
import type { Usage } from './files.ts';

export interface Address {
  readonly line1?: string;
  readonly line2?: string;
  readonly city?: string;
  readonly region?: string;
  readonly postal_code?: string;
  readonly country?: string;
}

export interface Profile {
  readonly userId: string;
  readonly email: string;
  readonly name: string | null;
  readonly phoneNumber: string | null;
  readonly address: Address | null;
  readonly emailVerified: boolean;
  readonly mfaEnabled: boolean;
  readonly groups: readonly string[];
  readonly enabled: boolean;
  /** Changes with every new photo (it is part of the photo's URL); null when there is none. */
  readonly photoVersion: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

/** The identity provider's part of a profile, as a sign-in's tokens state it. */
export type IdentityFields = Pick<
  Profile,
  'userId' | 'email' | 'name' | 'emailVerified' | 'mfaEnabled' | 'groups'
>;

/**
 * What Gatehouse keeps on one user that a signed-in request needs, as one read returns it. Each
 * part is what its own read would answer (`profiles.get`, `revocations.get`, `billing.get`,
 * `files.usage`); a user with nothing stored yet has every part empty.
 */
export interface UserRecord {
  readonly userId: string;
  readonly profile: Profile | null;
  /** The revocation mark (see `revocations`); it outlives the profile. */
  readonly revokedThrough: number | null;
  readonly billing: SubscriptionRecord | null;
  readonly usage: Usage;
}
