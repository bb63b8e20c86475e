import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { type Activity, api, onChange, type Sessions, type TotpSetup } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { CodeInput } from '../code-input.tsx';
import { useAction, useForm } from '../form.ts';
import { deviceLabel, eventLabel } from '../labels.ts';
import { Button, Card, Field, formatDate, Loading, messageOf, Notice } from '../ui.tsx';
import { codeProblem, passwordProblem, usePasswordRules } from '../validate.ts';
import { LinkedAccounts } from './linked-accounts.tsx';
import { NewPasswordField } from './new-password.tsx';
import { PasskeysCard } from './passkeys-card.tsx';
import { RecoveryCodes, SecretKey } from './totp-parts.tsx';

function ChangePassword() {
  const { user } = useAuth();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [done, setDone] = useState<string | null>(null);
  const rules = usePasswordRules();
  const problems = {
    current: current ? null : 'Enter your current password.',
    next:
      passwordProblem(next, rules, { email: user?.email ?? '', name: user?.name ?? null }) ??
      (next === current ? 'The new password must differ from the current one.' : null),
  };
  const form = useForm(problems, { password: 'next', current_password: 'current', new_password: 'next' });
  const submit = form.submit(async () => {
    setDone(null);
    setDone((await api.changePassword(current, next)).message);
    setCurrent('');
    setNext('');
    form.reset();
  });
  return (
    <Card title="Password">
      <form onSubmit={submit} noValidate>
        {done ? <Notice kind="success">{done} Your other devices are signed out.</Notice> : null}
        {form.formError ? <Notice kind="error">{form.formError}</Notice> : null}
        <Field
          label="Current password"
          name="current_password"
          type="password"
          autoComplete="current-password"
          value={current}
          onChange={(e) => {
            setCurrent(e.target.value);
            form.changed('current');
          }}
          onBlur={form.leave('current')}
          error={form.show('current')}
        />
        <NewPasswordField
          label="New password"
          field="next"
          value={next}
          setValue={setNext}
          form={form}
          rules={rules}
          problem={problems.next}
        />
        <Button type="submit" busy={form.busy}>
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
  const sending = useRef(false);
  /** Runs one request at a time (a double click sends once), showing it is working. */
  const once = async (act: () => Promise<void>) => {
    if (sending.current) return;
    sending.current = true;
    setBusy(true);
    setError(null);
    try {
      await act();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      sending.current = false;
      setBusy(false);
    }
  };
  const start = () =>
    once(async () => {
      setSetup(await api.totpSetup());
    });
  const verify = (e: FormEvent) => {
    e.preventDefault();
    if (codeProblem(code)) return setError(codeProblem(code));
    return once(async () => {
      const out = await api.totpVerify(code.trim());
      setRecovery(out.recovery_codes ?? []);
      setSetup(null);
      setCode('');
      await refresh();
    });
  };
  const disable = (e: FormEvent) => {
    e.preventDefault();
    if (codeProblem(code)) return setError(codeProblem(code));
    return once(async () => {
      await api.totpDisable(code.trim());
      setCode('');
      setRecovery(null);
      await refresh();
    });
  };
  if (recovery) {
    return (
      <Card title="Two-step verification">
        <Notice kind="success">
          Two-step verification is on. Sign-in now asks for a code from your app.
        </Notice>
        {recovery.length > 0 ? <RecoveryCodes codes={recovery} /> : null}
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
          <CodeInput
            label="Code from your app, to turn it off"
            value={code}
            onChange={setCode}
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
        <SecretKey secret={setup.secret} />
        <form onSubmit={verify} noValidate>
          <CodeInput
            label="Code from your app"
            value={code}
            onChange={setCode}
            error={error}
            submitWhenComplete
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
  const action = useAction();
  const load = useCallback(() => {
    api.sessions().then(
      (s) => setSessions(s.sessions),
      (e) => setError(messageOf(e)),
    );
  }, []);
  useEffect(() => {
    load();
    return onChange(load);
  }, [load]);
  return (
    <Card title="Where you are signed in">
      {error ? <Notice kind="error">{error}</Notice> : null}
      {!sessions && !error ? <Loading /> : null}
      <ul className="list">
        {sessions?.map((s) => (
          <li key={s.id}>
            <div>
              <strong title={s.device}>{deviceLabel(s.device)}</strong>{' '}
              {s.current ? <span className="badge badge-on">This device</span> : null}
              <p className="muted">
                {s.ip} · signed in {formatDate(s.created_at)} · last seen {formatDate(s.last_seen_at)}
              </p>
            </div>
            {s.current ? null : (
              <Button
                kind="secondary"
                busy={action.busy === s.id}
                onClick={() =>
                  action.run(s.id, async () => {
                    try {
                      await api.revokeSession(s.id);
                      load();
                    } catch (err) {
                      setError(messageOf(err));
                    }
                  })
                }
                aria-label={`Sign out ${deviceLabel(s.device)}, last seen ${formatDate(s.last_seen_at)}`}
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
  // Asked again after each change made here (a password change, two-step on or off...).
  useEffect(() => {
    const load = () =>
      api.activity().then(
        (a) => setEvents(a.events),
        (e) => setError(messageOf(e)),
      );
    load();
    return onChange(load);
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
              {eventLabel(e.type)}{' '}
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
        <PasskeysCard />
        <ChangePassword />
        <LinkedAccounts />
        <SessionsCard />
        <ActivityCard />
      </div>
    </div>
  );
}
