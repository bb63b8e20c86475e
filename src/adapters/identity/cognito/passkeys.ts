/**
 * Passkeys in Cognito mode, on the user pool's own WebAuthn support: StartWebAuthnRegistration and
 * CompleteWebAuthnRegistration to add one, ListWebAuthnCredentials and DeleteWebAuthnCredential
 * (all with the user's own access token: Cognito has no admin variant), and the USER_AUTH flow with
 * PREFERRED_CHALLENGE WEB_AUTHN, answered by RespondToAuthChallenge, to sign in. Cognito verifies
 * the credentials, keeps the public keys and counters and checks the origin against the pool's
 * relying party; this adapter keeps the rest of the promises of ports/passkeys.ts:
 * - Each ceremony is bound to the browser by a handle, single use and short lived
 *   (passkey-ceremonies.ts); a registration answers only for the user it was started for, and the
 *   USER_AUTH session string stays on the server.
 * - The page's RP ID must be the pool's relying party or a host under it, or the ceremony is refused
 *   before the browser is asked (it would refuse anyway, less clearly).
 * - Sign-in names the account (USER_AUTH needs a USERNAME), so there is no autofill; an address
 *   with no account, no passkey or an unconfirmed account gets options of the same shape (a made-up
 *   challenge and credential id) whose answer fails like a wrong passkey: the options tell nobody
 *   whether the address is registered. The number of credentials listed is the one difference.
 * - What Cognito cannot do is said, never faked: a passkey cannot be renamed (NOT_AVAILABLE_IN_MODE,
 *   capabilities.rename false), the name given is not kept (Cognito names a passkey after its
 *   authenticator), and Cognito reports neither last use nor backup state (null and false). A
 *   cloned credential is refused by Cognito like any bad assertion: it cannot be told apart, so it is
 *   INVALID_CREDENTIALS and never `counter-regressed`.
 */

import { randomBytes } from 'node:crypto';
import {
  type CognitoIdentityProviderClient,
  CompleteWebAuthnRegistrationCommand,
  DeleteWebAuthnCredentialCommand,
  type InitiateAuthCommandOutput,
  ListWebAuthnCredentialsCommand,
  type ListWebAuthnCredentialsCommandOutput,
  StartWebAuthnRegistrationCommand,
  type WebAuthnCredentialDescription,
} from '@aws-sdk/client-cognito-identity-provider';
import { AppError } from '../../../domain/errors.ts';
import type { CallerToken } from '../../../ports/identity.ts';
import {
  CHALLENGE_TTL_SECONDS,
  type Passkey,
  type Passkeys,
  type PublicKeyCredentialCreationOptionsJSON,
  type PublicKeyCredentialRequestOptionsJSON,
  type RelyingParty,
} from '../../../ports/passkeys.ts';
import * as cmd from './commands.ts';
import { type CognitoLog, errorName, notAvailable, type Operation, translate } from './errors.ts';
import { tokenOf } from './mfa.ts';
import { type Ceremonies, type CeremonyStore, createCeremonies } from './passkey-ceremonies.ts';
import { createPasskeysOffered } from './passkeys-offered.ts';
import { unwrapUser } from './secret-hash.ts';
import { getUser, tokensFrom } from './users.ts';

export interface CognitoPasskeysDeps {
  readonly client: CognitoIdentityProviderClient;
  readonly userPoolId: string;
  readonly commands: cmd.CommandContext;
  readonly ceremonies: CeremonyStore;
  readonly clock: () => number;
  readonly log?: CognitoLog;
}

/** Sign-in refusals that only tell the account's state: answered with decoy options instead. */
const NO_PASSKEY_CHALLENGE = new Set([
  'UserNotFoundException',
  'NotAuthorizedException',
  'UserNotConfirmedException',
  'PasswordResetRequiredException',
]);

const challengeGone = () =>
  new AppError(
    'PASSKEY_CHALLENGE_INVALID',
    'This passkey request has expired or was already used. Try again.',
  );
const wrongPasskey = () =>
  new AppError('INVALID_CREDENTIALS', 'This passkey could not sign you in to that account.');

const toPasskey = (c: WebAuthnCredentialDescription): Passkey => ({
  id: c.CredentialId ?? '',
  name: c.FriendlyCredentialName || 'Passkey',
  createdAt: (c.CreatedAt ?? new Date(0)).toISOString(),
  lastUsedAt: null,
  transports: c.AuthenticatorTransports ?? [],
  backedUp: false,
});

