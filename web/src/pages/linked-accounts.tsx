/**
 * The security page's "Sign-in providers" card: the social accounts linked to this user, removing
 * one (never the last way to sign in: the server refuses, and the button says why first), and
 * linking another while signed in (the server answers with the provider's URL to go to).
 */
import { useCallback, useEffect, useState } from 'react';
import { api, type Identities } from '../api.ts';
import { useRouter } from '../router.tsx';
import { oauthErrorMessage, useProviders } from '../social.tsx';
import { Button, Card, formatDate, Loading, messageOf, Notice } from '../ui.tsx';

export function LinkedAccounts() {
  const { location } = useRouter();
  const { providers, linking } = useProviders();
  const [data, setData] = useState<Identities | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(oauthErrorMessage(location.query.get('oauth_error')));
  const linkedNow = providers.find((p) => p.id === location.query.get('linked'))?.name;

  const load = useCallback(() => {
    api.identities().then(setData, (e) => setError(messageOf(e)));
  }, []);
  useEffect(load, [load]);

  if (!data) {
    return (
      <Card title="Sign-in providers">{error ? <Notice kind="error">{error}</Notice> : <Loading />}</Card>
    );
  }
  const linked = new Set(data.identities.map((i) => i.provider));
  const onlyWayIn = !data.password_set && data.identities.length <= 1 && data.passkeys === 0;
  const remove = async (provider: string) => {
    setBusy(provider);
    setError(null);
    try {
      await api.unlinkIdentity(provider);
      load();
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setBusy(null);
    }
  };
  const link = async (provider: string) => {
    setBusy(provider);
    setError(null);
    try {
      window.location.assign((await api.linkProvider(provider)).url);
    } catch (err) {
      setError(messageOf(err));
      setBusy(null);
    }
  };
  const unlinked = linking ? providers.filter((p) => !linked.has(p.id)) : [];
  if (data.identities.length === 0 && unlinked.length === 0) return null;

  return (
    <Card title="Sign-in providers">
      {linkedNow ? <Notice kind="success">{linkedNow} is linked: you can sign in with it now.</Notice> : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
      {data.identities.length === 0 ? <p className="empty">No provider is linked.</p> : null}
      <ul className="list">
        {data.identities.map((i) => (
          <li key={i.provider}>
            <div>
              <strong>{i.provider_name}</strong>
              <p className="muted">
                {i.email ?? 'No email shared'} · linked {formatDate(i.linked_at)}
              </p>
            </div>
            {linking ? (
              <Button
                kind="secondary"
                busy={busy === i.provider}
                disabled={onlyWayIn}
                title={onlyWayIn ? 'This is your only way to sign in' : undefined}
                aria-label={`Remove ${i.provider_name}`}
                onClick={() => remove(i.provider)}
              >
                Remove
              </Button>
            ) : null}
          </li>
        ))}
      </ul>
      {onlyWayIn && linking ? (
        <p className="hint">
          This is your only way to sign in. To remove it, first set a password with “Forgot password” on the
          sign-in page, add a passkey, or link another provider.
        </p>
      ) : null}
      {unlinked.map((p) => (
        <Button key={p.id} kind="secondary" busy={busy === p.id} onClick={() => link(p.id)}>
          Link {p.name}
        </Button>
      ))}
    </Card>
  );
}
