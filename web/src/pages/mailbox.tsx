import { type ReactNode, useCallback, useEffect, useState } from 'react';
import { api, type DevMail } from '../api.ts';
import { useClientConfig } from '../config.ts';
import { Link } from '../router.tsx';
import { Button, Card, formatDate, Loading, messageOf, Notice } from '../ui.tsx';

/** The message text with this app's own links made clickable (other addresses stay plain text). */
function linked(text: string): ReactNode[] {
  return text.split(/(https?:\/\/\S+)/g).map((part, i) => {
    if (!/^https?:\/\//.test(part)) return part;
    try {
      const url = new URL(part);
      if (url.origin !== window.location.origin) return part;
      const to = `${url.pathname}${url.search}`;
      return (
        // biome-ignore lint/suspicious/noArrayIndexKey: the parts of one text never move.
        <Link key={i} to={to}>
          {part}
        </Link>
      );
    } catch {
      return part;
    }
  });
}

type Message = DevMail[number];

/**
 * One message: its text part, with this app's links clickable, and on demand its HTML part as
 * sent, in a sandboxed frame (GET /api/dev/mail/:id/html: its styles apply, nothing runs).
 */
function MailCard({ m }: { m: Message }) {
  const [showHtml, setShowHtml] = useState(false);
  return (
    <Card>
      <article className="mail" aria-label={`Message to ${m.to}`}>
        <header>
          <strong>{m.subject}</strong>
          <span className="muted small">
            to {m.to} · {formatDate(m.at)}
          </span>
        </header>
        <pre>{linked(m.text)}</pre>
        {m.html ? (
          <div className="mail-html">
            <Button kind="link" aria-expanded={showHtml} onClick={() => setShowHtml(!showHtml)}>
              {showHtml ? 'Hide the HTML version' : 'Show the HTML version'}
            </Button>
            {showHtml ? (
              <iframe
                title={`HTML version: ${m.subject}`}
                src={`/api/dev/mail/${encodeURIComponent(m.id)}/html`}
                sandbox="allow-popups allow-popups-to-escape-sandbox"
              />
            ) : null}
          </div>
        ) : null}
      </article>
    </Card>
  );
}

/** The dev outbox (GET /api/dev/mail): what the server would have e-mailed, on this machine only. */
export default function Mailbox() {
  const config = useClientConfig();
  if (config && !config.dev_mailbox) {
    return (
      <div className="narrow">
        <h1 tabIndex={-1}>Dev mailbox</h1>
        <Notice kind="info">
          There is no mailbox here: messages go out by email. Check your inbox (and its spam folder).
        </Notice>
      </div>
    );
  }
  return <Outbox />;
}

function Outbox() {
  const [messages, setMessages] = useState<DevMail | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [checking, setChecking] = useState(false);
  const load = useCallback(async () => {
    setChecking(true);
    try {
      setMessages((await api.devMail()).messages);
      setError(null);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setChecking(false);
    }
  }, []);
  useEffect(() => {
    void load();
    const timer = setInterval(load, 3000);
    return () => clearInterval(timer);
  }, [load]);
  return (
    <div>
      <div className="page-head">
        <h1 tabIndex={-1}>Dev mailbox</h1>
        <Button kind="secondary" busy={checking} onClick={load}>
          Refresh now
        </Button>
      </div>
      <p className="muted page-lead">
        While Gatehouse runs without a mail server, every message it would send lands here, newest first (only
        on this machine), as text and as the HTML version mail programs show. The page checks for new ones
        every few seconds.
      </p>
      {error ? (
        <Notice kind="error">
          {error} In production, or with a mail server configured, there is no dev mailbox.
        </Notice>
      ) : null}
      {!messages && !error ? <Loading /> : null}
      {messages?.length === 0 ? (
        <Card>
          <p className="empty">
            No messages yet. <Link to="/signup">Sign up</Link>, and your confirmation code arrives here.
          </p>
        </Card>
      ) : null}
      <div className="stack">
        {messages?.map((m) => (
          <MailCard key={m.id} m={m} />
        ))}
      </div>
    </div>
  );
}
