/**
 * GET /api/aws/credentials: temporary AWS credentials from the Cognito identity pool for the
 * signed-in user (Bearer or browser session). NOT_AVAILABLE_IN_MODE without an identity pool (the
 * built-in identity provider, or COGNITO_IDENTITY_POOL_ID unset). The answer carries credentials:
 * never cached, never logged.
 */
import { AppError } from '../../domain/errors.ts';
import { AwsCredentialsAnswer } from '../schemas/users.ts';
import { type App, type RouteOptions, signedIn } from './route-kit.ts';

export async function awsRoutes(app: App, { deps }: RouteOptions) {
  app.get(
    '/credentials',
    {
      preParsing: app.authenticate,
      schema: {
        security: signedIn,
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
      const principal = request.principal as NonNullable<typeof request.principal>;
      const c = await deps.awsCredentials.forUser(principal.userId);
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
}
