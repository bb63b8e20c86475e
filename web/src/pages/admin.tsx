/**
 * Administration: users (search as you type, filter by status and group, enable or disable,
 * change groups) and the audit trail below (admin-audit.tsx). Clicking "Activity" on a user
 * filters the trail to them. An administrator's own row cannot lock them out.
 */
import { useCallback, useEffect, useState } from 'react';
import { KNOWN_GROUPS } from '../../../src/domain/groups.ts';
import { type AdminUsers, api, type UserFilter } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { useConfirm } from '../dialog.tsx';
import { usePaged } from '../paged.ts';
import { Button, Card, formatDate, Loading, messageOf, Notice } from '../ui.tsx';
import { AuditTrail } from './admin-audit.tsx';
import { GroupsDialog } from './admin-groups.tsx';
import { Refund } from './admin-refund.tsx';

type User = AdminUsers['users'][number];

function Users({
  onActivity,
  onSeen,
}: {
  onActivity: (user: User) => void;
  onSeen: (users: User[]) => void;
}) {
  const { user: me } = useAuth();
  const [search, setSearch] = useState('');
  const [status, setStatus] = useState<'' | 'enabled' | 'disabled'>('');
  const [group, setGroup] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const [editing, setEditing] = useState<User | null>(null);
  const [dialog, confirm] = useConfirm();

  const filter: UserFilter = {
    ...(search.trim() ? { search: search.trim() } : {}),
    ...(status ? { status } : {}),
    ...(group ? { group } : {}),
  };
  const users = usePaged(async (cursor) => {
    const page = await api.adminUsers({ ...filter, ...(cursor ? { cursor } : {}) });
    onSeen(page.users);
    return { items: page.users, next: page.next_cursor };
  }, JSON.stringify(filter));
  const { reload: load, setError } = users;
  // Searches as the user types, a moment after the last keystroke.
  useEffect(() => {
    const t = setTimeout(load, 250);
    return () => clearTimeout(t);
  }, [load]);

  const patch = async (u: User, change: { enabled?: boolean; groups?: string[] }, what: string) => {
    setDone(null);
    try {
      await api.adminPatchUser(u.user_id, change);
      await load();
      setDone(what);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  const toggle = async (u: User) => {
    if (u.enabled) {
      const ok = await confirm({
        title: `Disable ${u.email}?`,
        body: <p>They are signed out everywhere at once and cannot sign in until you enable them again.</p>,
        action: 'Disable account',
        danger: true,
      });
      if (!ok) return;
    }
    await patch(
      u,
      { enabled: !u.enabled },
      `${u.email} is ${u.enabled ? 'disabled and signed out' : 'enabled'}.`,
    );
  };

  const remove = async (u: User) => {
    const ok = await confirm({
      title: `Delete ${u.email}?`,
      body: (
        <p>
          Their account, profile, photo, files and sessions are deleted and any subscription is cancelled.
        </p>
      ),
      action: 'Delete account',
      danger: true,
      typeToConfirm: 'delete',
    });
    if (!ok) return;
    setDone(null);
    try {
      await api.adminDeleteUser(u.user_id);
      await load();
      setDone(`${u.email} is deleted.`);
    } catch (err) {
      setError(messageOf(err));
    }
  };

  return (
    <Card title="Users">
      {dialog}
      {editing ? (
        <GroupsDialog
          user={editing}
          onClose={async (groups) => {
            const u = editing;
            setEditing(null);
            if (groups) await patch(u, { groups }, `Groups of ${u.email} saved.`);
          }}
        />
      ) : null}
      <search className="filters" aria-label="User filters">
        <label>
          Search by email or name
          <input type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        </label>
        <label>
          Status
          <select value={status} onChange={(e) => setStatus(e.target.value as typeof status)}>
            <option value="">Any</option>
            <option value="enabled">Enabled</option>
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
      {done ? <Notice kind="success">{done}</Notice> : null}
      {users.error ? <Notice kind="error">{users.error}</Notice> : null}
      {!users.items && !users.error ? <Loading /> : null}
      {users.items?.length === 0 ? <p className="empty">No user matches.</p> : null}
      {users.items?.length ? (
        <table className="table table-stack">
          <thead>
            <tr>
              <th scope="col">User</th>
              <th scope="col">Plan</th>
              <th scope="col">Groups</th>
              <th scope="col">Status</th>
              <th scope="col">
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {users.items.map((u) => {
              const self = u.user_id === me?.user_id;
              return (
                <tr key={u.user_id}>
                  <td>
                    <strong>{u.name ?? u.email}</strong>
                    {self ? <span className="muted"> (you)</span> : null}
                    <br />
                    <span className="muted small">
                      {u.email} · since {formatDate(u.created_at)}
                    </span>
                  </td>
                  <td data-label="Plan">{u.plan}</td>
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
                    <span className={`badge ${u.enabled ? 'badge-on' : 'badge-warn'}`}>
                      {u.enabled ? 'enabled' : 'disabled'}
                    </span>{' '}
                    {u.mfa_enabled ? <span className="badge">2-step</span> : null}
                  </td>
                  <td>
                    <div className="row-actions">
                      <Button
                        kind={u.enabled ? 'danger' : 'secondary'}
                        className={`btn btn-${u.enabled ? 'danger' : 'secondary'} btn-small`}
                        disabled={self}
                        aria-label={`${u.enabled ? 'Disable' : 'Enable'} ${u.email}`}
                        onClick={() => toggle(u)}
                      >
                        {u.enabled ? 'Disable' : 'Enable'}
                      </Button>
                      <Button
                        kind="secondary"
                        className="btn btn-secondary btn-small"
                        aria-label={`Groups of ${u.email}`}
                        onClick={() => setEditing(u)}
                      >
                        Groups
                      </Button>
                      <Button
                        kind="danger"
                        className="btn btn-danger btn-small"
                        disabled={self}
                        aria-label={`Delete ${u.email}`}
                        onClick={() => remove(u)}
                      >
                        Delete
                      </Button>
                      <Button
                        kind="link"
                        className="btn btn-link btn-small"
                        aria-label={`Activity of ${u.email}`}
                        onClick={() => onActivity(u)}
                      >
                        Activity
                      </Button>
                    </div>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
      {users.next ? (
        <Button kind="secondary" onClick={users.more}>
          Show more users
        </Button>
      ) : null}
    </Card>
  );
}

export default function Admin() {
  const { user } = useAuth();
  const [subject, setSubject] = useState<{ id: string; email: string } | null>(null);
  const [emails, setEmails] = useState<Record<string, string>>(() =>
    user ? { [user.user_id]: user.email } : {},
  );
  const seen = useCallback(
    (users: User[]) =>
      setEmails((known) => ({ ...known, ...Object.fromEntries(users.map((u) => [u.user_id, u.email])) })),
    [],
  );
  if (!user?.groups.includes('admin')) {
    return (
      <div className="narrow">
        <h1 tabIndex={-1}>Administration</h1>
        <Notice kind="error">This area is for administrators.</Notice>
      </div>
    );
  }
  return (
    <div>
      <h1 tabIndex={-1}>Administration</h1>
      <div className="stack">
        <Users
          onSeen={seen}
          onActivity={(u) => {
            setSubject({ id: u.user_id, email: u.email });
            document.getElementById('audit')?.scrollIntoView({ behavior: 'smooth' });
          }}
        />
        <AuditTrail subject={subject} onSubject={setSubject} emails={emails} />
        <Refund />
      </div>
    </div>
  );
}
