/** GET /api/data: the protected demo resource, gated by plan. */
import { DEMO_ITEMS } from '../../domain/demo-data.ts';
import { planIncludes } from '../../domain/plans.ts';
import { entitlementsOf } from '../../services/entitlements.ts';
import { getProfile } from '../../services/users.service.ts';
import { DataAnswer } from '../schemas/users.ts';
import { type App, type RouteOptions, signedIn } from './route-kit.ts';

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
      const principal = request.principal as NonNullable<typeof request.principal>;
      const { plan } = await entitlementsOf(
        deps,
        request.profile ?? (await getProfile(deps, principal.userId)),
      );
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
