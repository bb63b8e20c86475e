/**
 * The shell: header with navigation and the user's menu, the routes, and the sign-in round trip
 * (a 401 anywhere sends the user to sign-in and back to the same-origin path they were on).
 * Pages other than the landing and sign-in are split into chunks of their own, loaded on demand.
 */
import { lazy, type ReactNode, Suspense, useEffect, useRef } from 'react';
import {
  ADMIN_USER_PAGE,
  ADMIN_USER_TITLE,
  APP_PAGES,
  type AppPage,
  isAppPage,
} from '../../src/http/schemas/pages.ts';
import { setUnauthenticatedHandler } from './api.ts';
import { AuthProvider, useAuth } from './auth.tsx';
import { loadClientConfig, useClientConfig } from './config.ts';
import { Header } from './header.tsx';
import { Landing } from './pages/landing.tsx';
import { SignIn } from './pages/signin.tsx';
import { Link, Router, useRouter } from './router.tsx';
import { Loading } from './ui.tsx';

const SignUp = lazy(() => import('./pages/signup.tsx'));
const Confirm = lazy(() => import('./pages/confirm.tsx'));
const Forgot = lazy(() => import('./pages/forgot.tsx'));
const Reset = lazy(() => import('./pages/reset.tsx'));
const Mailbox = lazy(() => import('./pages/mailbox.tsx'));
const Dashboard = lazy(() => import('./pages/dashboard.tsx'));
const Profile = lazy(() => import('./pages/profile.tsx'));
const Security = lazy(() => import('./pages/security.tsx'));
const FilesPage = lazy(() => import('./pages/files.tsx'));
const Billing = lazy(() => import('./pages/billing.tsx'));
const Admin = lazy(() => import('./pages/admin.tsx'));
const NotFound = lazy(() => import('./pages/not-found.tsx'));

type PrivatePage =
  | '/dashboard'
  | '/account'
  | '/security'
  | '/files'
  | '/billing'
  | '/admin'
  | '/admin/audit';
// Every page of APP_PAGES is in exactly one of these two tables (the types check it).
const PUBLIC: Record<Exclude<AppPage, PrivatePage>, () => ReactNode> = {
  '/': () => <Landing />,
  '/signin': () => <SignIn />,
  '/signup': () => <SignUp />,
  '/confirm': () => <Confirm />,
  '/forgot-password': () => <Forgot />,
  '/reset-password': () => <Reset />,
  '/mailbox': () => <Mailbox />,
};
const PRIVATE: Record<PrivatePage, () => ReactNode> = {
  '/dashboard': () => <Dashboard />,
  '/account': () => <Profile />,
  '/security': () => <Security />,
  '/files': () => <FilesPage />,
  '/billing': () => <Billing />,
  '/admin': () => <Admin />,
  '/admin/audit': () => <Admin />,
};

function Routes() {
  const { location, navigate } = useRouter();
  const { user, setUser } = useAuth();
  const path = location.path;

  const firstPath = useRef(path);
  useEffect(() => {
    const title = isAppPage(path) ? APP_PAGES[path] : ADMIN_USER_PAGE.test(path) ? ADMIN_USER_TITLE : null;
    document.title = title && path !== '/' ? `${title} · Gatehouse` : 'Gatehouse';
    // After an in-app navigation (not the first load, where the skip link comes first), move focus
    // to the new page's heading, as a full page load would, for screen readers and keyboards.
    if (firstPath.current === path) return;
    firstPath.current = '';
    const heading = document.querySelector('main h1') as HTMLElement | null;
    heading?.focus({ preventScroll: true });
  }, [path]);

  useEffect(() => {
    // A 401 from any call: the session ended (signed out elsewhere, disabled, expired).
    setUnauthenticatedHandler(() => {
      setUser(null);
      const here = `${window.location.pathname}${window.location.search}`;
      if (!here.startsWith('/signin'))
        navigate(`/signin?return_to=${encodeURIComponent(here)}&expired=1`, true);
    });
  }, [navigate, setUser]);

  const page = isAppPage(path) ? path : undefined;
  // A user's page on the admin console carries their id in its address.
  const privatePage =
    page && page in PRIVATE
      ? PRIVATE[page as PrivatePage]
      : ADMIN_USER_PAGE.test(path)
        ? PRIVATE['/admin']
        : undefined;
  if (privatePage) {
    if (user === undefined) return <Loading />;
    if (user === null) {
      queueMicrotask(() =>
        navigate(
          `/signin?return_to=${encodeURIComponent(path + location.query.toString().replace(/^(.)/, '?$1'))}`,
          true,
        ),
      );
      return <Loading label="Redirecting to sign-in…" />;
    }
    return privatePage();
  }
  return (page && page in PUBLIC ? PUBLIC[page as Exclude<AppPage, PrivatePage>] : () => <NotFound />)();
}

/** The API's docs, and on a development machine (the outbox is the mail adapter) its mailbox. */
function Footer() {
  const config = useClientConfig();
  return (
    <footer className="site-footer">
      <p>
        Gatehouse · <a href="/docs">API documentation</a>
        {config?.dev_mailbox ? (
          <>
            {' '}
            · <Link to="/mailbox">Dev mailbox</Link> <span className="badge">this machine only</span>
          </>
        ) : null}
      </p>
    </footer>
  );
}

export function App() {
  useEffect(() => {
    void loadClientConfig();
  }, []);
  return (
    <Router>
      <AuthProvider>
        <a className="skip-link" href="#main">
          Skip to content
        </a>
        <Header />
        <main id="main">
          <Suspense fallback={<Loading />}>
            <Routes />
          </Suspense>
        </main>
        <Footer />
      </AuthProvider>
    </Router>
  );
}
