/** GET /api/data: the protected demo resource, gated by plan (services/data.ts). */
import { dataFor } from '../../services/data.ts';
import { DataAnswer } from '../schemas/users.ts';
import { callerUser, signedInRoutes } from '../signed-in.ts';
import type { App, RouteOptions } from './route-kit.ts';

export async function dataRoutes(app: App, { deps }: RouteOptions) {
  await signedInRoutes(app, (scope) => {
    scope.get(
      '',
      {
        schema: {
          tags: ['Data'],
          summary: 'The demo resource: items above your plan are listed as locked, without their body',
          response: { 200: DataAnswer },
        },
      },
      // The plan comes from the guard's read of the user's record: no read of its own.
      async (request) => {
        const { plan, items } = dataFor(deps, callerUser(request));
        return {
          plan,
          data: items.map((item) => ({
            id: item.id,
            title: item.title,
            required_plan: item.requiredPlan,
            locked: item.body === undefined,
            ...(item.body === undefined ? {} : { body: item.body }),
          })),
        };
      },
    );
  });
}
