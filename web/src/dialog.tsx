/**
 * Confirmation before anything that cannot be undone, in a native modal <dialog>: the browser
 * keeps focus inside it, Escape cancels, and focus goes back where it was. Cancel takes the first
 * focus, so a stray Enter never confirms. For the gravest actions the user types a word first.
 *
 *   const [dialog, confirm] = useConfirm();
 *   if (await confirm({ title: 'Delete notes.txt?', action: 'Delete', danger: true })) ...
 *   return <>{dialog}...</>;
 */
import { type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import { Button, Field } from './ui.tsx';

export interface ConfirmOptions {
  readonly title: string;
  readonly body?: ReactNode;
  /** The confirming button's label: the action itself ("Delete file"), never "OK". */
  readonly action: string;
  readonly danger?: boolean;
  /** A word the user must type before the action is allowed. */
  readonly typeToConfirm?: string;
}

type Request = ConfirmOptions & { resolve: (ok: boolean) => void };

export function useConfirm(): [ReactNode, (options: ConfirmOptions) => Promise<boolean>] {
  const [request, setRequest] = useState<Request | null>(null);
  const confirm = useCallback(
    (options: ConfirmOptions) => new Promise<boolean>((resolve) => setRequest({ ...options, resolve })),
    [],
  );
  const dialog = request ? (
    <ConfirmDialog
      {...request}
      onClose={(ok) => {
        request.resolve(ok);
        setRequest(null);
      }}
    />
  ) : null;
  return [dialog, confirm];
}

function ConfirmDialog({
  title,
  body,
  action,
  danger,
  typeToConfirm,
  onClose,
}: ConfirmOptions & { onClose: (ok: boolean) => void }) {
  const id = useId();
  const [typed, setTyped] = useState('');
  const allowed = !typeToConfirm || typed.trim() === typeToConfirm;
  return (
    <Modal
      labelledBy={`${id}-title`}
      describedBy={body ? `${id}-body` : undefined}
      onCancel={() => onClose(false)}
    >
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (allowed) onClose(true);
        }}
      >
        <h2 id={`${id}-title`}>{title}</h2>
        {body ? (
          <div id={`${id}-body`} className="dialog-body">
            {body}
          </div>
        ) : null}
        {typeToConfirm ? (
          <Field
            label={`Type ${typeToConfirm} to confirm`}
            name="confirm"
            autoComplete="off"
            value={typed}
            onChange={(e) => setTyped(e.target.value)}
          />
        ) : null}
        <div className="dialog-actions">
          <Button type="button" kind="secondary" autoFocus onClick={() => onClose(false)}>
            Cancel
          </Button>
          <Button type="submit" kind={danger ? 'danger' : 'primary'} disabled={!allowed}>
            {action}
          </Button>
        </div>
      </form>
    </Modal>
  );
}

/** A native modal dialog, open while mounted; Escape calls onCancel. */
export function Modal({
  labelledBy,
  describedBy,
  onCancel,
  children,
}: {
  labelledBy: string;
  describedBy?: string | undefined;
  onCancel: () => void;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const dialog = ref.current;
    // Focus goes back where it was: the browser does it on close(), but not once React has removed
    // the dialog, which is how it closes here.
    const before = document.activeElement instanceof HTMLElement ? document.activeElement : null;
    if (dialog && !dialog.open) dialog.showModal();
    return () => {
      dialog?.close();
      if (before?.isConnected) before.focus();
      else document.querySelector<HTMLElement>('main h1')?.focus();
    };
  }, []);
  return (
    <dialog
      ref={ref}
      className="dialog"
      aria-labelledby={labelledBy}
      aria-describedby={describedBy}
      onCancel={(e) => {
        e.preventDefault();
        onCancel();
      }}
    >
      {children}
    </dialog>
  );
}
