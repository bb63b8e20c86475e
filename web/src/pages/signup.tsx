import { useState } from 'react';
import { SIGNUP_NAME_MAX } from '../../../src/http/schemas/formats.ts';
import { api } from '../api.ts';
import { useForm } from '../form.ts';
import { Link, useRouter } from '../router.tsx';
import { SocialButtons } from '../social.tsx';
import { Button, Card, Field, Notice } from '../ui.tsx';
import { emailProblem, passwordProblem, textProblem, usePasswordRules } from '../validate.ts';
import { NewPasswordField } from './new-password.tsx';

export default function SignUp() {
  const { navigate } = useRouter();
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const rules = usePasswordRules();
  const problems = {
    name: textProblem(name, SIGNUP_NAME_MAX),
    email: emailProblem(email),
    password: passwordProblem(password, rules, { email, name }),
  };
  const form = useForm(problems);

  const submit = form.submit(async () => {
    await api.signUp({ email: email.trim(), password, ...(name.trim() ? { name: name.trim() } : {}) });
    navigate(`/confirm?email=${encodeURIComponent(email.trim())}`);
  });

  return (
    <div className="narrow">
      <h1 tabIndex={-1}>Create your account</h1>
      <p className="muted">Your trial starts when you confirm your email. No card needed.</p>
      <Card>
        <SocialButtons returnTo="/dashboard" label="Sign up with" />
        <form onSubmit={submit} noValidate>
          {form.formError ? <Notice kind="error">{form.formError}</Notice> : null}
          <Field
            label="Name (optional)"
            name="name"
            autoComplete="name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            onBlur={form.leave('name')}
            error={form.show('name')}
          />
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
          <NewPasswordField
            label="Password"
            field="password"
            value={password}
            setValue={setPassword}
            form={form}
            rules={rules}
            problem={problems.password}
          />
          <Button type="submit" busy={form.busy}>
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
