import { useCallback, useEffect, useState } from 'react';
import { api } from '../api.ts';
import { Button, Card, formatDate, Loading, messageOf, Notice } from '../ui.tsx';

type Message = Awaited<ReturnType<typeof api.devMail>>['messages'][number];

/** The dev outbox (GET /api/dev/mail): what the server would have e-mailed, on this machine only. */
export default function Mailbox() {
  const [messages, setMessages] = useState<Message[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(async () => {
    try {
      setMessages((await api.devMail()).messages);
      setError(null);
    } catch (err) {
      setError(messageOf(err));
    }
  }, []);
  useEffect(() => {
    void load();
    const timer = setInterval(load, 3000);
    return () => clearInterval(timer);
  }, [load]);
  return (
    <div>
      <h1 tabIndex={-1}>Dev mailbox</h1>
      <p className="muted">
        While Gatehouse runs without a mail server, every message it would send lands here (only on this
        machine). It refreshes by itself.
      </p>
      {error ? (
        <Notice kind="error">
          {error} In production, or with a mail server configured, there is no dev mailbox.
        </Notice>
      ) : null}
      {!messages && !error ? <Loading /> : null}
      {messages?.length === 0 ? (
        <p className="empty">No messages yet. Sign up, and your code arrives here.</p>
      ) : null}
      <div className="stack">
        {messages?.map((m) => (
          <Card key={m.id}>
            <article className="mail" aria-label={`Message to ${m.to}`}>
              <header>
                <strong>{m.subject}</strong>
                <span className="muted">
                  to {m.to} · {formatDate(m.at)}
                </span>
              </header>
              <pre>{m.text}</pre>
            </article>
          </Card>
        ))}
      </div>
      <Button kind="secondary" onClick={load}>
        Refresh now
      </Button>
    </div>
  );
}
