import {
  browserSupportsWebAuthn,
  browserSupportsWebAuthnAutofill,
  startAuthentication,
  WebAuthnAbortService,
} from '@simplewebauthn/browser';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { ApiError, api } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { CodeInput } from '../code-input.tsx';
import { useClientConfig } from '../config.ts';
import { hostCanHavePasskeys, passkeyProblem } from '../passkey-problem.ts';
import { safeReturnTo } from '../return-to.ts';
import { Link, useRouter } from '../router.tsx';
import { oauthErrorMessage, SocialButtons } from '../social.tsx';
import { Button, Card, Field, messageOf, Notice } from '../ui.tsx';
import { codeProblem, emailProblem } from '../validate.ts';

export function SignIn() {
  const { location, navigate } = useRouter();
  const { setUser } = useAuth();
  const [email, setEmail] = useState(location.query.get('email') ?? '');
  const [password, setPassword] = useState('');
  const [challenge, setChallenge] = useState<string | null>(null);
  const [code, setCode] = useState('');
  const [useRecovery, setUseRecovery] = useState(false);
  const [busy, setBusy] = useState(false);
  // One request at a time: a double click or a second Enter must not send twice.
  const sending = useRef(false);
  const [error, setError] = useState<string | null>(null);
  const [touched, setTouched] = useState(false);
  // The password is asked for once the form is sent, not when the email field is left: someone
  // leaving it for "Sign in with a passkey" needs none, and a message appearing under the email
  // then would move the passkey button away from their click.
  const [submitted, setSubmitted] = useState(false);
  const returnTo = safeReturnTo(location.query.get('return_to')) ?? '/dashboard';
  const oauthError = oauthErrorMessage(location.query.get('oauth_error'));
  const socialMfa = location.query.get('mfa') === '1';

  // A social sign-in of an account with two-step verification stops here for the code.
  useEffect(() => {
    if (!socialMfa) return;
    api.oauthChallenge().then(
      (c) => setChallenge(c.session),
      () => setError('That sign-in took too long. Start again.'),
    );
  }, [socialMfa]);

  const done = (user: Parameters<typeof setUser>[0]) => {
    // Back to the password step: signed out again soon after, this page must start afresh even if
    // React never drew the page in between.
    setChallenge(null);
    setCode('');
    setUseRecovery(false);
    setPassword('');
    setSubmitted(false);
    setUser(user);
    navigate(returnTo, true);
  };

  // Passkeys: the button, and the browser's autofill on the email field (conditional UI), which
  // waits quietly until the person picks a passkey there; a new ceremony (the button) cancels it.
  // Where the server needs the account named first (Cognito), the button uses the email field and
  // there is no autofill.
  const config = useClientConfig();
  const passkeysOffered = config?.passkeys === true && browserSupportsWebAuthn();
  const needsEmail = config?.passkey_sign_in_needs_email === true;
  const [passkeyBusy, setPasskeyBusy] = useState(false);
  const withPasskey = async (autofill: boolean) => {
    const { options } = await api.passkeySignInOptions(needsEmail ? email.trim() : undefined);
    const response = await startAuthentication({
      optionsJSON: options as never,
      useBrowserAutofill: autofill,
    });
    setPasskeyBusy(true);
    setError(null);
    done((await api.passkeySignIn(response)).user);
  };
  const passkeyButton = async () => {
    if (needsEmail && !email.trim()) {
      return setError('Enter your email address, then choose “Sign in with a passkey”.');
    }
    setPasskeyBusy(true);
    setError(null);
    try {
      await withPasskey(false);
    } catch (err) {
      setError(passkeyProblem(err));
    } finally {
      setPasskeyBusy(false);
    }
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: started once per page, when offered
  useEffect(() => {
    if (!passkeysOffered || needsEmail || challenge || !hostCanHavePasskeys(window.location.hostname)) return;
    let live = true;
    void browserSupportsWebAuthnAutofill().then((yes) => {
      if (!yes || !live) return;
      withPasskey(true).catch((err) => {
        // An autofill request cancelled by the button, or by leaving the page, is no error.
        const name = (err as { name?: string; code?: string }).code ?? (err as Error).name;
        if (live && name !== 'ERROR_CEREMONY_ABORTED' && name !== 'AbortError') setError(passkeyProblem(err));
        setPasskeyBusy(false);
      });
    });
    return () => {
      live = false;
      WebAuthnAbortService.cancelCeremony();
    };
  }, [passkeysOffered, needsEmail, challenge]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    setSubmitted(true);
    if (emailProblem(email) || !password || sending.current) return;
    sending.current = true;
    setBusy(true);
    setError(null);
    try {
      const out = await api.signIn({ email: email.trim(), password });
      if ('challenge' in out) setChallenge(out.session);
      else done(out.user);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'USER_NOT_CONFIRMED') {
        navigate(`/confirm?email=${encodeURIComponent(email.trim())}&unconfirmed=1`);
        return;
      }
      setError(messageOf(err));
    } finally {
      sending.current = false;
      setBusy(false);
    }
  };

  const submitCode = async (e: FormEvent) => {
    e.preventDefault();
    if (!challenge) return;
    const problem = useRecovery
      ? code.trim().length < 6
        ? 'Enter one of your recovery codes.'
        : null
      : codeProblem(code);
    if (problem) return setError(problem);
    if (sending.current) return;
    sending.current = true;
    setBusy(true);
    setError(null);
    try {
      const out = await api.signInMfa(challenge, code.trim());
      done(out.user);
    } catch (err) {
      if (err instanceof ApiError && err.code === 'INVALID_MFA_SESSION') {
        setChallenge(null);
        setCode('');
      }
      setError(messageOf(err));
    } finally {
      sending.current = false;
      setBusy(false);
    }
  };

  if (challenge) {
    return (
      <div className="narrow">
        <h1 tabIndex={-1}>Two-step verification</h1>
        <Card>
          <form onSubmit={submitCode} noValidate>
            <p>
              {useRecovery
                ? 'Enter one of the recovery codes you saved when you turned on two-step verification. Each works once.'
                : 'Enter the 6-digit code from your authenticator app.'}
            </p>
            {useRecovery ? (
              <Field
                label="Recovery code"
                name="code"
                autoComplete="off"
                autoCapitalize="none"
                spellCheck={false}
                autoFocus
                value={code}
                onChange={(e) => setCode(e.target.value)}
                error={error}
              />
            ) : (
              <CodeInput
                label="Authentication code"
                value={code}
                onChange={setCode}
                error={error}
                autoFocus
                submitWhenComplete
              />
            )}
            <Button type="submit" busy={busy}>
              Verify and sign in
            </Button>
            <Button
              type="button"
              kind="link"
              onClick={() => {
                setUseRecovery(!useRecovery);
                setCode('');
                setError(null);
              }}
            >
              {useRecovery ? 'Use an authenticator code instead' : 'Use a recovery code instead'}
            </Button>
          </form>
        </Card>
      </div>
    );
  }

  const emailError = touched ? emailProblem(email) : null;
  return (
    <div className="narrow">
      <h1 tabIndex={-1}>Sign in</h1>
      {location.query.get('signed_out') ? <Notice kind="info">You are signed out.</Notice> : null}
      {location.query.get('confirmed') ? (
        <Notice kind="success">Your email is confirmed. Sign in to continue.</Notice>
      ) : null}
      {location.query.get('reset') ? (
        <Notice kind="success">Your password is changed. Sign in with the new one.</Notice>
      ) : null}
      {location.query.get('return_to') && !socialMfa ? (
        <Notice kind="info">
          {location.query.get('expired')
            ? 'Your session has ended. Sign in again to go back to where you were.'
            : 'Sign in to continue.'}
        </Notice>
      ) : null}
      {oauthError ? <Notice kind="error">{oauthError}</Notice> : null}
      <Card>
        <SocialButtons returnTo={returnTo} label="Sign in with" />
        <form onSubmit={submit} noValidate>
          {error ? <Notice kind="error">{error}</Notice> : null}
          <Field
            label="Email"
            name="email"
            type="email"
            autoComplete={passkeysOffered && !needsEmail ? 'username webauthn' : 'username'}
            value={email}
            onChange={(e) => setEmail(e.target.value)}
            onBlur={() => setTouched(true)}
            error={emailError}
          />
          <Field
            label="Password"
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            error={submitted && !password ? 'Enter your password.' : null}
          />
          <Button type="submit" busy={busy}>
            Sign in
          </Button>
        </form>
        {passkeysOffered ? (
          <div className="passkey-signin">
            <Button type="button" kind="secondary" busy={passkeyBusy} onClick={passkeyButton}>
              Sign in with a passkey
            </Button>
          </div>
        ) : null}
        <p className="below-form">
          <Link to="/forgot-password">Forgot your password?</Link> · New here?{' '}
          <Link to="/signup">Create an account</Link>
        </p>
      </Card>
    </div>
  );
}
