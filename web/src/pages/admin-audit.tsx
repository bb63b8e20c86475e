/** The audit trail on the admin page: filter by event type, outcome of a user, page back in time. */
import { useEffect, useState } from 'react';
import { type Audit, type AuditFilter, api } from '../api.ts';
import { EVENT_LABELS, eventLabel } from '../labels.ts';
import { usePaged } from '../paged.ts';
import { Button, formatDate, Loading, Notice } from '../ui.tsx';

type Event = Audit['events'][number];

/** The event's details worth reading (empty and false values left out). */
const detailText = (detail: Event['detail']) =>
  Object.entries(detail)
    .filter(([, v]) => v !== null && v !== false && v !== '')
    .map(([k, v]) => `${k.replaceAll('_', ' ')}: ${String(v)}`)
    .join(' · ');

/** A user as the admin knows them: their email when the users list has shown it, else a short id. */
function Who({ id, emails }: { id: string; emails: Record<string, string> }) {
  const email = emails[id];
  return email ? (
    <span>{email}</span>
  ) : (
    <span className="mono" title={id}>
      {id.slice(0, 8)}…
    </span>
  );
}

export function AuditTrail({
  subject,
  onSubject,
  emails,
}: {
  /** Emails of the users seen so far, by id. */
  emails: Record<string, string>;
  /** The user the trail is narrowed to (chosen from the users list), or null for everyone. */
  subject: { id: string; email: string } | null;
  onSubject: (s: { id: string; email: string } | null) => void;
}) {
  const [type, setType] = useState('');
  const filter: AuditFilter = { ...(type ? { type } : {}), ...(subject ? { subject_id: subject.id } : {}) };
  const events = usePaged(async (cursor) => {
    const page = await api.adminAudit({ ...filter, ...(cursor ? { cursor } : {}) });
    return { items: page.events, next: page.next_cursor };
  }, JSON.stringify(filter));
  useEffect(() => {
    void events.reload();
  }, [events.reload]);

  return (
    <section id="audit" className="card" aria-labelledby="audit-title">
      <header className="card-head">
        <h2 id="audit-title">Audit trail</h2>
        <Button kind="secondary" className="btn btn-secondary btn-small" onClick={events.reload}>
          Refresh
        </Button>
      </header>
      <search className="filters" aria-label="Audit trail filters">
        <label>
          Event
          <select value={type} onChange={(e) => setType(e.target.value)}>
            <option value="">Every event</option>
            {Object.entries(EVENT_LABELS).map(([t, label]) => (
              <option key={t} value={t}>
                {label} ({t})
              </option>
            ))}
          </select>
        </label>
        <div className="filter-chip">
          <span className="label">User</span>
          {subject ? (
            <span className="chip">
              {subject.email}
              <button
                type="button"
                aria-label={`Show every user, not only ${subject.email}`}
                onClick={() => onSubject(null)}
              >
                ×
              </button>
            </span>
          ) : (
            <span className="muted small">Everyone (choose "Activity" on a user to narrow)</span>
          )}
        </div>
      </search>
      {events.error ? <Notice kind="error">{events.error}</Notice> : null}
      {!events.items && !events.error ? <Loading /> : null}
      {events.items?.length === 0 ? <p className="empty">No event matches these filters.</p> : null}
      {events.items?.length ? (
        <table className="table table-stack compact">
          <thead>
            <tr>
              <th scope="col">When</th>
              <th scope="col">Event</th>
              <th scope="col">Outcome</th>
              <th scope="col">User</th>
              <th scope="col">Address</th>
            </tr>
          </thead>
          <tbody>
            {events.items.map((e) => (
              <tr key={e.id}>
                <td className="nowrap">{formatDate(e.at)}</td>
                <td data-label="Event" title={e.type}>
                  {eventLabel(e.type)}
                  {Object.keys(e.detail).length ? (
                    <div className="muted small">{detailText(e.detail)}</div>
                  ) : null}
                </td>
                <td data-label="Outcome">
                  <span className={`badge ${e.outcome === 'failure' ? 'badge-warn' : 'badge-on'}`}>
                    {e.outcome}
                  </span>
                </td>
                <td data-label="User" className="small">
                  {e.subject_id ? <Who id={e.subject_id} emails={emails} /> : '—'}
                  {e.actor_id && e.actor_id !== e.subject_id ? (
                    <div className="muted">
                      by <Who id={e.actor_id} emails={emails} />
                    </div>
                  ) : null}
                </td>
                <td data-label="Address">{e.ip ?? '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      {events.next ? (
        <Button kind="secondary" onClick={events.more}>
          Show older events
        </Button>
      ) : null}
    </section>
  );
}
