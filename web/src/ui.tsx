/** Small building blocks shared by the pages: fields with their errors, buttons, notices, states. */
import { type InputHTMLAttributes, type ReactNode, useId } from 'react';
import { ApiError } from './api.ts';

export function Field({
  label,
  error,
  hint,
  ...input
}: {
  label: string;
  error?: string | null | undefined;
  hint?: ReactNode;
} & InputHTMLAttributes<HTMLInputElement>) {
  const id = useId();
  const described = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ');
  return (
    <div className={`field${error ? ' field-invalid' : ''}`}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={described || undefined}
        {...input}
      />
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
  return (
    <button
      className={`btn btn-${kind}`}
      disabled={busy || rest.disabled}
      aria-busy={busy || undefined}
      {...rest}
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
}: {
  title?: string;
  children: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <section className="card">
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

/** The field a server error is about, from its code, so it can be shown next to that field. */
export function fieldOf(err: unknown): string | null {
  if (!(err instanceof ApiError)) return null;
  if (err.code.startsWith('PASSWORD_') || err.code === 'WEAK_PASSWORD') return 'password';
  if (err.code === 'INVALID_CODE' || err.code === 'CODE_EXPIRED') return 'code';
  if (err.code === 'INVALID_EMAIL') return 'email';
  const message = err.message.toLowerCase();
  if (message.includes('password')) return 'password';
  if (message.includes('code')) return 'code';
  if (message.includes('email') || message.includes('address')) return 'email';
  return null;
}

export const formatBytes = (n: number): string => {
  if (n < 1024) return `${n} B`;
  const units = ['KB', 'MB', 'GB', 'TB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
};

export const formatDate = (iso: string | number): string =>
  new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
