/** /api/users/me/identities: the signed-in user's linked social accounts (the security page). */

import { Type } from 'typebox';
import type { RequestMeta } from '../../services/deps.ts';
import { listIdentities, unlinkIdentity } from '../../services/linking.ts';
import { meta } from '../plugins/auth.ts';
import { IdentitiesAnswer, ProviderParams } from '../schemas/oauth.ts';
import { callerId, signedInRoutes } from '../signed-in.ts';
import { identityOut, providerNames } from './outputs.ts';
import type { App, RouteOptions } from './route-kit.ts';

export async function identitiesRoutes(app: App, { deps }: RouteOptions) {
  const tags = ['Social sign-in'];

  await signedInRoutes(app, (scope) => {
    scope.get(
      '/',
      {
        schema: {
          tags,
          summary: 'The social accounts linked to the signed-in user, and whether a password is set',
          response: { 200: IdentitiesAnswer },
        },
      },
      async (request) => {
        const { identities, hasPassword, passkeys } = await listIdentities(deps, callerId(request));
        const known = providerNames(deps);
        return {
          identities: identities.map((l) => identityOut(l, known)),
          password_set: hasPassword,
          passkeys,
        };
      },
    );

    scope.delete(
      '/:provider',
      {
        schema: {
          tags,
          summary:
            'Remove a linked social account (409 LAST_SIGN_IN_METHOD if it is the only way to sign in)',
          params: ProviderParams,
          response: { 204: Type.Null() },
        },
      },
      async (request, reply) => {
        const m: RequestMeta = meta(request);
        await unlinkIdentity(deps, callerId(request), request.params.provider, m);
        return reply.status(204).send(null);
      },
    );
  });
}
