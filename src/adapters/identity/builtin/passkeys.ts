/**
 * Passkeys of the built-in provider, with @simplewebauthn/server, kept in identity.db beside the
 * users they belong to (deleted with them). It keeps the promises of ports/passkeys.ts: challenges
 * are stored hashed under a random handle, taken with one DELETE ... RETURNING (so two answers to
 * one challenge cannot both pass), expire after CHALLENGE_TTL_SECONDS and carry the relying party
 * they were made for; user verification is required; a counter that does not move forward is
 * refused, and the stored counter only ever moves forward.
 */
import { randomUUID } from 'node:crypto';
import type { verifyAuthenticationResponse, verifyRegistrationResponse } from '@simplewebauthn/server';
import { AppError } from '../../../domain/errors.ts';
import type { IdentityUser, Tokens } from '../../../ports/identity.ts';
import {
  CHALLENGE_TTL_SECONDS,
  type Passkey,
  type Passkeys,
  type RelyingParty,
} from '../../../ports/passkeys.ts';
import { opaqueToken, sha256 } from './codes.ts';
import type { Ctx, UserRow } from './context.ts';

interface PasskeyRow {
  id: string;
  user_id: string;
  credential_id: string;
  public_key: Buffer;
  counter: number;
  transports: string;
  backed_up: number;
  name: string;
  created_at: string;
  last_used_at: string | null;
}

interface ChallengeRow {
  purpose: 'register' | 'authenticate';
  user_id: string | null;
  challenge: string;
  rp_id: string;
  origin: string;
  expires_at: number;
}

const toPasskey = (r: PasskeyRow): Passkey => ({
  id: r.id,
  name: r.name,
  createdAt: r.created_at,
  lastUsedAt: r.last_used_at,
  transports: JSON.parse(r.transports) as string[],
  backedUp: r.backed_up === 1,
});

const challengeGone = () =>
  new AppError(
    'PASSKEY_CHALLENGE_INVALID',
    'This passkey request has expired or was already used. Try again.',
  );
const notVerified = (what: string) =>
  new AppError('PASSKEY_VERIFICATION_FAILED', `The passkey could not be verified: ${what}.`);
export const lastWayIn = () =>
  new AppError(
    'LAST_SIGN_IN_METHOD',
    'This passkey is your only way to sign in. Set a password (Forgot password) or add another passkey first.',
  );
const unknownPasskey = () => new AppError('INVALID_CREDENTIALS', 'This passkey is not registered here.');

// The library and the ASN.1 and CBOR packages under it were about a third of the server's start-up
// (bench/README.md, 2026-12-04 afternoon): loaded on the first passkey ceremony instead.
let library: Promise<typeof import('@simplewebauthn/server')> | undefined;
const webauthn = () => {
  library ??= import('@simplewebauthn/server');
  return library;
};

/**
 * EdDSA, ES256, RS256: what authenticators use. Named here because the library's default probes
 * the runtime for ML-DSA, which prints an ExperimentalWarning on Node 24 in the server's terminal.
 */
const ALGORITHMS = [-8, -7, -257];

/** The library's refusals are plain Errors whose text names what failed; keep it short, no secrets. */
const reasonOf = (err: unknown): string =>
  (err instanceof Error ? err.message : 'unexpected answer').replace(/\s+/g, ' ').slice(0, 160);

export interface PasskeyHooks {
  /** Account state checks of any sign-in (confirmed, enabled). */
  assertMaySignIn(row: UserRow): void;
  issueTokens(user: IdentityUser, authTime: number): Promise<Tokens>;
  toUser(row: UserRow): IdentityUser;
}

