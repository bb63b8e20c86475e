/**
 * The audit trail on the admin console: every event as a sentence (audit-text.tsx) with links to
 * the people and things it is about, newest first, a page at a time, filtered by kind of event and
 * by user. The user is chosen by typing their email or name, never by pasting an id; the filters
 * live in the address (/admin/audit?user=...&type=...), so a user's page can link to their history.
 */
import { useEffect, useState } from 'react';
import { type AdminUsers, type AuditFilter, api } from '../api.ts';
import { EventSentence } from '../audit-text.tsx';
import { useCursorPages } from '../cursor-pages.ts';
import { EVENT_LABELS } from '../labels.ts';
import { useRouter } from '../router.tsx';
import { Button, Card, formatDate, Loading, Notice } from '../ui.tsx';
import { Pager } from './admin-users.tsx';

type Person = { id: string; label: string };

/** Events grouped for the filter, in the order an operator thinks of them. */
const GROUPS: [string, RegExp][] = [
  ['Sign-in and sign-up', /^auth\.(signup|confirm|signin|signout|identity)/],
  ['Security', /^(auth\.(mfa|password)|session\.)/],
  ['Account', /^(user|profile|file)\./],
  ['Billing', /^billing\./],
  ['Administration', /^admin\./],
];

/** Choosing a user by typing the start of their email or name. */
function UserChooser({ chosen, onChoose }: { chosen: Person | null; onChoose: (p: Person | null) => void }) {
  const [text, setText] = useState('');
  const [matches, setMatches] = useState<AdminUsers['users'] | null>(null);
  useEffect(() => {
    const typed = text.trim();
    if (!typed) return setMatches(null);
    let live = true;
    const t = setTimeout(() => {
      api.adminUsers({ search: typed }).then(
        (page) => live && setMatches(page.users.slice(0, 6)),
        () => live && setMatches([]),
      );
    }, 250);
    return () => {
      live = false;
      clearTimeout(t);
    };
  }, [text]);
  if (chosen) {
    return (
      <div className="filter-chip">
        <span className="label">User</span>
        <span className="chip">
          {chosen.label}
          <button
            type="button"
            aria-label={`Show every user, not only ${chosen.label}`}
            onClick={() => onChoose(null)}
          >
            ×
          </button>
        </span>
      </div>
    );
  }
  return (
    <div className="chooser">
      <label>
        User
        <input
          type="search"
          placeholder="Email or name"
          value={text}
          onChange={(e) => setText(e.target.value)}
        />
      </label>
      {matches ? (
        <ul className="matches" aria-label="Matching users">
          {matches.length === 0 ? <li className="muted small">No user matches.</li> : null}
          {matches.map((u) => (
            <li key={u.user_id}>
              <button
                type="button"
                className="btn btn-link btn-small"
                onClick={() => {
                  setText('');
                  onChoose({ id: u.user_id, label: u.email });
                }}
              >
                {u.email}
                {u.name ? ` (${u.name})` : ''}
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

export function AuditTrail() {
  const { location } = useRouter();
  const [type, setType] = useState(location.query.get('type') ?? '');
  const [user, setUser] = useState<Person | null>(() => {
    const id = location.query.get('user');
    return id ? { id, label: id } : null;
  });
  useEffect(() => {
    const q = new URLSearchParams({ ...(user ? { user: user.id } : {}), ...(type ? { type } : {}) });
    const text = q.toString();
    window.history.replaceState(null, '', `/admin/audit${text ? `?${text}` : ''}`);
  }, [user, type]);

  const filter: AuditFilter = { ...(type ? { type } : {}), ...(user ? { subject_id: user.id } : {}) };
  const pages = useCursorPages(async (cursor) => {
    const page = await api.adminAudit({ ...filter, ...(cursor ? { cursor } : {}) });
    // Each event with the people its page names.
    return { items: page.events.map((event) => ({ event, people: page.users })), next: page.next_cursor };
  }, JSON.stringify(filter));
  // A user chosen by the address is shown by their email once an event names them.
  const known = user ? pages.items?.[0]?.people[user.id] : undefined;
  useEffect(() => {
    if (known && user && user.label === user.id) setUser({ id: user.id, label: known.email });
  }, [known, user]);

  return (
    <div>
      <div className="page-head">
        <h1 tabIndex={-1}>Audit trail</h1>
        <Button kind="secondary" busy={pages.loading} onClick={() => void pages.reload()}>
          Refresh
        </Button>
      </div>
      <Card>
        <search className="filters" aria-label="Filter the audit trail">
          <label>
            Event
            <select value={type} onChange={(e) => setType(e.target.value)}>
              <option value="">Every event</option>
              {GROUPS.map(([group, re]) => (
                <optgroup key={group} label={group}>
                  {Object.entries(EVENT_LABELS)
                    .filter(([t]) => re.test(t))
                    .map(([t, label]) => (
                      <option key={t} value={t}>
                        {label}
                      </option>
                    ))}
                </optgroup>
              ))}
            </select>
          </label>
          <UserChooser chosen={user} onChoose={setUser} />
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
        {pages.items?.length === 0 ? <p className="empty">No event matches these filters.</p> : null}
        {pages.items?.length ? (
          // Busy while another filter's or page's events load: until then these are the last ones.
          <ol
            className="list compact events"
            aria-label="Events, newest first"
            aria-busy={pages.loading || undefined}
          >
            {pages.items.map(({ event: e, people }) => (
              <li key={e.id} className={e.outcome === 'failure' ? 'event-failed' : undefined}>
                <span>
                  {e.outcome === 'failure' ? <span className="badge badge-warn">Failed</span> : null}{' '}
                  <EventSentence event={e} people={people} />
                </span>
                <span className="muted small nowrap">
                  {formatDate(e.at)}
                  {e.ip ? ` · ${e.ip}` : ''}
                </span>
              </li>
            ))}
          </ol>
        ) : null}
        <Pager pages={pages} what="events" newer="Newer events" older="Older events" />
      </Card>
    </div>
  );
}
