import { type FormEvent, useState } from 'react';
import { api } from '../api.ts';
import { Link, useRouter } from '../router.tsx';
import { SocialButtons } from '../social.tsx';
import { Button, Card, Field, fieldOf, messageOf, Notice } from '../ui.tsx';
import { emailProblem, PASSWORD_MIN, passwordProblem } from '../validate.ts';

export default function SignUp() {
  const { navigate } = useRouter();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [touched, setTouched] = useState<Record<string, boolean>>({});
  const [busy, setBusy] = useState(false);
  const [serverError, setServerError] = useState<{ field: string | null; message: string } | null>(null);

  const context = [name, ...email.split(/[@.]/)].filter(Boolean);
  const problems = { email: emailProblem(email), password: passwordProblem(password, context) };
  const show = (field: 'email' | 'password') =>
    serverError?.field === field ? serverError.message : touched[field] ? problems[field] : null;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched({ email: true, password: true });
    if (problems.email || problems.password) return;
    setBusy(true);
    setServerError(null);
    try {
      await api.signUp({ email: email.trim(), password, ...(name.trim() ? { name: name.trim() } : {}) });
      navigate(`/confirm?email=${encodeURIComponent(email.trim())}`);
    } catch (err) {
      setServerError({ field: fieldOf(err), message: messageOf(err) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="narrow">
      <h1 tabIndex={-1}>Create your account</h1>
      <p className="muted">Your trial starts when you confirm your email. No card needed.</p>
      <Card>
        <SocialButtons returnTo="/account" label="Sign up with" />
        <form onSubmit={submit} noValidate>
          {serverError && !serverError.field ? <Notice kind="error">{serverError.message}</Notice> : null}
          <Field
            label="Name (optional)"
            name="name"
            autoComplete="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <Field
            label="Email"
            name="email"
            type="email"
            autoComplete="email"
            value={email}
            onChange={(e) => {
              setEmail(e.target.value);
              if (serverError?.field === 'email') setServerError(null);
            }}
            onBlur={() => setTouched((t) => ({ ...t, email: true }))}
            error={show('email')}
          />
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="new-password"
            value={password}
            onChange={(e) => {
              setPassword(e.target.value);
              setTouched((t) => ({ ...t, password: true }));
              if (serverError?.field === 'password') setServerError(null);
            }}
            error={show('password')}
            hint={`At least ${PASSWORD_MIN} characters. Long and unusual beats short and clever: try four unrelated words.`}
          />
          <Button type="submit" busy={busy}>
            Create account
          </Button>
        </form>
        <p className="below-form">
          Already have an account? <Link to="/signin">Sign in</Link>
        </p>
      </Card>
    </div>
  );
}
