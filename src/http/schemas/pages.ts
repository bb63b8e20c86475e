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
  '/admin': 'Users · Administration',
  '/admin/audit': 'Audit trail · Administration',
} as const satisfies Record<string, string>;

export type AppPage = keyof typeof APP_PAGES;

export const isAppPage = (path: string): path is AppPage => Object.hasOwn(APP_PAGES, path);

/** Pages whose address carries an id: the path pattern and the page's title. */
export const ADMIN_USER_PAGE = /^\/admin\/users\/[A-Za-z0-9_-]{1,128}$/;
export const ADMIN_USER_TITLE = 'User · Administration';

/** Whether the web app has a page at this path (the server answers 200 for it, else 404). */
export const isAppPath = (path: string): boolean => isAppPage(path) || ADMIN_USER_PAGE.test(path);
