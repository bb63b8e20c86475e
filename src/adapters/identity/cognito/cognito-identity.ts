/**
 * The identity port on an Amazon Cognito user pool whose sign-in name is the email (username
 * attributes = email, so each user's Cognito username is its sub). It keeps the port's promises
 * (ports/identity.ts) with Cognito doing the keeping where it can: passwords, codes, lockout,
 * challenge sessions and TOTP replay are Cognito's; this adapter adds what Cognito lacks. Sign-up
 * of a taken email reports `exists` and sends nothing; the "send a code" operations answer the same
 * for every email; sign-in failures are enumeration-safe (errors.ts); a password reset, a disable
 * and a sign-out everywhere end every refresh token of the user (AdminUserGlobalSignOut, which
 * Cognito's ConfirmForgotPassword does not do by itself). Operations Cognito has no equivalent for
 * raise NOT_AVAILABLE_IN_MODE, never a silent success (social sign-in is the Hosted UI's, through
 * the federation port, so the port's federated operations are among them). The admin operations,
 * linking social identities among them, are admin.ts's. Refresh tokens are handed out wrapped with
 * the user's sub (secret-hash.ts explains why); Cognito rotates them only when the app client has
 * rotation on, otherwise the same one is handed back.
 */
import {
  AdminSetUserPasswordCommand,
  CognitoIdentityProviderClient,
  DescribeUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { AppError } from '../../../domain/errors.ts';
import type { AuthResult, IdentityProvider } from '../../../ports/identity.ts';
import type { Passkeys } from '../../../ports/passkeys.ts';
import { awsClientSettings, BUDGETS } from '../../shared/aws-client.ts';
import { createAdminOps } from './admin.ts';
import * as cmd from './commands.ts';
import { createEmailChange } from './email-change.ts';
import {
  type CognitoLog,
  errorName,
  isAccountStateError,
  notAvailable,
  type Operation,
  translate,
} from './errors.ts';
import { createPoolKeys } from './jwks.ts';
import * as mfa from './mfa.ts';
import type { CeremonyStore } from './passkey-ceremonies.ts';
import { createCognitoPasskeys, passkeysUnavailable } from './passkeys.ts';
import { secretHasher, unwrapUser, wrapWithUser } from './secret-hash.ts';
import { signUpReplacing } from './sign-up.ts';
import { getUser, signInUserOf, tokensFrom } from './users.ts';

export interface CognitoIdentityOptions {
  readonly region: string;
  readonly userPoolId: string;
  readonly clientId: string;
  /** The app client's secret, when it has one: every call that needs it gets its SECRET_HASH. */
  readonly clientSecret?: string;
  /** The Cognito API endpoint; only for a local stand-in such as cognito-local. */
  readonly endpoint?: string;
  /** `iss` of the pool's tokens. Default: https://cognito-idp.<region>.amazonaws.com/<poolId>. */
  readonly issuer?: string;
  /** Default: `<issuer>/.well-known/jwks.json`. */
  readonly jwksUri?: string;
  /** What fetches the JWKS (default: the global fetch); tests count the requests with it. */
  readonly fetch?: typeof fetch;
  readonly log?: CognitoLog;
  /** Milliseconds since the epoch; decides when a passkey ceremony expires. */
  readonly clock?: () => number;
  /**
   * Where passkey ceremonies wait between their two requests (the store's short-lived flows).
   * Without it the pool's passkeys are not offered: every passkey operation is NOT_AVAILABLE_IN_MODE.
   */
  readonly passkeyCeremonies?: CeremonyStore;
}

export interface CognitoIdentity extends IdentityProvider {
  /** The pool's passkeys (Cognito's WebAuthn API), working on the same users. */
  readonly passkeys: Passkeys;
}

export function createCognitoIdentity(opts: CognitoIdentityOptions): CognitoIdentity {
  const { userPoolId, log } = opts;
  const client = new CognitoIdentityProviderClient({
    region: opts.region,
    ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
    // TooManyRequests, LimitExceeded, 5xx and hung calls: bounded retries (shared/aws-client.ts).
    ...awsClientSettings(BUDGETS.cognito),
  });
  const issuer = opts.issuer ?? `https://cognito-idp.${opts.region}.amazonaws.com/${userPoolId}`;
  const keys = createPoolKeys({
    uri: opts.jwksUri ?? `${issuer}/.well-known/jwks.json`,
    ...(opts.fetch ? { fetch: opts.fetch } : {}),
    ...(log ? { log } : {}),
  });
  const commands: cmd.CommandContext = {
    clientId: opts.clientId,
    hash: secretHasher(opts.clientId, opts.clientSecret),
    ...(opts.clientSecret ? { clientSecret: opts.clientSecret } : {}),
  };
  const mfaDeps: mfa.MfaDeps = {
    client,
    userPoolId,
    commands,
    ...(log ? { log } : {}),
  };

  /** One Cognito call, its failure translated for `operation`. */
  const call = async <T>(operation: Operation, run: () => Promise<T>): Promise<T> => {
    try {
      return await run();
    } catch (err) {
      throw translate(err, operation, log);
    }
  };
  /** A "send a code" call: account-state failures are swallowed so every email gets one answer. */
  const quietly = async (what: string, run: () => Promise<unknown>): Promise<void> => {
    try {
      await run();
    } catch (err) {
      if (!isAccountStateError(err)) throw translate(err, 'code', log);
      log?.info({ operation: what, cognitoError: errorName(err) }, 'cognito code not sent');
    }
  };
  const user = (username: string) => getUser(client, userPoolId, username, log);
  const mustGet = async (userId: string) => {
    const found = await user(userId);
    if (!found) throw new AppError('NOT_FOUND', 'No such user.');
    return found;
  };
  /** A used-up or wrong code reported by a second or later attempt of the same call. */
  const retriedCodeError = (err: unknown) =>
    ['ExpiredCodeException', 'CodeMismatchException', 'NotAuthorizedException'].includes(errorName(err)) &&
    ((err as { $metadata?: { attempts?: number } }).$metadata?.attempts ?? 1) > 1;
  const admin = createAdminOps({ client, userPoolId, ...(log ? { log } : {}) });
  const signUpDeps = { client, userPoolId, commands, ...(log ? { log } : {}) };
  const revoke = async (cognitoRefreshToken: string) => {
    try {
      await client.send(cmd.revokeToken(commands, cognitoRefreshToken));
    } catch (err) {
      // An unknown or already revoked token is revoked enough.
      const name = errorName(err);
      if (name !== 'NotAuthorizedException' && name !== 'UnsupportedTokenTypeException') {
        throw translate(err, 'refresh', log);
      }
    }
  };

  const signIn = async (email: string, password: string): Promise<AuthResult> => {
    const out = await call('sign-in', () => client.send(cmd.passwordAuth(commands, email, password)));
    if (out.ChallengeName === 'SOFTWARE_TOKEN_MFA' && out.Session) {
      const username = out.ChallengeParameters?.USER_ID_FOR_SRP ?? email;
      return {
        kind: 'challenge',
        challenge: 'SOFTWARE_TOKEN_MFA',
        session: wrapWithUser(username, out.Session),
      };
    }
    if (out.ChallengeName) throw notAvailable(`The ${out.ChallengeName} sign-in challenge`);
    // Cognito refuses a disabled user itself; the service checks the stored profile for stand-ins
    // that do not (ports/identity.ts).
    return { kind: 'tokens', ...signInUserOf(out.AuthenticationResult, false) };
  };

  const emailChange = createEmailChange({
    client,
    userPoolId,
    ...(log ? { log } : {}),
    signIn,
    revoke: (refreshToken) => revoke(unwrapUser(refreshToken).opaque),
  });

  return {
    mode: 'cognito',
    issuer,
    clientId: opts.clientId,
    getJwks: () => keys.jwks(),
    verificationKey: keys.verificationKey,

    signUp: (input) => signUpReplacing(signUpDeps, input),
    async confirmSignUp(email, code) {
      try {
        await client.send(cmd.confirmSignUp(commands, email, code));
      } catch (err) {
        // The SDK sent the confirmation again after an attempt whose answer never came (Cognito
        // slower than the attempt's deadline): that attempt may have confirmed the user, and then
        // this one finds the code used up. Only after a retry, and only if the account is now
        // confirmed, was the code good; otherwise the error stands.
        const found = retriedCodeError(err) ? await user(email) : null;
        if (found?.status === 'CONFIRMED') return found;
        throw translate(err, 'code', log);
      }
      return mustGet(email);
    },
    resendConfirmationCode: (email) =>
      quietly('resend', () => client.send(cmd.resendConfirmationCode(commands, email))),

    initiateAuth: signIn,
    async createFederatedUser() {
      // The Hosted UI creates a pool user for each social identity on its first sign-in.
      throw notAvailable('Creating a social sign-in user outside the Hosted UI');
    },
    async federatedSignIn() {
      throw notAvailable('Social sign-in outside the Hosted UI');
    },
    respondToMfaChallenge: (session, answer) => mfa.answerChallenge(mfaDeps, session, answer),
    async refresh(refreshToken) {
      const { username, opaque } = unwrapUser(refreshToken);
      // Without the sub there is no SECRET_HASH Cognito would accept: fail here, as it would.
      if (username === null && opts.clientSecret) {
        throw new AppError('INVALID_TOKEN', 'The token is invalid, expired or revoked. Sign in again.');
      }
      const out = await call('refresh', () => client.send(cmd.refreshAuth(commands, username, opaque)));
      return tokensFrom(out.AuthenticationResult, opaque).tokens;
    },
    revokeRefreshToken: (refreshToken) => revoke(unwrapUser(refreshToken).opaque),

    forgotPassword: (email) => quietly('forgot', () => client.send(cmd.forgotPassword(commands, email))),
    async confirmForgotPassword(email, code, newPassword) {
      await call('code', () => client.send(cmd.confirmForgotPassword(commands, email, code, newPassword)));
      const found = await mustGet(email);
      await admin.globalSignOut(found.userId);
      return found;
    },
    async changePassword(userId, currentPassword, newPassword) {
      const found = await mustGet(userId);
      // Cognito's ChangePassword needs the user's access token, which the port does not carry; a
      // sign-in proves the current password instead (and counts toward Cognito's lockout).
      const proof = await signIn(found.email, currentPassword).catch((err: unknown) => {
        if (err instanceof AppError && err.code === 'INVALID_CREDENTIALS') {
          throw new AppError('INVALID_CREDENTIALS', 'The current password is not correct.');
        }
        throw err;
      });
      await call('new-password', () =>
        client.send(
          new AdminSetUserPasswordCommand({
            UserPoolId: userPoolId,
            Username: userId,
            Password: newPassword,
            Permanent: true,
          }),
        ),
      );
      // The sign-in that served as proof must not leave a live refresh token behind.
      if (proof.kind === 'tokens') await revoke(unwrapUser(proof.tokens.refreshToken).opaque);
    },

    verifyPassword: (userId, password) => emailChange.verifyPassword(userId, password),
    startEmailChange: (userId, newEmail, caller) => emailChange.startEmailChange(userId, newEmail, caller),
    confirmEmailChange: (userId, code, caller) => emailChange.confirmEmailChange(userId, code, caller),

    associateSoftwareToken: (userId, caller) => mfa.associate(mfaDeps, userId, caller),
    verifySoftwareToken: (userId, code, caller) => mfa.verify(mfaDeps, userId, code, caller),
    async disableSoftwareToken() {
      // Cognito cannot check a TOTP code outside sign-in, and turning MFA off without one would
      // break SECURITY.md item 20.
      throw notAvailable('Turning two-step verification off with a code');
    },
    async regenerateRecoveryCodes() {
      throw notAvailable('Recovery codes');
    },

    passkeys: opts.passkeyCeremonies
      ? createCognitoPasskeys({
          client,
          userPoolId,
          commands,
          ceremonies: opts.passkeyCeremonies,
          clock: opts.clock ?? Date.now,
          ...(log ? { log } : {}),
        })
      : passkeysUnavailable,

    adminGetUser: (userId) => user(userId),
    adminGetUserByEmail: (email) => user(email),
    ...admin,

    async ping() {
      await call('ping', () => client.send(new DescribeUserPoolCommand({ UserPoolId: userPoolId })));
    },
    async close() {
      client.destroy();
    },
  };
}
