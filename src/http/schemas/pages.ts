/**
 * The web app's pages (client routes) and their titles: the one list both sides read. The web app
 * takes its titles from it; the server answers index.html with 200 for these paths and with 404
 * for any other path outside the server's own (the app then shows its not-found page), so a
 * mistyped address is a real 404 to crawlers and monitors, not a soft one.
 */
export const APP_PAGES = {
  '/': 'Gatehouse',
  '/signin': 'Sign in',
  '/signup': 'Create an account',
  '/confirm': 'Confirm your email',
  '/forgot-password': 'Forgot password',
  '/reset-password': 'Choose a new password',
  '/mailbox': 'Dev mailbox',
  '/dashboard': 'Dashboard',
  '/account': 'Profile',
  '/security': 'Security',
  '/files': 'Files',
  '/billing': 'Billing',
  '/admin': 'Administration',
} as const satisfies Record<string, string>;

export type AppPage = keyof typeof APP_PAGES;

export const isAppPage = (path: string): path is AppPage => Object.hasOwn(APP_PAGES, path);
