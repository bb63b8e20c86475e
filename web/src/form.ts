/**
 * The behaviour every form shares. Fields are checked on every keystroke; a field's problem shows
 * once the user has left it (or tried to send), and from then on follows each keystroke, so an
 * error disappears the moment it is fixed. A server refusal goes next to the field it names (or
 * above the form) and clears when that field changes. Nothing the user typed is reset on an error.
 * A form sends once at a time: a second submit while the first is on its way (a double click, Enter
 * pressed twice) is dropped, and the submit button shows it is working (Button's `busy`).
 *
 *   const form = useForm({ email: emailProblem(email) });
 *   <form onSubmit={form.submit(async () => { await api.x(...); })}>
 *     <Field error={form.show('email')} onBlur={form.leave('email')} onChange={...form.changed('email')} />
 */
import { type FormEvent, useCallback, useRef, useState } from 'react';
import { type FormError, formError } from './ui.tsx';

export function useForm<K extends string>(
  problems: Record<K, string | null>,
  /** Server field names that mean one of this form's fields: { password: 'new_password' }. */
  aliases: Partial<Record<string, NoInfer<K>>> = {},
) {
  const [touched, setTouched] = useState<Partial<Record<K, boolean>>>({});
  const [server, setServer] = useState<FormError>(null);
  const [busy, setBusy] = useState(false);
  // The state re-renders too late to stop a second click of the same gesture: a ref does not.
  const sending = useRef(false);

  const mapped = (err: unknown): FormError => {
    const e = formError(err);
    return e?.field && aliases[e.field] ? { ...e, field: aliases[e.field] ?? e.field } : e;
  };
  const show = (field: K): string | null =>
    server?.field === field ? server.message : touched[field] ? problems[field] : null;

  return {
    busy,
    show,
    /** The server's refusal when it names no field of this form: shown above the form. */
    formError: server && !(server.field && server.field in problems) ? server.message : null,
    leave: (field: K) => () => setTouched((t) => ({ ...t, [field]: true })),
    /** Call from onChange: a server error about this field is now out of date. */
    changed: (field: K) => {
      if (server?.field === field) setServer(null);
    },
    fail: (err: unknown) => setServer(mapped(err)),
    reset: () => {
      setTouched({});
      setServer(null);
    },
    /** An onSubmit handler: shows every problem, and runs `send` only when there is none. */
    submit: (send: () => Promise<void>) => async (e: FormEvent) => {
      e.preventDefault();
      setTouched(Object.fromEntries(Object.keys(problems).map((k) => [k, true])) as Record<K, boolean>);
      if (Object.values(problems).some(Boolean) || sending.current) return;
      sending.current = true;
      setBusy(true);
      setServer(null);
      try {
        await send();
      } catch (err) {
        setServer(mapped(err));
      } finally {
        sending.current = false;
        setBusy(false);
      }
    },
  };
}

/**
 * One action at a time for a button outside a form (resend a code, sign a device out): `run`
 * ignores calls while one is on its way; `busy` says which one is (its key), for the button.
 *
 *   const action = useAction();
 *   <Button busy={action.busy === s.id} onClick={() => action.run(s.id, () => api.revoke(s.id))}>
 */
export function useAction() {
  const [busy, setBusy] = useState<string | null>(null);
  const running = useRef(false);
  const run = useCallback(async (key: string, act: () => Promise<void>): Promise<void> => {
    if (running.current) return;
    running.current = true;
    setBusy(key);
    try {
      await act();
    } finally {
      running.current = false;
      setBusy(null);
    }
  }, []);
  return { busy, run };
}
