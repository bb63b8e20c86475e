/**
 * The shell: header with navigation and the user's menu, the routes, and the sign-in round trip
 * (a 401 anywhere sends the user to sign-in and back to the same-origin path they were on).
 * Pages other than the landing and sign-in are split into chunks of their own, loaded on demand.
 */
import { lazy, type ReactNode, Suspense, useEffect, useRef } from 'react';
import { APP_PAGES, type AppPage, isAppPage } from '../../src/http/schemas/pages.ts';
import { api, setUnauthenticatedHandler } from './api.ts';
import { AuthProvider, useAuth } from './auth.tsx';
import { Landing } from './pages/landing.tsx';
import { SignIn } from './pages/signin.tsx';
import { Link, Router, useRouter } from './router.tsx';
import { Loading } from './ui.tsx';

const SignUp = lazy(() => import('./pages/signup.tsx'));
const Confirm = lazy(() => import('./pages/confirm.tsx'));
const Forgot = lazy(() => import('./pages/forgot.tsx'));
const Reset = lazy(() => import('./pages/reset.tsx'));
const Mailbox = lazy(() => import('./pages/mailbox.tsx'));
const Profile = lazy(() => import('./pages/profile.tsx'));
const Security = lazy(() => import('./pages/security.tsx'));
const FilesPage = lazy(() => import('./pages/files.tsx'));
const Billing = lazy(() => import('./pages/billing.tsx'));
const Admin = lazy(() => import('./pages/admin.tsx'));
const NotFound = lazy(() => import('./pages/not-found.tsx'));

type PrivatePage = '/account' | '/security' | '/files' | '/billing' | '/admin';
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
  '/account': () => <Profile />,
  '/security': () => <Security />,
  '/files': () => <FilesPage />,
  '/billing': () => <Billing />,
  '/admin': () => <Admin />,
};

function Routes() {
  const { location, navigate } = useRouter();
  const { user, setUser } = useAuth();
  const path = location.path;

  const firstPath = useRef(path);
  useEffect(() => {
    document.title = isAppPage(path) && path !== '/' ? `${APP_PAGES[path]} · Gatehouse` : 'Gatehouse';
    // After an in-app navigation (not the first load, where the skip link comes first), move focus
    // to the new page's heading, as a full page load would, for screen readers and keyboards.
    if (firstPath.current === path) return;
    firstPath.current = '';
    const heading = document.querySelector('main h1') as HTMLElement | null;
    heading?.focus({ preventScroll: true });
  }, [path]);

  useEffect(() => {
    setUnauthenticatedHandler(() => {
      setUser(null);
      const here = `${window.location.pathname}${window.location.search}`;
      if (!here.startsWith('/signin')) navigate(`/signin?return_to=${encodeURIComponent(here)}`, true);
    });
  }, [navigate, setUser]);

  const page = isAppPage(path) ? path : undefined;
  const privatePage = page && page in PRIVATE ? PRIVATE[page as PrivatePage] : undefined;
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

function Header() {
  const { user, setUser } = useAuth();
  const { navigate, location } = useRouter();
  const nav = (to: string, label: string) => (
    <Link to={to} aria-current={location.path === to ? 'page' : undefined}>
      {label}
    </Link>
  );
  return (
    <header className="site-header">
      <div className="bar">
        <Link to="/" className="brand" aria-label="Gatehouse home">
          <img src="/favicon.svg" alt="" width="28" height="28" /> Gatehouse
        </Link>
        <nav aria-label="Main">
          {user ? (
            <>
              {nav('/account', 'Profile')}
              {nav('/security', 'Security')}
              {nav('/files', 'Files')}
              {nav('/billing', 'Billing')}
              {user.groups.includes('admin') ? nav('/admin', 'Admin') : null}
            </>
          ) : (
            <>
              {nav('/#plans', 'Plans')}
              {nav('/mailbox', 'Mailbox')}
            </>
          )}
        </nav>
        <div className="user-menu">
          {user ? (
            <>
              <span className="who" title={user.email}>
                {user.name ?? user.email}
              </span>
              <button
                type="button"
                className="btn btn-secondary btn-small"
                onClick={async () => {
                  await api.signOut().catch(() => undefined);
                  setUser(null);
                  navigate('/signin?signed_out=1');
                }}
              >
                Sign out
              </button>
            </>
          ) : user === null ? (
            <>
              <Link to="/signin" className="btn btn-secondary btn-small">
                Sign in
              </Link>
              <Link to="/signup" className="btn btn-primary btn-small">
                Sign up
              </Link>
            </>
          ) : null}
        </div>
      </div>
    </header>
  );
}

export function App() {
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
        <footer className="site-footer">
          <p>
            Gatehouse · <a href="/docs">API docs</a> · <a href="/openapi.json">OpenAPI</a>
          </p>
        </footer>
      </AuthProvider>
    </Router>
  );
}
