/** The profile page's side column: the photo (with its editor) and the account's deletion. */
import { type ChangeEvent, useRef, useState } from 'react';
import { api, type Me } from '../api.ts';
import { useAuth } from '../auth.tsx';
import { useConfirm } from '../dialog.tsx';
import { useRouter } from '../router.tsx';
import { Button, Card, messageOf, Notice } from '../ui.tsx';
import { PhotoEditor } from './photo-editor.tsx';

const TYPES = ['image/png', 'image/jpeg', 'image/webp'];

export function PhotoCard({
  me,
  onChanged,
  current,
  onAct,
}: {
  me: Me;
  onChanged: () => Promise<void>;
  /** Whether this card was acted on last (only then its notices show). */
  current: boolean;
  onAct: () => void;
}) {
  const [file, setFile] = useState<File | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [removing, setRemoving] = useState(false);
  const [dialog, confirm] = useConfirm();
  const input = useRef<HTMLInputElement>(null);

  const pick = (e: ChangeEvent<HTMLInputElement>) => {
    const chosen = e.target.files?.[0];
    e.target.value = '';
    onAct();
    setError(null);
    setDone(null);
    if (!chosen) return;
    if (!TYPES.includes(chosen.type)) return setError('Choose a PNG, JPEG or WebP image.');
    setFile(chosen);
  };
  const remove = async () => {
    if (!(await confirm({ title: 'Remove your photo?', action: 'Remove photo', danger: true }))) return;
    onAct();
    setError(null);
    setDone(null);
    setRemoving(true);
    try {
      await api.deletePhoto();
      await onChanged();
      setDone('Your photo is removed.');
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setRemoving(false);
    }
  };

  return (
    <Card title="Photo">
      {dialog}
      {file ? (
        <PhotoEditor
          file={file}
          onCancel={() => setFile(null)}
          onDone={async () => {
            setFile(null);
            await onChanged();
            setDone('Your new photo is saved.');
          }}
        />
      ) : (
        <div className="photo-box">
          {me.photo_url ? (
            <img className="avatar" src={me.photo_url} alt={me.name ?? me.email} width="160" height="160" />
          ) : (
            <div className="avatar avatar-empty" aria-hidden="true">
              {(me.name ?? me.email).slice(0, 1).toUpperCase()}
            </div>
          )}
          {done && current ? <Notice kind="success">{done}</Notice> : null}
          <p className="muted">
            PNG, JPEG or WebP. You choose how it is framed before it is sent; it is stored without its
            metadata (camera, location).
          </p>
          <div className="form-actions">
            <Button kind="secondary" onClick={() => input.current?.click()}>
              {me.photo_url ? 'Choose another photo' : 'Choose a photo'}
            </Button>
            {me.photo_url ? (
              <Button kind="link" busy={removing} onClick={remove}>
                Remove photo
              </Button>
            ) : null}
          </div>
          <input
            ref={input}
            type="file"
            accept={TYPES.join(',')}
            onChange={pick}
            className="visually-hidden"
            tabIndex={-1}
            aria-label="Photo file"
          />
        </div>
      )}
      {error && current ? <Notice kind="error">{error}</Notice> : null}
    </Card>
  );
}

export function DeleteAccount() {
  const { setUser } = useAuth();
  const { navigate } = useRouter();
  const [dialog, confirm] = useConfirm();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const remove = async () => {
    const ok = await confirm({
      title: 'Delete your account?',
      body: (
        <p>
          Your profile, photo, files and sessions are deleted and any subscription is cancelled. This cannot
          be undone.
        </p>
      ),
      action: 'Delete my account',
      danger: true,
      typeToConfirm: 'delete',
    });
    if (!ok) return;
    setBusy(true);
    setError(null);
    try {
      await api.deleteMe();
      setUser(null);
      navigate('/?deleted=1');
    } catch (err) {
      setError(messageOf(err));
      setBusy(false);
    }
  };
  return (
    <Card title="Delete account">
      {dialog}
      <p className="muted">Removes everything Gatehouse holds about you, at once.</p>
      {error ? <Notice kind="error">{error}</Notice> : null}
      <Button kind="danger" busy={busy} onClick={remove}>
        Delete my account…
      </Button>
    </Card>
  );
}
