/**
 * The security page's "Passkeys" card: the user's passkeys, adding one (the browser and the
 * device's lock do the work: @simplewebauthn/browser's startRegistration), renaming and removing
 * one. Shown only where the server offers passkeys (client config); the server keeps the last way
 * in and says so when asked to remove it. Where the provider names passkeys itself and has no
 * rename (Cognito: client config passkey_rename and passkey_keeps_name false), neither the name
 * field nor the Rename button is shown.
 */
import { browserSupportsWebAuthn, startRegistration } from '@simplewebauthn/browser';
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import { api, type Passkeys } from '../api.ts';
import { useClientConfig } from '../config.ts';
import { useConfirm } from '../dialog.tsx';
import { deviceLabel } from '../labels.ts';
import { passkeyProblem } from '../passkey-problem.ts';
import { Button, Card, Field, formatDate, Loading, messageOf, Notice } from '../ui.tsx';

function PasskeyRow({
  passkey,
  canRename,
  reportsUse,
  onChanged,
  onError,
}: {
  passkey: Passkeys[number];
  canRename: boolean;
  reportsUse: boolean;
  onChanged: () => void;
  onError: (message: string | null) => void;
}) {
  const [renaming, setRenaming] = useState(false);
  const [name, setName] = useState(passkey.name);
  const [busy, setBusy] = useState(false);
  const [dialog, confirm] = useConfirm();
  const rename = async (e: FormEvent) => {
    e.preventDefault();
    if (!name.trim()) return onError('Give the passkey a name.');
    setBusy(true);
    try {
      await api.renamePasskey(passkey.id, name.trim());
      setRenaming(false);
      onError(null);
      onChanged();
    } catch (err) {
      onError(messageOf(err));
    } finally {
      setBusy(false);
    }
  };
  const remove = async () => {
    const ok = await confirm({
      title: `Remove the passkey “${passkey.name}”?`,
      body: <p>It will no longer sign you in. The device may still list it: delete it there too.</p>,
      action: 'Remove passkey',
      danger: true,
    });
    if (!ok) return;
    try {
      await api.removePasskey(passkey.id);
      onError(null);
      onChanged();
    } catch (err) {
      onError(messageOf(err));
    }
  };
  return (
    <li>
      {dialog}
      {renaming ? (
        <form onSubmit={rename} noValidate className="passkey-rename">
          <Field
            label="Passkey name"
            name="passkey_name"
            maxLength={64}
            autoFocus
            value={name}
            onChange={(e) => setName(e.target.value)}
          />
          <Button type="submit" busy={busy}>
            Save
          </Button>
          <Button type="button" kind="link" onClick={() => setRenaming(false)}>
            Cancel
          </Button>
        </form>
      ) : (
        <>
          <div>
            <strong>{passkey.name}</strong> {passkey.synced ? <span className="badge">Synced</span> : null}
            <p className="muted">
              Added {formatDate(passkey.created_at)}
              {reportsUse
                ? ` · ${passkey.last_used_at ? `last used ${formatDate(passkey.last_used_at)}` : 'not used yet'}`
                : null}
            </p>
          </div>
          <span className="row-buttons">
            {canRename ? (
              <Button
                kind="secondary"
                onClick={() => setRenaming(true)}
                aria-label={`Rename ${passkey.name}`}
              >
                Rename
              </Button>
            ) : null}
            <Button kind="secondary" onClick={remove} aria-label={`Remove ${passkey.name}`}>
              Remove
            </Button>
          </span>
        </>
      )}
    </li>
  );
}

export function PasskeysCard() {
  const config = useClientConfig();
  const [passkeys, setPasskeys] = useState<Passkeys | null>(null);
  const [name, setName] = useState(() => deviceLabel(navigator.userAgent));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [added, setAdded] = useState<string | null>(null);
  const offered = config?.passkeys === true;
  const canRename = config?.passkey_rename !== false;
  const keepsName = config?.passkey_keeps_name !== false;
  const reportsUse = config?.passkey_reports_use !== false;
  const load = useCallback(() => {
    api.passkeys().then(
      (p) => setPasskeys(p.passkeys),
      (e) => setError(messageOf(e)),
    );
  }, []);
  useEffect(() => {
    if (offered) load();
  }, [offered, load]);
  if (!offered) return null;

  const add = async (e: FormEvent) => {
    e.preventDefault();
    if (keepsName && !name.trim()) return setError('Give the passkey a name you will recognise.');
    setBusy(true);
    setError(null);
    setAdded(null);
    try {
      const { options } = await api.passkeyOptions();
      const response = await startRegistration({ optionsJSON: options as never });
      const out = await api.addPasskey(keepsName ? name.trim() : 'Passkey', response);
      setAdded(out.passkey.name);
      setName('');
      load();
    } catch (err) {
      setError(passkeyProblem(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Card title="Passkeys">
      <p>
        A passkey signs you in with your device’s fingerprint, face or screen lock instead of a password and
        code.
      </p>
      {added ? (
        <Notice kind="success">The passkey “{added}” is added: you can sign in with it now.</Notice>
      ) : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
      {!passkeys && !error ? <Loading /> : null}
      {passkeys?.length === 0 ? <p className="empty">No passkey yet.</p> : null}
      <ul className="list">
        {passkeys?.map((p) => (
          <PasskeyRow
            key={p.id}
            passkey={p}
            canRename={canRename}
            reportsUse={reportsUse}
            onChanged={load}
            onError={setError}
          />
        ))}
      </ul>
      {browserSupportsWebAuthn() ? (
        <form onSubmit={add} noValidate className="passkey-add">
          {keepsName ? (
            <Field
              label="Name for a new passkey"
              name="new_passkey_name"
              maxLength={64}
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          ) : (
            <p className="hint">Your device names the passkey; it cannot be renamed here.</p>
          )}
          <Button type="submit" busy={busy}>
            Add a passkey
          </Button>
        </form>
      ) : (
        <p className="hint">This browser cannot create passkeys.</p>
      )}
    </Card>
  );
}
