import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { type AdminUsers, type Audit, api } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { Button, Card, formatDate, Loading, messageOf, Notice } from '../ui.tsx';

function Users() {
  const { user: me } = useAuth();
  const [search, setSearch] = useState('');
  const [users, setUsers] = useState<AdminUsers['users'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async (q: string) => {
    try {
      setUsers((await api.adminUsers(q.trim())).users);
      setError(null);
    } catch (err) {
      setError(messageOf(err));
    }
  }, []);
  useEffect(() => {
    void load('');
  }, [load]);
  const patch = async (id: string, change: { enabled?: boolean; groups?: string[] }) => {
    try {
      await api.adminPatchUser(id, change);
      await load(search);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return (
    <Card title="Users">
      <form
        className="inline-form"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void load(search);
        }}
      >
        <label htmlFor="user-search">Search by email or name</label>
        <input id="user-search" type="search" value={search} onChange={(e) => setSearch(e.target.value)} />
        <Button type="submit" kind="secondary">
          Search
        </Button>
      </form>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {!users && !error ? <Loading /> : null}
      {users?.length === 0 ? <p className="empty">No user matches.</p> : null}
      {users?.length ? (
        <table className="table">
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
            {users.map((u) => {
              const admin = u.groups.includes('admin');
              const self = u.user_id === me?.user_id;
              return (
                <tr key={u.user_id}>
                  <td>
                    <strong>{u.name ?? u.email}</strong>
                    <br />
                    <span className="muted">{u.email}</span>
                  </td>
                  <td>{u.plan}</td>
                  <td>{u.groups.join(', ') || '—'}</td>
                  <td>
                    {u.enabled ? (
                      <span className="badge badge-on">enabled</span>
                    ) : (
                      <span className="badge badge-warn">disabled</span>
                    )}
                  </td>
                  <td className="actions">
                    <Button
                      kind={u.enabled ? 'danger' : 'secondary'}
                      disabled={self}
                      aria-label={`${u.enabled ? 'Disable' : 'Enable'} ${u.email}`}
                      onClick={() => patch(u.user_id, { enabled: !u.enabled })}
                    >
                      {u.enabled ? 'Disable' : 'Enable'}
                    </Button>
                    <Button
                      kind="secondary"
                      disabled={self}
                      aria-label={`${admin ? 'Remove admin from' : 'Make admin'} ${u.email}`}
                      onClick={() =>
                        patch(u.user_id, {
                          groups: admin ? u.groups.filter((g) => g !== 'admin') : [...u.groups, 'admin'],
                        })
                      }
                    >
                      {admin ? 'Remove admin' : 'Make admin'}
                    </Button>
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </Card>
  );
}

function AuditTrail() {
  const [type, setType] = useState('');
  const [subject, setSubject] = useState('');
  const [events, setEvents] = useState<Audit['events'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async (filter: { type?: string; subject_id?: string }) => {
    try {
      setEvents((await api.adminAudit(filter)).events);
      setError(null);
    } catch (err) {
      setError(messageOf(err));
    }
  }, []);
  useEffect(() => {
    void load({});
  }, [load]);
  return (
    <Card title="Audit trail">
      <form
        className="inline-form"
        onSubmit={(e: FormEvent) => {
          e.preventDefault();
          void load({ ...(type ? { type } : {}), ...(subject ? { subject_id: subject } : {}) });
        }}
      >
        <label htmlFor="audit-type">Event type</label>
        <input
          id="audit-type"
          placeholder="auth.signin"
          value={type}
          onChange={(e) => setType(e.target.value.trim())}
        />
        <label htmlFor="audit-subject">User id</label>
        <input id="audit-subject" value={subject} onChange={(e) => setSubject(e.target.value.trim())} />
        <Button type="submit" kind="secondary">
          Filter
        </Button>
      </form>
      {error ? <Notice kind="error">{error}</Notice> : null}
      {!events && !error ? <Loading /> : null}
      {events?.length === 0 ? <p className="empty">No events match.</p> : null}
      {events?.length ? (
        <table className="table compact">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Event</th>
              <th scope="col">Outcome</th>
              <th scope="col">Subject</th>
              <th scope="col">Address</th>
            </tr>
          </thead>
          <tbody>
            {events.map((e) => (
              <tr key={e.id}>
                <td>{formatDate(e.at)}</td>
                <td>{e.type}</td>
                <td>
                  {e.outcome === 'failure' ? <span className="badge badge-warn">failure</span> : 'success'}
                </td>
                <td className="mono">{e.subject_id ?? '—'}</td>
                <td>{e.ip ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </Card>
  );
}

export default function Admin() {
  const { user } = useAuth();
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
        <Users />
        <AuditTrail />
      </div>
    </div>
  );
}
