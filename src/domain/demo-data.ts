/**
 * GET /api/data: the protected demo resource. Each item names the plan it needs, so the route shows
 * how a product on Gatehouse gates content: items above the caller's plan are listed as locked,
 * with their title (an upgrade prompt) but never their body.
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
    title: 'Getting started',
    body: 'Your account works: this item comes from a route that only signed-in users can read.',
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
    body: 'Basic and above: shared dashboards and a monthly summary by email.',
    requiredPlan: 'basic',
  },
  {
    id: 'forecast',
    title: 'Premium forecast',
    body: 'Premium only: a twelve-month forecast of storage and activity, refreshed nightly.',
    requiredPlan: 'premium',
  },
  {
    id: 'priority-support',
    title: 'Priority support line',
    body: 'Premium only: a direct line to the team, answered within one business hour.',
    requiredPlan: 'premium',
  },
];
