/**
 * The admin console, for the admin group: Users (search, filters, pages; each user has a page of
 * their own) and the Audit trail (filters, pages, each event as a sentence). Three addresses:
 * /admin, /admin/users/<id> and /admin/audit, so any view can be linked to and reloaded.
 */
import { ADMIN_USER_PAGE } from '../../../src/http/schemas/pages.ts';
import { useAuth } from '../auth.tsx';
import { Link, useRouter } from '../router.tsx';
import { Notice } from '../ui.tsx';
import { AuditTrail } from './admin-audit.tsx';
import { UserPage } from './admin-user.tsx';
import { UserList } from './admin-users.tsx';

function Tabs({ path }: { path: string }) {
  const tab = (to: string, label: string, current: boolean) => (
    <Link to={to} aria-current={current ? 'page' : undefined}>
      {label}
    </Link>
  );
  return (
    <nav className="tabs" aria-label="Administration">
      {tab('/admin', 'Users', path === '/admin' || ADMIN_USER_PAGE.test(path))}
      {tab('/admin/audit', 'Audit trail', path === '/admin/audit')}
    </nav>
  );
}

export default function Admin() {
  const { user } = useAuth();
  const { location } = useRouter();
  const path = location.path;
  if (!user?.groups.includes('admin')) {
    return (
      <div className="narrow">
        <h1 tabIndex={-1}>Administration</h1>
        <Notice kind="error">This area is for administrators.</Notice>
      </div>
    );
  }
  return (
    <div className="admin">
      <Tabs path={path} />
      {ADMIN_USER_PAGE.test(path) ? (
        <UserPage key={path} id={decodeURIComponent(path.slice('/admin/users/'.length))} />
      ) : path === '/admin/audit' ? (
        <AuditTrail />
      ) : (
        <UserList />
      )}
    </div>
  );
}
