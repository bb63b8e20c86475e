/**
 * Where the Cognito passkey adapter keeps a ceremony between its two requests, so that the
 * guarantees of ports/passkeys.ts hold as they do for the built-in provider. What it guarantees:
 * - A ceremony is named by a random 256-bit handle (the caller keeps it in the browser's HttpOnly
 *   gh_webauthn cookie); the store keeps only the handle's SHA-256, so a copy of the store names no
 *   live handle.
 * - It is taken once: the store's single-use take (a DELETE ... RETURNING in SQLite, a conditional
 *   delete in DynamoDB) means two answers to one ceremony cannot both pass, on any instance.
 * - It lives CHALLENGE_TTL_SECONDS; taken later, it is gone.
 * - A sign-in ceremony holds the USER_AUTH session string, which is Cognito's own challenge state:
 *   it never reaches the browser. It is not sealed: without the user's authenticator it answers
 *   nothing, and it dies with the ceremony (Cognito's sessions live at most a few minutes).
 *
 * The records are the store's short-lived social sign-in flows (ports/store.ts OAuthFlowRecord),
 * marked with a provider name of their own: a social sign-in callback that took one would find a
 * provider it did not start and refuse it, and a passkey ceremony refuses any other record.
 */
import { createHash, randomBytes } from 'node:crypto';
import { CHALLENGE_TTL_SECONDS } from '../../../ports/passkeys.ts';
import type { OAuthFlowRecord } from '../../../ports/store.ts';

/** The slice of the store the ceremonies need (Store['oauthFlows']). */
export interface CeremonyStore {
  create(flow: OAuthFlowRecord): Promise<void>;
  take(idHash: string, now: number): Promise<OAuthFlowRecord | null>;
}

export type Ceremony =
  /** Cognito keeps the registration challenge itself; this binds it to the browser and the user. */
  | { readonly purpose: 'register'; readonly userId: string }
  /** A USER_AUTH WEB_AUTHN challenge: the username Cognito named and its session string. */
  | { readonly purpose: 'sign-in'; readonly username: string; readonly session: string }
  /** Options made up for an address Cognito offered no passkey challenge for (see passkeys.ts). */
  | { readonly purpose: 'decoy' };

export const CEREMONY_PROVIDER = 'cognito-passkey';

const hashOf = (handle: string) => createHash('sha256').update(handle, 'utf8').digest('hex');

export interface Ceremonies {
  /** Stores the ceremony and returns its handle. */
  open(ceremony: Ceremony): Promise<string>;
  /** The ceremony behind `handle`, removed as it is read; null when missing, used or expired. */
  take(handle: string): Promise<Ceremony | null>;
}

export function createCeremonies(store: CeremonyStore, clock: () => number): Ceremonies {
  return {
    async open(ceremony) {
      const handle = randomBytes(32).toString('base64url');
      const now = clock();
      await store.create({
        idHash: hashOf(handle),
        provider: CEREMONY_PROVIDER,
        state: ceremony.purpose,
        nonce: ceremony.purpose === 'sign-in' ? ceremony.username : '',
        codeVerifier: ceremony.purpose === 'sign-in' ? ceremony.session : '',
        returnTo: '/',
        linkUserId: ceremony.purpose === 'register' ? ceremony.userId : null,
        createdAt: now,
        expiresAt: now + CHALLENGE_TTL_SECONDS * 1000,
      });
      return handle;
    },
    async take(handle) {
      const flow = await store.take(hashOf(handle), clock());
      if (!flow || flow.provider !== CEREMONY_PROVIDER) return null;
      switch (flow.state) {
        case 'register':
          return flow.linkUserId ? { purpose: 'register', userId: flow.linkUserId } : null;
        case 'sign-in':
          return flow.nonce && flow.codeVerifier
            ? { purpose: 'sign-in', username: flow.nonce, session: flow.codeVerifier }
            : null;
        case 'decoy':
          return { purpose: 'decoy' };
        default:
          return null;
      }
    },
  };
}
