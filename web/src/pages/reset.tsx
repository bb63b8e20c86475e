import { useState } from 'react';
import { api } from '../api.ts';
import { CodeInput } from '../code-input.tsx';
import { useForm } from '../form.ts';
import { Link, useRouter } from '../router.tsx';
import { Button, Card, Field, Notice } from '../ui.tsx';
import { codeProblem, emailProblem, passwordProblem, usePasswordRules } from '../validate.ts';
import { NewPasswordField } from './new-password.tsx';

export default function Reset() {
  const { location, navigate } = useRouter();
  const [email, setEmail] = useState(location.query.get('email') ?? '');
  // The link in the message carries the code: it arrives filled in.
  const [code, setCode] = useState((location.query.get('code') ?? '').replace(/\D/g, '').slice(0, 6));
  const [fromLink] = useState(code.length === 6);
  const [password, setPassword] = useState('');
  const rules = usePasswordRules();
  const problems = {
    email: emailProblem(email),
    code: codeProblem(code),
    password: passwordProblem(password, rules, { email }),
  };
  const form = useForm(problems);
  const submit = form.submit(async () => {
    await api.reset({ email: email.trim(), confirmation_code: code.trim(), new_password: password });
    navigate(`/signin?reset=1&email=${encodeURIComponent(email.trim())}`);
  });
  return (
    <div className="narrow">
      <h1 tabIndex={-1}>Choose a new password</h1>
      <p className="muted">
        {fromLink
          ? 'The code from your email is filled in: choose your new password.'
          : `If ${email || 'the address'} has an account, a 6-digit code is on its way.`}{' '}
        Resetting signs you out everywhere else.
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
          <CodeInput
            label="Code from the email"
            value={code}
            onChange={(c) => {
              setCode(c);
              form.changed('code');
            }}
            onBlur={form.leave('code')}
            error={form.show('code')}
          />
          <NewPasswordField
            label="New password"
            field="password"
            value={password}
            setValue={setPassword}
            form={form}
            rules={rules}
            problem={problems.password}
          />
          <Button type="submit" busy={form.busy}>
            Set the new password
          </Button>
        </form>
        <p className="below-form">
          No code? <Link to={`/forgot-password?email=${encodeURIComponent(email)}`}>Ask for a new one</Link>
        </p>
      </Card>
    </div>
  );
}
