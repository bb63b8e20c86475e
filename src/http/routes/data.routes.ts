/** GET /api/data: the protected demo resource, gated by plan. */
import { DEMO_ITEMS } from '../../domain/demo-data.ts';
import { planIncludes } from '../../domain/plans.ts';
import { entitlementsOf } from '../../services/entitlements.ts';
import { DataAnswer } from '../schemas/users.ts';
import { type App, type RouteOptions, signedIn, signedInUser } from './route-kit.ts';

export async function dataRoutes(app: App, { deps }: RouteOptions) {
  app.get(
    '',
    {
      preParsing: app.authenticate,
      schema: {
        security: signedIn,
        tags: ['Data'],
        summary: 'The demo resource: items above your plan are listed as locked, without their body',
        response: { 200: DataAnswer },
      },
    },
    async (request) => {
      const { plan } = entitlementsOf(deps, signedInUser(request));
      return {
        plan,
        data: DEMO_ITEMS.map((item) => {
          const open = planIncludes(plan, item.requiredPlan);
          return {
            id: item.id,
            title: item.title,
            required_plan: item.requiredPlan,
            locked: !open,
            ...(open ? { body: item.body } : {}),
          };
        }),
      };
    },
  );
}