export function createBuiltinPasskeys(ctx: Ctx, hooks: PasskeyHooks): Passkeys {
  const { db } = ctx;
  const q = {
    byUser: db.prepare<[string], PasskeyRow>(
      'SELECT * FROM passkeys WHERE user_id = ? ORDER BY created_at, id',
    ),
    byCredential: db.prepare<[string], PasskeyRow>('SELECT * FROM passkeys WHERE credential_id = ?'),
    one: db.prepare<[string, string], PasskeyRow>('SELECT * FROM passkeys WHERE id = ? AND user_id = ?'),
    insert: db.prepare(
      `INSERT INTO passkeys (id, user_id, credential_id, public_key, counter, transports, backed_up, name, created_at)
       VALUES (@id, @user_id, @credential_id, @public_key, @counter, @transports, @backed_up, @name, @created_at)`,
    ),
    // The counter only moves forward, even when two sign-ins with one passkey race.
    used: db.prepare(
      'UPDATE passkeys SET counter = MAX(counter, ?), backed_up = ?, last_used_at = ? WHERE id = ?',
    ),
    rename: db.prepare('UPDATE passkeys SET name = ? WHERE id = ? AND user_id = ?'),
    remove: db.prepare('DELETE FROM passkeys WHERE id = ? AND user_id = ?'),
    removeUnlessLast: db.prepare(
      'DELETE FROM passkeys WHERE id = ? AND user_id = ? AND (SELECT COUNT(*) FROM passkeys WHERE user_id = ?) > 1',
    ),
    putChallenge: db.prepare(
      `INSERT INTO webauthn_challenges (handle_hash, purpose, user_id, challenge, rp_id, origin, expires_at)
       VALUES (?, ?, ?, ?, ?, ?, ?)`,
    ),
    takeChallenge: db.prepare<[string], ChallengeRow>(
      'DELETE FROM webauthn_challenges WHERE handle_hash = ? RETURNING purpose, user_id, challenge, rp_id, origin, expires_at',
    ),
    purge: db.prepare('DELETE FROM webauthn_challenges WHERE expires_at <= ?'),
  };
  const iso = () => new Date(ctx.now()).toISOString();

  const saveChallenge = (
    purpose: ChallengeRow['purpose'],
    userId: string | null,
    challenge: string,
    rp: RelyingParty,
  ) => {
    const handle = opaqueToken();
    q.purge.run(ctx.nowSec());
    q.putChallenge.run(
      sha256(handle),
      purpose,
      userId,
      challenge,
      rp.id,
      rp.origin,
      ctx.nowSec() + CHALLENGE_TTL_SECONDS,
    );
    return handle;
  };

  /** Spends the challenge behind `handle`: it is gone afterwards whatever the answer. */
  const takeChallenge = (handle: string, purpose: ChallengeRow['purpose'], userId: string | null) => {
    const row = q.takeChallenge.get(sha256(handle));
    if (!row || row.purpose !== purpose || row.expires_at <= ctx.nowSec() || row.user_id !== userId)
      throw challengeGone();
    return row;
  };

  return {
    capabilities: { rename: true, signInNeedsEmail: false, keepsGivenName: true, reportsLastUse: true },
    offered: async () => true,
    async registrationOptions(userId, rp) {
      const user = ctx.q.userById.get(userId);
      if (!user) throw new AppError('NOT_FOUND', 'No such user.');
      const { generateRegistrationOptions } = await webauthn();
      const options = await generateRegistrationOptions({
        rpName: rp.name,
        rpID: rp.id,
        userName: user.email,
        userDisplayName: user.name ?? user.email,
        userID: new TextEncoder().encode(user.id),
        attestationType: 'none',
        excludeCredentials: q.byUser.all(userId).map((p) => ({
          id: p.credential_id,
          transports: JSON.parse(p.transports) as string[],
        })),
        authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
        timeout: CHALLENGE_TTL_SECONDS * 1000,
        supportedAlgorithmIDs: ALGORITHMS,
      });
      return { options, handle: saveChallenge('register', userId, options.challenge, rp) };
    },

    async register(userId, handle, response, name) {
      const { verifyRegistrationResponse } = await webauthn();
      const challenge = takeChallenge(handle, 'register', userId);
      let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
      try {
        verified = await verifyRegistrationResponse({
          response,
          expectedChallenge: challenge.challenge,
          expectedOrigin: challenge.origin,
          expectedRPID: challenge.rp_id,
          requireUserVerification: true,
          supportedAlgorithmIDs: ALGORITHMS,
        });
      } catch (err) {
        throw notVerified(reasonOf(err));
      }
      if (!verified.verified) throw notVerified('the authenticator did not vouch for it');
      const info = verified.registrationInfo;
      if (q.byCredential.get(info.credential.id)) {
        throw new AppError('CONFLICT', 'This passkey is already registered.');
      }
      const row: PasskeyRow = {
        id: randomUUID(),
        user_id: userId,
        credential_id: info.credential.id,
        public_key: Buffer.from(info.credential.publicKey),
        counter: info.credential.counter,
        transports: JSON.stringify(response.response.transports ?? []),
        backed_up: info.credentialBackedUp ? 1 : 0,
        name,
        created_at: iso(),
        last_used_at: null,
      };
      try {
        q.insert.run(row);
      } catch (err) {
        if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE')
          throw new AppError('CONFLICT', 'This passkey is already registered.');
        throw err;
      }
      return toPasskey(row);
    },

    async authenticationOptions(rp) {
      const { generateAuthenticationOptions } = await webauthn();
      const options = await generateAuthenticationOptions({
        rpID: rp.id,
        userVerification: 'required',
        timeout: CHALLENGE_TTL_SECONDS * 1000,
      });
      return { options, handle: saveChallenge('authenticate', null, options.challenge, rp) };
    },

    async authenticate(handle, response) {
      const { verifyAuthenticationResponse } = await webauthn();
      const challenge = takeChallenge(handle, 'authenticate', null);
      const stored = q.byCredential.get(response.id);
      if (!stored) throw unknownPasskey();
      // A discoverable credential names its user too; it must be the passkey's owner.
      if (response.response.userHandle !== undefined) {
        const owner = Buffer.from(response.response.userHandle, 'base64url').toString('utf8');
        if (owner !== stored.user_id) throw unknownPasskey();
      }
      let verified: Awaited<ReturnType<typeof verifyAuthenticationResponse>>;
      try {
        verified = await verifyAuthenticationResponse({
          response,
          expectedChallenge: challenge.challenge,
          expectedOrigin: challenge.origin,
          expectedRPID: challenge.rp_id,
          // The counter is judged below, so a regression is told apart from a bad signature.
          credential: { id: stored.credential_id, publicKey: new Uint8Array(stored.public_key), counter: 0 },
          requireUserVerification: true,
        });
      } catch (err) {
        throw notVerified(reasonOf(err));
      }
      if (!verified.verified) throw notVerified('the signature does not match');
      const { newCounter, credentialBackedUp } = verified.authenticationInfo;
      if ((newCounter > 0 || stored.counter > 0) && newCounter <= stored.counter)
        return { kind: 'counter-regressed', userId: stored.user_id, passkeyId: stored.id };
      const row = ctx.q.userById.get(stored.user_id);
      if (!row) throw unknownPasskey();
      hooks.assertMaySignIn(row);
      const usedAt = iso();
      q.used.run(newCounter, credentialBackedUp ? 1 : 0, usedAt, stored.id);
      const user = hooks.toUser(row);
      const tokens = await hooks.issueTokens(user, ctx.nowSec());
      return {
        kind: 'tokens',
        tokens,
        user,
        passkey: toPasskey({ ...stored, last_used_at: usedAt, backed_up: credentialBackedUp ? 1 : 0 }),
      };
    },

    async list(userId) {
      return q.byUser.all(userId).map(toPasskey);
    },

    async rename(userId, passkeyId, name) {
      if (q.rename.run(name, passkeyId, userId).changes !== 1)
        throw new AppError('NOT_FOUND', 'No such passkey.');
      return toPasskey(q.one.get(passkeyId, userId) as PasskeyRow);
    },

    async remove(userId, passkeyId, opts = {}) {
      const removed = opts.keepOne
        ? q.removeUnlessLast.run(passkeyId, userId, userId).changes
        : q.remove.run(passkeyId, userId).changes;
      if (removed === 1) return;
      if (opts.keepOne && q.one.get(passkeyId, userId)) throw lastWayIn();
      throw new AppError('NOT_FOUND', 'No such passkey.');
    },
  };
}
