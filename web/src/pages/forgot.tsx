import { type FormEvent, useState } from 'react';
import { api } from '../api.ts';
import { useRouter } from '../router.tsx';
import { Button, Card, Field, messageOf, Notice } from '../ui.tsx';
import { emailProblem } from '../validate.ts';

export default function Forgot() {
  const { navigate } = useRouter();
  const [email, setEmail] = useState('');
  const [touched, setTouched] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (emailProblem(email)) return;
    setBusy(true);
    setError(null);
    try {
      await api.forgot({ email: email.trim() });
      navigate(`/reset-password?email=${encodeURIComponent(email.trim())}`);
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  return (
    <div className="narrow">
      <h1 tabIndex={-1}>Forgot your password?</h1>
      <p className="muted">
        Enter your email address; if it has an account, we send it a code to choose a new password.
      </p>
      <Card>
        <form onSubmit={submit} noValidate>
          {error ? <Notice kind="error">{error}</Notice> : null}
          <Field
            label="Email"
            name="email"
            type="email"
            autoComplete="email"
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            error={touched ? emailProblem(email) : null}
          />
          <Button type="submit" busy={busy}>
            Send the code
          </Button>
        </form>
      </Card>
    </div>
  );
}
