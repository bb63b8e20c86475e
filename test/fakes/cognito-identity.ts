/**
 * A fake Cognito identity-pool API (AWSCognitoIdentityService, JSON 1.1 over real HTTP) for the two
 * operations of developer-authenticated identities, so the SDK's own encoding, signing and error
 * parsing are exercised:
 * - GetOpenIdTokenForDeveloperIdentity: needs a signed request, the configured pool and developer
 *   provider; the same login always maps to the same identity id, and the answer is a fresh token;
 * - GetCredentialsForIdentity: only with a token this fake issued for that very identity.
 * Errors have Cognito's shapes ({"__type": "...", "message": "..."}, status 400). Every request is
 * recorded; tests can make the next answers fail (aws-json-server.ts).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { type AwsJsonAnswer, type AwsJsonRequest, isSigned, startAwsJsonServer } from './aws-json-server.ts';

export type RecordedIdentityRequest = AwsJsonRequest;

export async function startFakeCognitoIdentity(opts: {
  region: string;
  identityPoolId: string;
  developerProvider: string;
}) {
  const identities = new Map<string, string>(); // developer login -> identity id
  const tokens = new Map<string, string>(); // token -> identity id

  const handle = (
    { operation, body, headers }: AwsJsonRequest,
    fail: (type: string, message: string) => AwsJsonAnswer,
  ): AwsJsonAnswer => {
    if (operation === 'GetOpenIdTokenForDeveloperIdentity') {
      if (!isSigned(headers)) {
        return fail('NotAuthorizedException', 'Missing authentication token.');
      }
      if (body.IdentityPoolId !== opts.identityPoolId) {
        return fail('ResourceNotFoundException', `IdentityPool '${String(body.IdentityPoolId)}' not found.`);
      }
      const logins = (body.Logins ?? {}) as Record<string, unknown>;
      const names = Object.keys(logins);
      const login = logins[opts.developerProvider];
      if (names.length !== 1 || typeof login !== 'string' || login.length === 0) {
        return fail('NotAuthorizedException', 'Invalid login token. Developer provider name mismatch.');
      }
      let identityId = identities.get(login);
      if (!identityId) {
        identityId = `${opts.region}:${randomUUID()}`;
        identities.set(login, identityId);
      }
      const token = `fake-openid.${randomBytes(24).toString('base64url')}`;
      tokens.set(token, identityId);
      return { status: 200, body: { IdentityId: identityId, Token: token } };
    }
    if (operation === 'GetCredentialsForIdentity') {
      const token = ((body.Logins ?? {}) as Record<string, unknown>)['cognito-identity.amazonaws.com'];
      if (typeof token !== 'string' || tokens.get(token) !== body.IdentityId) {
        return fail('NotAuthorizedException', 'Invalid login token.');
      }
      return {
        status: 200,
        body: {
          IdentityId: body.IdentityId,
          Credentials: {
            AccessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
            SecretKey: randomBytes(30).toString('base64'),
            SessionToken: randomBytes(64).toString('base64'),
            Expiration: Math.floor(Date.now() / 1000) + 3600,
          },
        },
      };
    }
    return fail('UnknownOperationException', `Unknown operation ${operation}`);
  };

  return startAwsJsonServer({
    targetPrefix: 'AWSCognitoIdentityService',
    messageKey: 'message',
    answer: handle,
  });
}
