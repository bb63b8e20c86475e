import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { type Activity, api, type Sessions, type TotpSetup } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { Button, Card, Field, fieldOf, formatDate, Loading, messageOf, Notice } from '../ui.tsx';
import { codeProblem, passwordProblem } from '../validate.ts';
import { LinkedAccounts } from './linked-accounts.tsx';

function ChangePassword() {
  const { user } = useAuth();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<{ field: string | null; message: string } | null>(null);
  const problem = passwordProblem(
    next,
    [user?.name ?? '', ...(user?.email ?? '').split(/[@.]/)].filter(Boolean),
  );
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!current || problem) return;
    setBusy(true);
    setError(null);
    setDone(null);
    try {
      setDone((await api.changePassword(current, next)).message);
      setCurrent('');
      setNext('');
      setTouched(false);
    } catch (err) {
      const field = fieldOf(err);
      setError({
        field: field === 'password' && /current|wrong|incorrect/i.test(messageOf(err)) ? 'current' : field,
        message: messageOf(err),
      });
    } finally {
      setBusy(false);
    }
  };
  return (
    <Card title="Password">
      <form onSubmit={submit} noValidate>
        {done ? <Notice kind="success">{done}</Notice> : null}
        {error && !error.field ? <Notice kind="error">{error.message}</Notice> : null}
        <Field
          label="Current password"
          name="current_password"
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={(e) => setCurrent(e.target.value)}
          error={
            error?.field === 'current'
              ? error.message
              : touched && !current
                ? 'Enter your current password.'
                : null
          }
        />
        <Field
          label="New password"
          name="new_password"
          type="password"
          autoComplete="new-password"
          value={next}
          onChange={(e) => setNext(e.target.value)}
          error={error?.field === 'password' ? error.message : touched ? problem : null}
        />
        <Button type="submit" busy={busy}>
          Change password
        </Button>
      </form>
    </Card>
  );
}

