import { type FormEvent, useState } from 'react';
import { api } from '../api.ts';
import { Link, useRouter } from '../router.tsx';
import { Button, Card, Field, fieldOf, messageOf, Notice } from '../ui.tsx';
import { codeProblem, emailProblem } from '../validate.ts';

export default function Confirm() {
  const { location, navigate } = useRouter();
  const [email, setEmail] = useState(location.query.get('email') ?? '');
  const [code, setCode] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [resent, setResent] = useState<string | null>(null);
  const [error, setError] = useState<{ field: string | null; message: string } | null>(null);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (emailProblem(email) || codeProblem(code)) return;
    setBusy(true);
    setError(null);
    try {
      await api.confirm({ email: email.trim(), confirmation_code: code.trim() });
      navigate(`/signin?confirmed=1&email=${encodeURIComponent(email.trim())}`);
    } catch (err) {
      setError({ field: fieldOf(err) ?? 'code', message: messageOf(err) });
    } finally {
      setBusy(false);
    }
  };

  const resend = async () => {
    if (emailProblem(email)) return setTouched(true);
    setResent(null);
    try {
      setResent((await api.resend({ email: email.trim() })).message);
    } catch (err) {
      setError({ field: null, message: messageOf(err) });
    }
  };

  return (
    <div className="narrow">
      <h1 tabIndex={-1}>Confirm your email</h1>
      {location.query.get('unconfirmed') ? (
        <Notice kind="info">Your account is not confirmed yet. Enter the code we sent you.</Notice>
      ) : (
        <p className="muted">
          We sent a 6-digit code to {email || 'your address'}. It is valid for a limited time.
        </p>
      )}
      <Card>
        <form onSubmit={submit} noValidate>
          {error && !error.field ? <Notice kind="error">{error.message}</Notice> : null}
          {resent ? <Notice kind="success">{resent}</Notice> : null}
          <Field
            label="Email"
            name="email"
            type="email"
            autoComplete="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={touched ? emailProblem(email) : null}
          />
          <Field
            label="Confirmation code"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            value={code}
            onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
            error={error?.field === 'code' ? error.message : touched ? codeProblem(code) : null}
          />
          <Button type="submit" busy={busy}>
            Confirm
          </Button>
          <Button type="button" kind="link" onClick={resend}>
            Send a new code
          </Button>
        </form>
        <p className="below-form">
          Running Gatehouse locally? Codes land in the <Link to="/mailbox">dev mailbox</Link>.
        </p>
      </Card>
    </div>
  );
}
