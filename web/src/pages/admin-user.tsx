/**
 * One user on the admin console: who they are (profile), what they pay (plan, invoices with a
 * Refund that fills in the amount), where they are signed in (each device can be signed out), how
 * they sign in (password, linked providers), their groups, and their recent history. The account
 * can be disabled, enabled or deleted from here, each after a confirmation.
 */
import { useCallback, useEffect, useState } from 'react';
import { type AdminUserView, api } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { useClientConfig } from '../config.ts';
import { useConfirm } from '../dialog.tsx';
import { useAction } from '../form.ts';
import { deviceLabel } from '../labels.ts';
import { Link } from '../router.tsx';
import { Button, Card, formatDate, Loading, messageOf, Notice } from '../ui.tsx';
import { GroupsDialog } from './admin-groups.tsx';
import { Plan, Profile, SignIn } from './admin-user-cards.tsx';
import { Invoices, RecentActivity } from './admin-user-parts.tsx';
import { StatusBadges } from './admin-users.tsx';

type View = AdminUserView;

function Sessions({ view, onChanged }: { view: View; onChanged: (note: string) => Promise<void> }) {
  const action = useAction();
  const [error, setError] = useState<string | null>(null);
  return (
    <Card title="Signed in on" id="sessions">
      {error ? <Notice kind="error">{error}</Notice> : null}
      {view.sessions.length === 0 ? <p className="empty">No device is signed in.</p> : null}
      <ul className="list">
        {view.sessions.map((s) => (
          <li key={s.id}>
            <div>
              <strong title={s.device}>{deviceLabel(s.device)}</strong>
              <p className="muted">
                {s.ip} · signed in {formatDate(s.created_at)} · last seen {formatDate(s.last_seen_at)}
              </p>
            </div>
            <Button
              kind="secondary"
              busy={action.busy === s.id}
              aria-label={`Sign out ${deviceLabel(s.device)}, last seen ${formatDate(s.last_seen_at)}`}
              onClick={() =>
                action.run(s.id, async () => {
                  setError(null);
                  try {
                    await api.adminSignOutSession(view.user.user_id, s.id);
                    await onChanged(`${deviceLabel(s.device)} is signed out.`);
                  } catch (err) {
                    setError(messageOf(err));
                  }
                })
              }
            >
              Sign out
            </Button>
          </li>
        ))}
      </ul>
    </Card>
  );
}

export function UserPage({ id }: { id: string }) {
  const { user: me } = useAuth();
  const config = useClientConfig();
  const [view, setView] = useState<View | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [note, setNote] = useState<{ kind: 'success' | 'error'; text: string } | null>(null);
  const [deleted, setDeleted] = useState(false);
  const [editing, setEditing] = useState(false);
  const [dialog, confirm] = useConfirm();
  const action = useAction();
  const self = id === me?.user_id;

  const load = useCallback(async () => {
    try {
      setView(await api.adminUser(id));
      setError(null);
    } catch (err) {
      setError(messageOf(err));
    }
  }, [id]);
  useEffect(() => {
    void load();
  }, [load]);
  // A link to a part of this page (#invoices) lands there once the page is drawn.
  const shown = view !== null;
  useEffect(() => {
    if (shown && window.location.hash)
      document.getElementById(window.location.hash.slice(1))?.scrollIntoView();
  }, [shown]);
  const changed = async (text: string) => {
    setNote({ kind: 'success', text });
    await load();
  };
  const act = (key: string, run: () => Promise<string>) =>
    action.run(key, async () => {
      setNote(null);
      try {
        await changed(await run());
      } catch (err) {
        setNote({ kind: 'error', text: messageOf(err) });
      }
    });

  if (deleted) {
    return (
      <div>
        <h1 tabIndex={-1}>Account deleted</h1>
        <Notice kind="success">The account and its data have been deleted.</Notice>
        <p>
          <Link to="/admin">Back to the users</Link>
        </p>
      </div>
    );
  }
  if (!view) {
    return error ? (
      <div>
        <h1 tabIndex={-1}>User</h1>
        <Notice kind="error">
          {error} <Link to="/admin">Back to the users</Link>
        </Notice>
      </div>
    ) : (
      <Loading />
    );
  }
  const u = view.user;
  const toggle = async () => {
    if (u.enabled) {
      const ok = await confirm({
        title: `Disable ${u.email}?`,
        body: <p>They are signed out everywhere at once and cannot sign in until you enable them again.</p>,
        action: 'Disable account',
        danger: true,
      });
      if (!ok) return;
    }
    await act('toggle', async () => {
      await api.adminPatchUser(u.user_id, { enabled: !u.enabled });
      return u.enabled ? `${u.email} is disabled and signed out everywhere.` : `${u.email} is enabled.`;
    });
  };
  const remove = async () => {
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
    await action.run('delete', async () => {
      try {
        await api.adminDeleteUser(u.user_id);
        setDeleted(true);
      } catch (err) {
        setNote({ kind: 'error', text: messageOf(err) });
      }
    });
  };

  return (
    <div>
      {dialog}
      {editing ? (
        <GroupsDialog
          user={u}
          onClose={async (groups) => {
            setEditing(false);
            if (groups)
              await act('groups', async () => {
                await api.adminPatchUser(u.user_id, { groups });
                return `The groups of ${u.email} are saved.`;
              });
          }}
        />
      ) : null}
      <p className="crumbs">
        <Link to="/admin">Users</Link> <span aria-hidden="true">›</span>
      </p>
      <div className="page-head user-head">
        <div>
          <h1 tabIndex={-1}>{u.name ?? u.email}</h1>
          <p className="muted">
            {u.name ? `${u.email} · ` : ''}
            <StatusBadges user={u} />{' '}
            {u.groups.map((g) => (
              <span key={g} className="chip">
                {g}
              </span>
            ))}
            {self ? ' (you)' : ''}
          </p>
        </div>
        <div className="row-actions">
          <Button
            kind={u.enabled ? 'danger' : 'secondary'}
            disabled={self}
            busy={action.busy === 'toggle'}
            onClick={toggle}
          >
            {u.enabled ? 'Disable account' : 'Enable account'}
          </Button>
          <Button kind="secondary" busy={action.busy === 'groups'} onClick={() => setEditing(true)}>
            Groups…
          </Button>
          <Button kind="danger" disabled={self} busy={action.busy === 'delete'} onClick={remove}>
            Delete…
          </Button>
        </div>
      </div>
      {note ? <Notice kind={note.kind}>{note.text}</Notice> : null}
      <div className="grid-2">
        <div className="stack">
          <Profile user={u} phoneCountry={config?.phone_default_country ?? null} />
          <Plan subscription={view.subscription} />
          <Invoices userId={u.user_id} email={u.email} onRefunded={changed} />
        </div>
        <div className="stack">
          <Sessions view={view} onChanged={changed} />
          <SignIn view={view} />
          <RecentActivity userId={u.user_id} activity={view.activity} />
        </div>
      </div>
    </div>
  );
}