function TwoStep() {
  const { user, refresh } = useAuth();
  const [setup, setSetup] = useState<TotpSetup | null>(null);
  const [code, setCode] = useState('');
  const [recovery, setRecovery] = useState<string[] | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const start = async () => {
    setBusy(true);
    setError(null);
    try {
      setSetup(await api.totpSetup());
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  const verify = async (e: FormEvent) => {
    e.preventDefault();
    if (codeProblem(code)) return setError(codeProblem(code));
    setBusy(true);
    setError(null);
    try {
      const out = await api.totpVerify(code.trim());
      setRecovery(out.recovery_codes ?? []);
      setSetup(null);
      setCode('');
      await refresh();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  const disable = async (e: FormEvent) => {
    e.preventDefault();
    if (codeProblem(code)) return setError(codeProblem(code));
    setBusy(true);
    setError(null);
    try {
      await api.totpDisable(code.trim());
      setCode('');
      setRecovery(null);
      await refresh();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  if (recovery) {
    return (
      <Card title="Two-step verification">
        <Notice kind="success">
          Two-step verification is on. Sign-in now asks for a code from your app.
        </Notice>
        {recovery.length > 0 ? (
          <>
            <p>
              Save these recovery codes somewhere safe. Each one signs you in once if you lose your phone;
              they are not shown again.
            </p>
            <ul className="codes" aria-label="Recovery codes">
              {recovery.map((c) => (
                <li key={c}>
                  <code>{c}</code>
                </li>
              ))}
            </ul>
          </>
        ) : null}
        <Button kind="secondary" onClick={() => setRecovery(null)}>
          I have saved them
        </Button>
      </Card>
    );
  }
  if (user?.mfa_enabled) {
    return (
      <Card title="Two-step verification">
        <p>
          <span className="badge badge-on">On</span> Sign-in asks for a code from your authenticator app.
        </p>
        <form onSubmit={disable} noValidate>
          <Field
            label="Code from your app, to turn it off"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            value={code}
            onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
            error={error}
          />
          <Button type="submit" kind="danger" busy={busy}>
            Turn off two-step verification
          </Button>
        </form>
      </Card>
    );
  }
  if (setup) {
    return (
      <Card title="Set up two-step verification">
        <ol className="steps">
          <li>Scan this QR code with an authenticator app (or enter the key by hand).</li>
          <li>Enter the 6-digit code the app shows.</li>
        </ol>
        <img
          className="qr"
          src={`data:image/svg+xml;utf8,${encodeURIComponent(setup.qr_svg)}`}
          alt="QR code for your authenticator app"
          width="200"
          height="200"
        />
        <p>
          Key:{' '}
          <code className="secret" data-testid="totp-secret">
            {setup.secret}
          </code>
        </p>
        <form onSubmit={verify} noValidate>
          <Field
            label="Code from your app"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            value={code}
            onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
            error={error}
          />
          <Button type="submit" busy={busy}>
            Turn on
          </Button>
          <Button type="button" kind="link" onClick={() => setSetup(null)}>
            Cancel
          </Button>
        </form>
      </Card>
    );
  }
  return (
    <Card title="Two-step verification">
      <p>
        <span className="badge">Off</span> Add a second step to sign-in with an authenticator app (TOTP).
      </p>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <Button onClick={start} busy={busy}>
        Set up two-step verification
      </Button>
    </Card>
  );
}

function SessionsCard() {
  const [sessions, setSessions] = useState<Sessions['sessions'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const load = useCallback(() => {
    api.sessions().then(
      (s) => setSessions(s.sessions),
      (e) => setError(messageOf(e)),
    );
  }, []);
  useEffect(load, [load]);
  return (
    <Card title="Where you are signed in">
      {error ? <Notice kind="error">{error}</Notice> : null}
      {!sessions && !error ? <Loading /> : null}
      <ul className="list">
        {sessions?.map((s) => (
          <li key={s.id}>
            <div>
              <strong>{s.device || 'Unknown device'}</strong>{' '}
              {s.current ? <span className="badge badge-on">This device</span> : null}
              <p className="muted">
                {s.ip} · signed in {formatDate(s.created_at)} · last seen {formatDate(s.last_seen_at)}
              </p>
            </div>
            {s.current ? null : (
              <Button
                kind="secondary"
                onClick={async () => {
                  try {
                    await api.revokeSession(s.id);
                    load();
                  } catch (err) {
                    setError(messageOf(err));
                  }
                }}
                aria-label={`Sign out ${s.device || 'this device'}`}
              >
                Sign out
              </Button>
            )}
          </li>
        ))}
      </ul>
    </Card>
  );
}

function ActivityCard() {
  const [events, setEvents] = useState<Activity['events'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api.activity().then(
      (a) => setEvents(a.events),
      (e) => setError(messageOf(e)),
    );
  }, []);
  return (
    <Card title="Recent activity">
      {error ? <Notice kind="error">{error}</Notice> : null}
      {!events && !error ? <Loading /> : null}
      {events?.length === 0 ? <p className="empty">Nothing yet.</p> : null}
      <ul className="list compact">
        {events?.map((e) => (
          <li key={`${e.at}${e.type}`}>
            <span>
              {e.type.replaceAll('.', ' ')}{' '}
              {e.outcome === 'failure' ? <span className="badge badge-warn">failed</span> : null}
            </span>
            <span className="muted">
              {formatDate(e.at)}
              {e.ip ? ` · ${e.ip}` : ''}
            </span>
          </li>
        ))}
      </ul>
    </Card>
  );
}

export default function Security() {
  return (
    <div>
      <h1 tabIndex={-1}>Security</h1>
      <div className="grid-2">
        <TwoStep />
        <ChangePassword />
        <LinkedAccounts />
        <SessionsCard />
        <ActivityCard />
      </div>
    </div>
  );
}
