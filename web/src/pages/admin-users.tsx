/**
 * The console's user list: search as you type (the start of an email or a name), filter by status
 * and group, a page of 25 at a time. Each user links to their own page, where the actions are. The
 * filters live in the address, so coming back from a user finds the list as it was left.
 */
import { useEffect, useState } from 'react';
import { KNOWN_GROUPS } from '../../../src/domain/groups.ts';
import { type AdminUsers, api, type UserFilter } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { useCursorPages } from '../cursor-pages.ts';
import { Link, useRouter } from '../router.tsx';
import { Button, Card, formatDay, Loading, Notice } from '../ui.tsx';

type User = AdminUsers['users'][number];
const PLANS: Record<string, string> = { trial: 'Trial', basic: 'Basic', premium: 'Premium' };

/** Previous / next page, and which page this is. */
export function Pager({
  pages,
  what,
  newer = 'Previous page',
  older = 'Next page',
}: {
  pages: {
    number: number;
    hasNewer: boolean;
    hasOlder: boolean;
    newer(): void;
    older(): void;
    loading: boolean;
  };
  what: string;
  newer?: string;
  older?: string;
}) {
  if (!pages.hasNewer && !pages.hasOlder) return null;
  return (
    <nav className="pager" aria-label={`Pages of ${what}`}>
      <Button kind="secondary" disabled={!pages.hasNewer || pages.loading} onClick={pages.newer}>
        {newer}
      </Button>
      <span className="muted" aria-live="polite">
        Page {pages.number}
      </span>
      <Button kind="secondary" disabled={!pages.hasOlder || pages.loading} onClick={pages.older}>
        {older}
      </Button>
    </nav>
  );
}

/** The user's state in a word or two: what an operator scans the list for. */
export function StatusBadges({ user }: { user: Pick<User, 'enabled' | 'email_verified' | 'mfa_enabled'> }) {
  return (
    <>
      <span className={`badge ${user.enabled ? 'badge-on' : 'badge-warn'}`}>
        {user.enabled ? 'Active' : 'Disabled'}
      </span>{' '}
      {user.email_verified ? null : <span className="badge badge-warn">Email not confirmed</span>}{' '}
      {user.mfa_enabled ? <span className="badge">Two-step on</span> : null}
    </>
  );
}

export function UserList() {
  const { user: me } = useAuth();
  const { location } = useRouter();
  const [search, setSearch] = useState(location.query.get('q') ?? '');
  const [status, setStatus] = useState(location.query.get('status') ?? '');
  const [group, setGroup] = useState(location.query.get('group') ?? '');
  // The search goes out a moment after the last keystroke, not on every one.
  const [typed, setTyped] = useState(search);
  useEffect(() => {
    const t = setTimeout(() => setTyped(search.trim()), 250);
    return () => clearTimeout(t);
  }, [search]);
  useEffect(() => {
    const q = new URLSearchParams({
      ...(typed ? { q: typed } : {}),
      ...(status ? { status } : {}),
      ...(group ? { group } : {}),
    });
    const text = q.toString();
    window.history.replaceState(null, '', `/admin${text ? `?${text}` : ''}`);
  }, [typed, status, group]);

  const filter: UserFilter = {
    ...(typed ? { search: typed } : {}),
    ...(status === 'enabled' || status === 'disabled' ? { status } : {}),
    ...(group ? { group } : {}),
  };
  const pages = useCursorPages(async (cursor) => {
    const page = await api.adminUsers({ ...filter, ...(cursor ? { cursor } : {}) });
    return { items: page.users, next: page.next_cursor };
  }, JSON.stringify(filter));

  return (
    <div>
      <h1 tabIndex={-1}>Users</h1>
      <Card>
        <search className="filters" aria-label="Find users">
          <label>
            Search by email or name
            <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
          </label>
          <label>
            Status
            <select value={status} onChange={(e) => setStatus(e.target.value)}>
              <option value="">Any</option>
              <option value="enabled">Active</option>
              <option value="disabled">Disabled</option>
            </select>
          </label>
          <label>
            Group
            <select value={group} onChange={(e) => setGroup(e.target.value)}>
              <option value="">Any</option>
              {KNOWN_GROUPS.map((g) => (
                <option key={g} value={g}>
                  {g}
                </option>
              ))}
            </select>
          </label>
        </search>
        {pages.error ? (
          <Notice kind="error">
            {pages.error}{' '}
            <Button kind="link" onClick={() => void pages.reload()}>
              Try again
            </Button>
          </Notice>
        ) : null}
        {!pages.items && !pages.error ? <Loading /> : null}
        {pages.items?.length === 0 ? <p className="empty">No user matches.</p> : null}
        {pages.items?.length ? (
          <table className="table table-stack" aria-busy={pages.loading || undefined}>
            <thead>
              <tr>
                <th scope="col">User</th>
                <th scope="col">Plan</th>
                <th scope="col">Groups</th>
                <th scope="col">Status</th>
                <th scope="col">Joined</th>
              </tr>
            </thead>
            <tbody>
              {pages.items.map((u) => (
                <tr key={u.user_id}>
                  <td>
                    <Link to={`/admin/users/${encodeURIComponent(u.user_id)}`} className="strong-link">
                      {u.name ?? u.email}
                    </Link>
                    {u.user_id === me?.user_id ? <span className="muted"> (you)</span> : null}
                    {u.name ? <span className="muted small block">{u.email}</span> : null}
                  </td>
                  <td data-label="Plan">{PLANS[u.plan] ?? u.plan}</td>
                  <td data-label="Groups">
                    {u.groups.length
                      ? u.groups.map((g) => (
                          <span key={g} className="chip">
                            {g}
                          </span>
                        ))
                      : '—'}
                  </td>
                  <td data-label="Status">
                    <StatusBadges user={u} />
                  </td>
                  <td data-label="Joined">{formatDay(u.created_at)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        <Pager pages={pages} what="users" />
      </Card>
    </div>
  );
}
