/** Small building blocks shared by the pages: fields with their errors, buttons, notices, states. */
import { type InputHTMLAttributes, type ReactNode, useId, useState } from 'react';
import { ApiError } from './api.ts';

/**
 * A labelled input with its hint and its error (the error replaces the hint, and is announced).
 * Password inputs get a Show toggle (aria-pressed), so a long passphrase can be checked before sending.
 */
export function Field({
  label,
  error,
  hint,
  type,
  ...input
}: {
  label: string;
  error?: string | null | undefined;
  hint?: ReactNode;
} & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  const [shown, setShown] = useState(false);
  const described = [error ? `${id}-error` : null, hint && !error ? `${id}-hint` : null]
    .filter(Boolean)
    .join(' ');
  const control = (
    <input
      id={id}
      type={type === 'password' && shown ? 'text' : type}
      aria-invalid={error ? true : undefined}
      aria-describedby={described || undefined}
      {...input}
    />
  );
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      {type === 'password' ? (
        <div className="reveal">
          {control}
          <button
            type="button"
            className="reveal-toggle"
            aria-pressed={shown}
            aria-controls={id}
            onClick={() => setShown(!shown)}
          >
            Show
          </button>
        </div>
      ) : (
        control
      )}
      {hint && !error ? (
        <p className="hint" id={`${id}-hint`}>
          {hint}
        </p>
      ) : null}
      {error ? (
        <p className="error-text" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}

export function Button({
  busy,
  children,
  kind = 'primary',
  ...rest
}: {
  busy?: boolean;
  kind?: 'primary' | 'secondary' | 'danger' | 'link';
} & React.ButtonHTMLAttributes<HTMLButtonElement>) {
  // After the spread: a caller's `disabled={false}` must not re-enable a button that is working.
  return (
    <button
      {...rest}
      className={`btn btn-${kind}`}
      disabled={busy || rest.disabled}
      aria-busy={busy || undefined}
    >
      {busy ? <span className="spinner" aria-hidden="true" /> : null}
      {children}
    </button>
  );
}

export function Notice({ kind, children }: { kind: 'error' | 'success' | 'info'; children: ReactNode }) {
  return (
    <div className={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status">
      <span className="spinner" aria-hidden="true" /> {label}
    </div>
  );
}

export function Card({
  title,
  children,
  actions,
  id,
}: {
  title?: string;
  children: ReactNode;
  actions?: ReactNode;
  /** For links to this part of the page (#invoices). */
  id?: string;
}) {
  return (
    <section className="card" id={id}>
      {title ? (
        <header className="card-head">
          <h2>{title}</h2>
          {actions}
        </header>
      ) : null}
      {children}
    </section>
  );
}

/** A user-facing message for any failure. */
export const messageOf = (err: unknown): string =>
  err instanceof ApiError ? err.message : 'Something went wrong. Try again.';

/**
 * The field a server error is about, so it can be shown next to that field: by its stable code,
 * and for a schema refusal (VALIDATION_FAILED) by the body field its message names. Null: the
 * error is about the whole form.
 */
export function fieldOf(err: unknown): string | null {
  if (!(err instanceof ApiError)) return null;
  if (err.code.startsWith('PASSWORD_')) return 'password';
  if (['INVALID_CODE', 'CODE_EXPIRED', 'CODE_ALREADY_USED', 'RECOVERY_CODE_USED'].includes(err.code))
    return 'code';
  if (err.code === 'INVALID_PHONE_NUMBER') return 'phone_number';
  if (err.code === 'INVALID_EMAIL') return 'email';
  // Only where a signed-in user retypes their password (sign-in keeps it about the whole form).
  if (err.code === 'INVALID_CREDENTIALS') return 'current_password';
  if (err.code === 'VALIDATION_FAILED') {
    // "Invalid body: address.country must match pattern ..." names the field "country".
    const named = /^Invalid body: ([\w.]+) /.exec(err.message)?.[1];
    return named && named !== 'unknown' ? (named.split('.').pop() ?? null) : null;
  }
  return null;
}

/** A form's error: shown next to its field when it names one, else above the form. */
export type FormError = { field: string | null; message: string } | null;
export const formError = (err: unknown): FormError => ({ field: fieldOf(err), message: messageOf(err) });

const SIZE_UNITS = ['kilobyte', 'megabyte', 'gigabyte', 'terabyte'] as const;

/**
 * A size in the user's language with decimal units, which match their numbers (1 MB is 1,000,000
 * bytes, as plans and storage makers count): "45 MB", "1.5 kB", "45 Mo" in French.
 */
export const formatBytes = (n: number): string => {
  if (n < 1000)
    return new Intl.NumberFormat(undefined, { style: 'unit', unit: 'byte', unitDisplay: 'long' }).format(n);
  let v = n / 1000;
  let i = 0;
  while (v >= 1000 && i < SIZE_UNITS.length - 1) {
    v /= 1000;
    i++;
  }
  return new Intl.NumberFormat(undefined, {
    style: 'unit',
    unit: SIZE_UNITS[i],
    unitDisplay: 'short',
    maximumFractionDigits: v < 10 ? 1 : 0,
  }).format(v);
};

export const formatDate = (iso: string | number): string =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

/** The day alone, in the user's language ("12 Mar 2025", "Mar 12, 2025"). */
export const formatDay = (iso: string | number): string =>
  new Date(iso).toLocaleDateString(undefined, { dateStyle: 'medium' });

/** Copies text to the clipboard and says so (in the button and to screen readers). */
export function CopyButton({ text, label }: { text: string; label: string }) {
  const [copied, setCopied] = useState<'yes' | 'no' | null>(null);
  return (
    <button
      type="button"
      className="btn btn-secondary btn-small"
      onClick={() =>
        navigator.clipboard?.writeText(text).then(
          () => setCopied('yes'),
          () => setCopied('no'),
        ) ?? setCopied('no')
      }
    >
      <span aria-live="polite">
        {copied === 'yes' ? 'Copied' : copied === 'no' ? 'Select and copy by hand' : label}
      </span>
    </button>
  );
}
