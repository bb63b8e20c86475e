import { type FormEvent, useState } from 'react';
import { api } from '../api.ts';
import { useRouter } from '../router.tsx';
import { Button, Card, Field, fieldOf, messageOf, Notice } from '../ui.tsx';
import { codeProblem, emailProblem, passwordProblem } from '../validate.ts';

export default function Reset() {
  const { location, navigate } = useRouter();
  const [email, setEmail] = useState(location.query.get('email') ?? '');
  const [code, setCode] = useState('');
  const [password, setPassword] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<{ field: string | null; message: string } | null>(null);
  const problems = {
    email: emailProblem(email),
    code: codeProblem(code),
    password: passwordProblem(password, email.split(/[@.]/)),
  };
  const show = (f: keyof typeof problems) =>
    error?.field === f ? error.message : touched ? problems[f] : null;
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (problems.email || problems.code || problems.password) return;
    setBusy(true);
    setError(null);
    try {
      await api.reset({ email: email.trim(), confirmation_code: code.trim(), new_password: password });
      navigate(`/signin?reset=1&email=${encodeURIComponent(email.trim())}`);
    } catch (err) {
      setError({ field: fieldOf(err), message: messageOf(err) });
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="narrow">
      <h1 tabIndex={-1}>Choose a new password</h1>
      <p className="muted">
        If {email || 'the address'} has an account, a 6-digit code is on its way. Signing in elsewhere ends
        when you reset.
      </p>
      <Card>
        <form onSubmit={submit} noValidate>
          {error && !error.field ? <Notice kind="error">{error.message}</Notice> : null}
          <Field
            label="Email"
            name="email"
            type="email"
            autoComplete="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={show('email')}
          />
          <Field
            label="Code"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            value={code}
            onChange={(e) => setCode(e.target.value.replace(/\D/g, ''))}
            error={show('code')}
          />
          <Field
            label="New password"
            name="password"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={show('password')}
          />
          <Button type="submit" busy={busy}>
            Set the new password
          </Button>
        </form>
      </Card>
    </div>
  );
}
