/**
 * The site header: the brand, the main navigation and the account menu. From phone width up to
 * tablets the navigation folds behind a Menu button (a disclosure: aria-expanded, Escape closes
 * it); it opens as a panel under the bar and closes on every navigation.
 */
import { useEffect, useState } from 'react';
import { api } from './api.ts';
import { useAuth } from './auth.tsx';
import { Link, useRouter } from './router.tsx';

export function Header() {
  const { user, setUser } = useAuth();
  const { navigate, location } = useRouter();
  const [open, setOpen] = useState(false);
  // biome-ignore lint/correctness/useExhaustiveDependencies: close the menu whenever the page changes.
  useEffect(() => setOpen(false), [location.path]);
  useEffect(() => {
    if (!open) return;
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && setOpen(false);
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [open]);

  const nav = (to: string, label: string) => (
    <Link
      to={to}
      aria-current={location.path === to || location.path.startsWith(`${to}/`) ? 'page' : undefined}
    >
      {label}
    </Link>
  );
  const signOut = async () => {
    await api.signOut().catch(() => undefined);
    setUser(null);
    navigate('/signin?signed_out=1');
  };

  return (
    <header className="site-header">
      <div className="bar">
        <Link to={user ? '/dashboard' : '/'} className="brand" aria-label="Gatehouse home">
          <img src="/favicon.svg" alt="" width="28" height="28" /> Gatehouse
        </Link>
        <button
          type="button"
          className="menu-toggle"
          aria-expanded={open}
          aria-controls="site-menu"
          onClick={() => setOpen(!open)}
        >
          <span className="menu-icon" aria-hidden="true" />
          Menu
        </button>
        <div id="site-menu" className={`site-menu${open ? ' site-menu-open' : ''}`}>
          <nav aria-label="Main">
            {user ? (
              <>
                {nav('/dashboard', 'Dashboard')}
                {nav('/account', 'Profile')}
                {nav('/security', 'Security')}
                {nav('/files', 'Files')}
                {nav('/billing', 'Billing')}
                {user.groups.includes('admin') ? nav('/admin', 'Admin') : null}
              </>
            ) : (
              nav('/#plans', 'Plans')
            )}
          </nav>
          <div className="user-menu">
            {user ? (
              <>
                {user.photo_url ? (
                  <img className="avatar-small" src={user.photo_url.replace(/\/256$/, '/64')} alt="" />
                ) : (
                  <span className="avatar-small avatar-empty" aria-hidden="true">
                    {(user.name ?? user.email).slice(0, 1).toUpperCase()}
                  </span>
                )}
                <span className="who" title={user.email}>
                  {user.name ?? user.email}
                </span>
                <button type="button" className="btn btn-secondary btn-small" onClick={signOut}>
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
      </div>
    </header>
  );
}
