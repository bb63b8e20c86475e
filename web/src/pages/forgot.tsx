import { useState } from 'react';
import { api } from '../api.ts';
import { useForm } from '../form.ts';
import { Link, useRouter } from '../router.tsx';
import { Button, Card, Field, Notice } from '../ui.tsx';
import { emailProblem } from '../validate.ts';

export default function Forgot() {
  const { location, navigate } = useRouter();
  const [email, setEmail] = useState(location.query.get('email') ?? '');
  const form = useForm({ email: emailProblem(email) });
  const submit = form.submit(async () => {
    await api.forgot({ email: email.trim() });
    navigate(`/reset-password?email=${encodeURIComponent(email.trim())}`);
  });
  return (
    <div className="narrow">
      <h1 tabIndex={-1}>Forgot your password?</h1>
      <p className="muted">
        Enter your email address; if it has an account, we send it a code to choose a new password.
      </p>
      <Card>
        <form onSubmit={submit} noValidate>
          {form.formError ? <Notice kind="error">{form.formError}</Notice> : null}
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
          <Button type="submit" busy={form.busy}>
            Send the code
          </Button>
        </form>
        <p className="below-form">
          Remembered it? <Link to="/signin">Sign in</Link>
        </p>
      </Card>
    </div>
  );
}
