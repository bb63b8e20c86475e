/**
 * AWS credentials from a Cognito identity pool through developer-authenticated identities: the
 * server, having verified the caller (Bearer token or browser session), vouches for the user id
 * with GetOpenIdTokenForDeveloperIdentity, then trades that OpenID token for the pool's
 * authenticated-role credentials with GetCredentialsForIdentity. No user-pool token has to reach
 * the browser for it, and cookie callers get credentials as easily as API clients.
 *
 * The server needs cognito-identity:GetOpenIdTokenForDeveloperIdentity on the pool (the Terraform
 * app module grants it); the pool must list `developerProvider` as its developer provider name.
 */
import {
  CognitoIdentityClient,
  GetCredentialsForIdentityCommand,
  GetOpenIdTokenForDeveloperIdentityCommand,
} from '@aws-sdk/client-cognito-identity';
import { AppError } from '../../../domain/errors.ts';
import type { AwsCredentials, AwsCredentialsBroker } from '../../../ports/aws-credentials.ts';
import { awsClientSettings, BUDGETS } from '../../shared/aws-client.ts';

export interface IdentityPoolCredentialsOptions {
  readonly region: string;
  readonly identityPoolId: string;
  /** The pool's developer provider name, e.g. "login.gatehouse". */
  readonly developerProvider: string;
  /** Seconds the OpenID token lives; the credentials live an hour at most, whatever this is. */
  readonly tokenDurationSeconds?: number;
  readonly endpoint?: string;
  readonly client?: CognitoIdentityClient;
  readonly log?: { warn(obj: object, msg: string): void };
}

const errorName = (err: unknown): string =>
  typeof err === 'object' && err !== null && 'name' in err
    ? String((err as { name: unknown }).name)
    : 'Error';

export function createIdentityPoolCredentials(opts: IdentityPoolCredentialsOptions): AwsCredentialsBroker & {
  close(): void;
} {
  const client =
    opts.client ??
    new CognitoIdentityClient({
      region: opts.region,
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      ...awsClientSettings(BUDGETS.cognito),
    });
  const unavailable = (err: unknown): AppError => {
    // The reason goes to the log (a misconfigured pool or role is an operator's problem); the caller
    // gets one stable answer.
    opts.log?.warn({ cognitoIdentityError: errorName(err) }, 'identity pool credentials failed');
    return new AppError('UNAVAILABLE', 'AWS credentials cannot be issued right now. Try again later.');
  };
  return {
    async forUser(userId: string): Promise<AwsCredentials> {
      let identityId: string | undefined;
      let token: string | undefined;
      try {
        const out = await client.send(
          new GetOpenIdTokenForDeveloperIdentityCommand({
            IdentityPoolId: opts.identityPoolId,
            Logins: { [opts.developerProvider]: userId },
            TokenDuration: opts.tokenDurationSeconds ?? 900,
          }),
        );
        identityId = out.IdentityId;
        token = out.Token;
      } catch (err) {
        throw unavailable(err);
      }
      if (!identityId || !token) throw unavailable(new Error('no identity or token'));
      try {
        const out = await client.send(
          new GetCredentialsForIdentityCommand({
            IdentityId: identityId,
            Logins: { 'cognito-identity.amazonaws.com': token },
          }),
        );
        const c = out.Credentials;
        if (!c?.AccessKeyId || !c.SecretKey || !c.SessionToken || !c.Expiration) {
          throw new Error('incomplete credentials');
        }
        return {
          identityId: out.IdentityId ?? identityId,
          accessKeyId: c.AccessKeyId,
          secretAccessKey: c.SecretKey,
          sessionToken: c.SessionToken,
          expiration: new Date(c.Expiration).toISOString(),
        };
      } catch (err) {
        throw unavailable(err);
      }
    },
    close: () => client.destroy(),
  };
}
