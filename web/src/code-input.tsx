/**
 * The one input for every 6-digit code (email confirmation, password reset, the authenticator's
 * code): the phone offers the code from a message or an SMS (autocomplete one-time-code) on a
 * numeric keyboard, a pasted "123 456" or "123-456" goes in whole (no maxLength to cut it short),
 * anything but digits is dropped, and once six digits are in, the form is sent by itself when the
 * code is the last thing it needs (`submitWhenComplete`).
 */
import { Field } from './ui.tsx';

const digitsOf = (text: string) => text.replace(/\D/g, '').slice(0, 6);

export function CodeInput({
  label,
  value,
  onChange,
  onBlur,
  error,
  hint,
  name = 'code',
  autoFocus,
  submitWhenComplete = false,
}: {
  label: string;
  value: string;
  onChange: (code: string) => void;
  onBlur?: () => void;
  error?: string | null;
  hint?: string;
  name?: string;
  autoFocus?: boolean;
  /** Sends the form as soon as the sixth digit arrives (typed, pasted or filled in by the phone). */
  submitWhenComplete?: boolean;
}) {
  const take = (text: string, el: HTMLInputElement) => {
    const code = digitsOf(text);
    onChange(code);
    // After React has applied the value, so the form sees all six digits.
    if (submitWhenComplete && code.length === 6 && code !== value)
      requestAnimationFrame(() => el.form?.requestSubmit());
  };
  return (
    <Field
      label={label}
      name={name}
      className="code-input"
      inputMode="numeric"
      autoComplete="one-time-code"
      pattern="[0-9]*"
      spellCheck={false}
      autoFocus={autoFocus}
      value={value}
      onChange={(e) => take(e.target.value, e.currentTarget)}
      onPaste={(e) => {
        e.preventDefault();
        take(e.clipboardData.getData('text'), e.currentTarget);
      }}
      // A code is replaced, not edited: focusing selects it, so the next code types over it.
      onFocus={(e) => e.currentTarget.select()}
      onBlur={onBlur}
      error={error}
      hint={hint}
    />
  );
}
