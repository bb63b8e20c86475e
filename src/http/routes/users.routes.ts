/** /api/users/me: the signed-in user, for Bearer and cookie callers alike. */
import { getProfile, toMe } from '../../services/users.service.ts';
import { User } from '../schemas/auth.ts';
import { type App, type RouteOptions, signedIn } from './route-kit.ts';

export async function usersRoutes(app: App, { deps }: RouteOptions) {
  app.get(
    '/me',
    {
      preParsing: app.authenticate,
      schema: {
        security: signedIn,
        tags: ['Users'],
        summary: 'The signed-in user: identity and profile',
        response: { 200: User },
      },
    },
    async (request) => {
      const principal = request.principal as NonNullable<typeof request.principal>;
      return toMe(request.profile ?? (await getProfile(deps, principal.userId)));
    },
  );
}
