/**
 * GET /api/aws/credentials: temporary AWS credentials from the Cognito identity pool for the
 * signed-in user (Bearer or browser session). NOT_AVAILABLE_IN_MODE without an identity pool (the
 * built-in identity provider, or COGNITO_IDENTITY_POOL_ID unset). The answer carries credentials:
 * never cached, never logged.
 */
import { AppError } from '../../domain/errors.ts';
import { AwsCredentialsAnswer } from '../schemas/users.ts';
import { callerId, signedInRoutes } from '../signed-in.ts';
import type { App, RouteOptions } from './route-kit.ts';

export async function awsRoutes(app: App, { deps }: RouteOptions) {
  await signedInRoutes(app, (scope) => {
    scope.get(
      '/credentials',
      {
        schema: {
          tags: ['Users'],
          summary: 'Temporary AWS credentials for the caller, from the Cognito identity pool (AWS mode)',
          response: { 200: AwsCredentialsAnswer },
        },
      },
      async (request, reply) => {
        if (!deps.awsCredentials) {
          throw new AppError(
            'NOT_AVAILABLE_IN_MODE',
            'AWS credentials need IDENTITY_PROVIDER=cognito and a Cognito identity pool (COGNITO_IDENTITY_POOL_ID).',
          );
        }
        const c = await deps.awsCredentials.forUser(callerId(request));
        reply.header('cache-control', 'no-store');
        return {
          identity_id: c.identityId,
          access_key_id: c.accessKeyId,
          secret_access_key: c.secretAccessKey,
          session_token: c.sessionToken,
          expiration: c.expiration,
        };
      },
    );
  });
}
