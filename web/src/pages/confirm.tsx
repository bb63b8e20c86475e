import { useState } from 'react';
import { api } from '../api.ts';
import { CodeInput } from '../code-input.tsx';
import { useClientConfig } from '../config.ts';
import { useAction, useForm } from '../form.ts';
import { Link, useRouter } from '../router.tsx';
import { Button, Card, Field, Notice } from '../ui.tsx';
import { codeProblem, emailProblem } from '../validate.ts';

export default function Confirm() {
  const { location, navigate } = useRouter();
  const config = useClientConfig();
  const [email, setEmail] = useState(location.query.get('email') ?? '');
  // The link in the message carries the code: it arrives filled in.
  const [code, setCode] = useState((location.query.get('code') ?? '').replace(/\D/g, '').slice(0, 6));
  const [resent, setResent] = useState<string | null>(null);
  const resending = useAction();
  const fromLink = Boolean(location.query.get('code'));
  const form = useForm({ email: emailProblem(email), code: codeProblem(code) });

  const submit = form.submit(async () => {
    await api.confirm({ email: email.trim(), confirmation_code: code.trim() });
    navigate(`/signin?confirmed=1&email=${encodeURIComponent(email.trim())}`);
  });

  const resend = () => {
    if (emailProblem(email)) return form.leave('email')();
    void resending.run('resend', async () => {
      setResent(null);
      try {
        setResent((await api.resend({ email: email.trim() })).message);
      } catch (err) {
        form.fail(err);
      }
    });
  };

  return (
    <div className="narrow">
      <h1 tabIndex={-1}>Confirm your email</h1>
      {location.query.get('unconfirmed') ? (
        <Notice kind="info">Your account is not confirmed yet. Enter the code we sent you.</Notice>
      ) : fromLink ? (
        <p className="muted">The code from your email is filled in: confirm to finish.</p>
      ) : (
        <p className="muted">
          We sent a 6-digit code to {email || 'your address'}. It is valid for a limited time.
        </p>
      )}
      <Card>
        <form onSubmit={submit} noValidate>
          {form.formError ? <Notice kind="error">{form.formError}</Notice> : null}
          {resent ? <Notice kind="success">{resent}</Notice> : null}
          <Field
            label="Email"
            name="email"
            type="email"
            autoComplete="email"
            value={email}
            onChange={(e) => {
              setEmail(e.target.value);
              form.changed('email');
            }}
            onBlur={form.leave('email')}
            error={form.show('email')}
          />
          <CodeInput
            label="Confirmation code"
            value={code}
            onChange={(c) => {
              setCode(c);
              form.changed('code');
            }}
            onBlur={form.leave('code')}
            error={form.show('code')}
            submitWhenComplete={!emailProblem(email)}
          />
          <div className="form-actions">
            <Button type="submit" busy={form.busy}>
              Confirm
            </Button>
            <Button type="button" kind="link" busy={resending.busy === 'resend'} onClick={resend}>
              Send a new code
            </Button>
          </div>
        </form>
        {config?.dev_mailbox ? (
          <p className="below-form">
            No mail server on this machine: your code is in the <Link to="/mailbox">dev mailbox</Link>.
          </p>
        ) : null}
      </Card>
    </div>
  );
}