// The browser's PublicKeyCredential JSON goes to Cognito as it is; the SDK types it as any JSON.
const asDocument = (json: object) => json as unknown as Record<string, string>;

const COGNITO_CAPABILITIES = {
  rename: false,
  signInNeedsEmail: true,
  keepsGivenName: false,
  reportsLastUse: false,
} as const;

const randomId = () => randomBytes(32).toString('base64url');

/** Cognito's RP ID answers for the page when it is the page's host or a domain above it. */
const rpCovers = (cognitoRpId: string | undefined, rp: RelyingParty) =>
  typeof cognitoRpId === 'string' && (rp.id === cognitoRpId || rp.id.endsWith(`.${cognitoRpId}`));

const rpMismatch = (cognitoRpId: string | undefined) =>
  new AppError(
    'PASSKEY_VERIFICATION_FAILED',
    `Passkeys of this user pool are for ${cognitoRpId ?? 'another site'}: open the app at that domain to use them.`,
  );

export function createCognitoPasskeys(d: CognitoPasskeysDeps): Passkeys {
  const { client, log } = d;
  const ceremonies: Ceremonies = createCeremonies(d.ceremonies, d.clock);

  const call = async <T>(operation: Operation, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      throw translate(err, operation, log);
    }
  };

  const listWith = async (accessToken: string): Promise<Passkey[]> => {
    const found: WebAuthnCredentialDescription[] = [];
    let next: string | undefined;
    do {
      const out: ListWebAuthnCredentialsCommandOutput = await call('passkey', () =>
        client.send(
          new ListWebAuthnCredentialsCommand({
            AccessToken: accessToken,
            MaxResults: 20,
            ...(next ? { NextToken: next } : {}),
          }),
        ),
      );
      found.push(...(out.Credentials ?? []));
      next = out.NextToken;
    } while (next);
    return found.map(toPasskey).sort((a, b) => a.createdAt.localeCompare(b.createdAt));
  };

  /** The passkey just used or added, as Cognito lists it (or as far as the browser said, if not). */
  const passkeyOf = async (accessToken: string, credentialId: string): Promise<Passkey> =>
    (await listWith(accessToken)).find((p) => p.id === credentialId) ?? {
      id: credentialId,
      name: 'Passkey',
      createdAt: new Date(d.clock()).toISOString(),
      lastUsedAt: null,
      transports: [],
      backedUp: false,
    };

  /** Options that look like a real sign-in's and can never be answered. */
  const decoy = async (rp: RelyingParty) => ({
    options: requestOptions(rp.id, randomId(), [randomId()]),
    handle: await ceremonies.open({ purpose: 'decoy' }),
  });

  return {
    capabilities: COGNITO_CAPABILITIES,
    offered: createPasskeysOffered(d),

    async registrationOptions(userId: string, rp: RelyingParty, caller?: CallerToken) {
      const token = await tokenOf(userId, caller, 'Adding a passkey');
      const out = await call('passkey-register', () =>
        client.send(new StartWebAuthnRegistrationCommand({ AccessToken: token })),
      );
      const options = out.CredentialCreationOptions as PublicKeyCredentialCreationOptionsJSON | undefined;
      if (!options || typeof options.challenge !== 'string') {
        throw new AppError('INTERNAL', 'Cognito answered without passkey options.');
      }
      if (!rpCovers(options.rp?.id, rp)) throw rpMismatch(options.rp?.id);
      return { options, handle: await ceremonies.open({ purpose: 'register', userId }) };
    },

    async register(userId, handle, response, _name, caller) {
      const ceremony = await ceremonies.take(handle);
      if (ceremony?.purpose !== 'register' || ceremony.userId !== userId) throw challengeGone();
      const token = await tokenOf(userId, caller, 'Adding a passkey');
      await call('passkey-register', () =>
        client.send(
          new CompleteWebAuthnRegistrationCommand({ AccessToken: token, Credential: asDocument(response) }),
        ),
      );
      return passkeyOf(token, response.id);
    },

    async authenticationOptions(rp, email) {
      if (!email) {
        throw new AppError(
          'VALIDATION_FAILED',
          'Enter your email address first: a passkey sign-in with this identity provider names the account.',
        );
      }
      let out: InitiateAuthCommandOutput;
      try {
        out = await client.send(cmd.passkeyAuth(d.commands, email));
      } catch (err) {
        if (NO_PASSKEY_CHALLENGE.has(errorName(err))) return decoy(rp);
        throw translate(err, 'passkey-sign-in', log);
      }
      const params = out.ChallengeParameters ?? {};
      // No passkey (Cognito offers a password or a choice instead), or no account at all with
      // PreventUserExistenceErrors: the same answer either way.
      if (out.ChallengeName !== 'WEB_AUTHN' || !out.Session || !params.CREDENTIAL_REQUEST_OPTIONS) {
        return decoy(rp);
      }
      let offered: PublicKeyCredentialRequestOptionsJSON;
      try {
        offered = JSON.parse(params.CREDENTIAL_REQUEST_OPTIONS) as PublicKeyCredentialRequestOptionsJSON;
      } catch {
        throw new AppError('INTERNAL', 'Cognito answered with passkey options that are not JSON.');
      }
      if (!rpCovers(offered.rpId, rp)) throw rpMismatch(offered.rpId);
      // The username Cognito checks the answer's SECRET_HASH against (the sub, in an email pool).
      const username = params.USERNAME ?? params.USER_ID_FOR_SRP ?? email;
      const ids = (offered.allowCredentials ?? []).map((c) => c.id);
      return {
        options: requestOptions(offered.rpId ?? rp.id, offered.challenge, ids),
        handle: await ceremonies.open({ purpose: 'sign-in', username, session: out.Session }),
      };
    },

    async authenticate(handle, response) {
      const ceremony = await ceremonies.take(handle);
      if (ceremony?.purpose === 'decoy') throw wrongPasskey();
      if (ceremony?.purpose !== 'sign-in') throw challengeGone();
      const out = await call('passkey-sign-in', () =>
        client.send(cmd.answerWebAuthnChallenge(d.commands, ceremony.username, ceremony.session, response)),
      );
      // MFA after a verified passkey would be a pool set-up Gatehouse does not drive.
      if (out.ChallengeName) throw notAvailable(`The ${out.ChallengeName} sign-in challenge after a passkey`);
      const { tokens, sub, groups } = tokensFrom(out.AuthenticationResult);
      const user = await getUser(client, d.userPoolId, sub, log, groups);
      if (!user?.enabled) {
        await client
          .send(cmd.revokeToken(d.commands, unwrapUser(tokens.refreshToken).opaque))
          .catch(() => {});
        throw user ? new AppError('USER_DISABLED', 'This account has been disabled.') : wrongPasskey();
      }
      return { kind: 'tokens', tokens, user, passkey: await passkeyOf(tokens.accessToken, response.id) };
    },

    async list(userId, caller) {
      return listWith(await tokenOf(userId, caller, 'Listing passkeys'));
    },

    async rename() {
      throw notAvailable('Renaming a passkey (Cognito names it after the authenticator)');
    },

    async remove(userId, passkeyId, opts = {}) {
      const token = await tokenOf(userId, opts.caller, 'Removing a passkey');
      const mine = await listWith(token);
      if (!mine.some((p) => p.id === passkeyId)) throw new AppError('NOT_FOUND', 'No such passkey.');
      // A pool user always has a password, so the service never asks for keepOne here; if it does,
      // the check is not atomic with the removal (Cognito has no conditional delete).
      if (opts.keepOne && mine.length < 2) {
        throw new AppError('LAST_SIGN_IN_METHOD', 'This passkey is your only way to sign in.');
      }
      await call('passkey', () =>
        client.send(new DeleteWebAuthnCredentialCommand({ AccessToken: token, CredentialId: passkeyId })),
      );
    },
  };
}

/** Request options in one shape, whether Cognito made them or they are a decoy. */
function requestOptions(
  rpId: string,
  challenge: string,
  credentialIds: readonly string[],
): PublicKeyCredentialRequestOptionsJSON {
  return {
    challenge,
    rpId,
    allowCredentials: credentialIds.map((id) => ({ id, type: 'public-key' as const })),
    userVerification: 'required',
    timeout: CHALLENGE_TTL_SECONDS * 1000,
  };
}

const unavailable = async (): Promise<never> => {
  throw new AppError('NOT_AVAILABLE_IN_MODE', 'Passkeys are not set up for this Cognito user pool.');
};

/** The pool's passkeys when the adapter was given nowhere to keep ceremonies. */
export const passkeysUnavailable: Passkeys = {
  capabilities: COGNITO_CAPABILITIES,
  offered: async () => false,
  registrationOptions: unavailable,
  register: unavailable,
  authenticationOptions: unavailable,
  authenticate: unavailable,
  list: unavailable,
  rename: unavailable,
  remove: unavailable,
};
