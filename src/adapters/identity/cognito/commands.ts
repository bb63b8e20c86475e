/**
 * The user-pool requests the adapter sends, built in one place so that each carries its
 * SECRET_HASH for the right username. What it guarantees: with a client secret, SignUp,
 * ConfirmSignUp, ResendConfirmationCode, ForgotPassword and ConfirmForgotPassword carry `SecretHash`
 * over the email they name; InitiateAuth USER_PASSWORD_AUTH carries SECRET_HASH over the email;
 * REFRESH_TOKEN_AUTH and RespondToAuthChallenge carry it over the user's internal username (the sub,
 * see secret-hash.ts); USER_AUTH carries it over the email, its WEB_AUTHN answer over the username
 * the challenge named; RevokeToken carries the secret itself, as that API asks. Without a secret
 * none of these fields is present (an empty or undefined value would be refused).
 */
import {
  ConfirmForgotPasswordCommand,
  ConfirmSignUpCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  SignUpCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import type { SecretHasher } from './secret-hash.ts';

export interface CommandContext {
  readonly clientId: string;
  readonly clientSecret?: string;
  readonly hash: SecretHasher;
}

/** Adds SECRET_HASH to an auth-parameter map only when the client has a secret. */
function withHash(
  c: CommandContext,
  username: string,
  params: Record<string, string>,
): Record<string, string> {
  const h = c.hash(username);
  return h === undefined ? params : { ...params, SECRET_HASH: h };
}

const secretHashOf = (c: CommandContext, username: string) => {
  const h = c.hash(username);
  return h === undefined ? {} : { SecretHash: h };
};

export const signUp = (c: CommandContext, email: string, password: string, name?: string) =>
  new SignUpCommand({
    ClientId: c.clientId,
    Username: email,
    Password: password,
    UserAttributes: [{ Name: 'email', Value: email }, ...(name ? [{ Name: 'name', Value: name }] : [])],
    ...secretHashOf(c, email),
  });

export const confirmSignUp = (c: CommandContext, email: string, code: string) =>
  new ConfirmSignUpCommand({
    ClientId: c.clientId,
    Username: email,
    ConfirmationCode: code,
    ...secretHashOf(c, email),
  });

export const resendConfirmationCode = (c: CommandContext, email: string) =>
  new ResendConfirmationCodeCommand({ ClientId: c.clientId, Username: email, ...secretHashOf(c, email) });

export const forgotPassword = (c: CommandContext, email: string) =>
  new ForgotPasswordCommand({ ClientId: c.clientId, Username: email, ...secretHashOf(c, email) });

export const confirmForgotPassword = (c: CommandContext, email: string, code: string, password: string) =>
  new ConfirmForgotPasswordCommand({
    ClientId: c.clientId,
    Username: email,
    ConfirmationCode: code,
    Password: password,
    ...secretHashOf(c, email),
  });

export const passwordAuth = (c: CommandContext, email: string, password: string) =>
  new InitiateAuthCommand({
    ClientId: c.clientId,
    AuthFlow: 'USER_PASSWORD_AUTH',
    AuthParameters: withHash(c, email, { USERNAME: email, PASSWORD: password }),
  });

/** `username` is the user's sub; null only for a refresh token this adapter did not wrap. */
export const refreshAuth = (c: CommandContext, username: string | null, refreshToken: string) =>
  new InitiateAuthCommand({
    ClientId: c.clientId,
    AuthFlow: 'REFRESH_TOKEN_AUTH',
    AuthParameters:
      username === null
        ? { REFRESH_TOKEN: refreshToken }
        : withHash(c, username, { REFRESH_TOKEN: refreshToken }),
  });

export const answerTotpChallenge = (c: CommandContext, username: string, session: string, code: string) =>
  new RespondToAuthChallengeCommand({
    ClientId: c.clientId,
    ChallengeName: 'SOFTWARE_TOKEN_MFA',
    Session: session,
    ChallengeResponses: withHash(c, username, { USERNAME: username, SOFTWARE_TOKEN_MFA_CODE: code }),
  });

/** Choice-based sign-in asking for the passkey challenge first (Cognito's USER_AUTH flow). */
export const passkeyAuth = (c: CommandContext, email: string) =>
  new InitiateAuthCommand({
    ClientId: c.clientId,
    AuthFlow: 'USER_AUTH',
    AuthParameters: withHash(c, email, { USERNAME: email, PREFERRED_CHALLENGE: 'WEB_AUTHN' }),
  });

/** The browser's assertion (PublicKeyCredential JSON) as the WEB_AUTHN challenge's CREDENTIAL. */
export const answerWebAuthnChallenge = (
  c: CommandContext,
  username: string,
  session: string,
  credential: object,
) =>
  new RespondToAuthChallengeCommand({
    ClientId: c.clientId,
    ChallengeName: 'WEB_AUTHN',
    Session: session,
    ChallengeResponses: withHash(c, username, {
      USERNAME: username,
      CREDENTIAL: JSON.stringify(credential),
    }),
  });

export const revokeToken = (c: CommandContext, refreshToken: string) =>
  new RevokeTokenCommand({
    ClientId: c.clientId,
    Token: refreshToken,
    ...(c.clientSecret ? { ClientSecret: c.clientSecret } : {}),
  });
