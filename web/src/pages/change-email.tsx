/**
 * The Profile page's "Change email address" card: the new address and the current password (not
 * needed within five minutes of signing in), then the 6-digit code mailed to the new address.
 * Until the code is entered the account keeps signing in with its current address.
 */
import { useState } from 'react';
import { api, type Me } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { useForm } from '../form.ts';
import { Button, Card, Field, Notice } from '../ui.tsx';
import { codeProblem, emailProblem } from '../validate.ts';

function AskForm({ me, onSent }: { me: Me; onSent: (email: string) => void }) {
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const same = email.trim().toLowerCase() === me.email ? 'That is already your email address.' : null;
  const form = useForm(
    { new_email: emailProblem(email) ?? same, current_password: null },
    { email: 'new_email' },
  );
  const submit = form.submit(async () => {
    await api.changeEmail(email.trim(), password || undefined);
    setPassword('');
    form.reset();
    onSent(email.trim());
  });
  return (
    <form onSubmit={submit} noValidate>
      {form.formError ? <Notice kind="error">{form.formError}</Notice> : null}
      <Field
        label="New email address"
        name="new_email"
        type="email"
        autoComplete="email"
        value={email}
        onChange={(e) => {
          setEmail(e.target.value);
          form.changed('new_email');
        }}
        onBlur={form.leave('new_email')}
        error={form.show('new_email')}
      />
      <Field
        label="Current password"
        name="current_password"
        type="password"
        autoComplete="current-password"
        value={password}
        onChange={(e) => {
          setPassword(e.target.value);
          form.changed('current_password');
        }}
        error={form.show('current_password')}
        hint="Not needed if you signed in within the last 5 minutes."
      />
      <Button type="submit" busy={form.busy}>
        Send a code to the new address
      </Button>
    </form>
  );
}

function CodeForm({
  sentTo,
  me,
  onDone,
  onBack,
}: {
  sentTo: string;
  me: Me;
  onDone: (message: string) => void;
  onBack: () => void;
}) {
  const [code, setCode] = useState('');
  const form = useForm({ code: codeProblem(code) });
  const submit = form.submit(async () => {
    onDone((await api.confirmEmailChange(code.trim())).message);
  });
  return (
    <form onSubmit={submit} noValidate>
      <Notice kind="info">
        If {sentTo} can receive mail, a 6-digit code is on its way there. Until you enter it, you keep signing
        in with {me.email}.
      </Notice>
      {form.formError ? <Notice kind="error">{form.formError}</Notice> : null}
      <Field
        label="Code from the email"
        name="code"
        inputMode="numeric"
        autoComplete="one-time-code"
        maxLength={6}
        value={code}
        onChange={(e) => {
          setCode(e.target.value);
          form.changed('code');
        }}
        onBlur={form.leave('code')}
        error={form.show('code')}
      />
      <div className="row">
        <Button type="submit" busy={form.busy}>
          Confirm new address
        </Button>
        <Button kind="link" type="button" onClick={onBack}>
          Use another address
        </Button>
      </div>
    </form>
  );
}

export function ChangeEmail({ me, onChanged }: { me: Me; onChanged: (me: Me) => void }) {
  const { refresh } = useAuth();
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  return (
    <Card title="Change email address">
      {done ? <Notice kind="success">{done}</Notice> : null}
      {sentTo ? (
        <CodeForm
          sentTo={sentTo}
          me={me}
          onBack={() => setSentTo(null)}
          onDone={async (message) => {
            setSentTo(null);
            setDone(message);
            // The session was replaced: its CSRF token and the profile are new.
            await refresh();
            onChanged(await api.me());
          }}
        />
      ) : (
        <AskForm
          me={me}
          onSent={(email) => {
            setDone(null);
            setSentTo(email);
          }}
        />
      )}
    </Card>
  );
}
