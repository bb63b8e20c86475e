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
        on this machine). The page checks for new ones every few seconds.
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
          <Card key={m.id}>
            <article className="mail" aria-label={`Message to ${m.to}`}>
              <header>
                <strong>{m.subject}</strong>
                <span className="muted small">
                  to {m.to} · {formatDate(m.at)}
                </span>
              </header>
              <pre>{linked(m.text)}</pre>
            </article>
          </Card>
        ))}
      </div>
    </div>
  );
}
