/**
 * GET /api/data: the protected demo resource, the signed-in user's data feed. Each item names the
 * plan it needs, so the route shows how a product on Gatehouse gates content: items above the
 * caller's plan are listed as locked, with their title but never their body. The words are for the
 * product's end users, as a real feed's would be.
 */
import type { Plan } from './plans.ts';

export interface DemoItem {
  readonly id: string;
  readonly title: string;
  readonly body: string;
  readonly requiredPlan: Plan;
}

export const DEMO_ITEMS: readonly DemoItem[] = [
  {
    id: 'getting-started',
    title: 'Welcome aboard',
    body: 'Your account is ready. Upload your first files, and turn on two-step sign-in to keep them safe.',
    requiredPlan: 'trial',
  },
  {
    id: 'weekly-report',
    title: 'Weekly usage report',
    body: 'Uploads this week: steady. Storage used: within your quota. Nothing needs your attention.',
    requiredPlan: 'trial',
  },
  {
    id: 'team-insights',
    title: 'Team insights',
    body: 'Shared dashboards for your team, and a monthly summary by email.',
    requiredPlan: 'basic',
  },
  {
    id: 'forecast',
    title: 'Premium forecast',
    body: 'A twelve-month forecast of your storage and activity, refreshed every night.',
    requiredPlan: 'premium',
  },
  {
    id: 'priority-support',
    title: 'Priority support line',
    body: 'A direct line to our team, answered within one business hour.',
    requiredPlan: 'premium',
  },
];
