/**
 * Social sign-in in the web app: the provider buttons (plain links: the start is a top-level
 * navigation to the server, which sends the browser on to the provider), the configured providers
 * fetched once per page load, and what each ?oauth_error=<CODE> the server sends back means.
 */
import { useEffect, useState } from 'react';
import { api, type Providers } from './api.ts';

let pending: Promise<Providers> | null = null;

/** The configured providers; an empty list until (and unless) the server names some. */
export function useProviders(): Providers {
  const [providers, setProviders] = useState<Providers>({ providers: [], linking: false });
  useEffect(() => {
    pending ??= api.providers().catch(() => ({ providers: [], linking: false }));
    let live = true;
    void pending.then((p) => live && setProviders(p));
    return () => {
      live = false;
    };
  }, []);
  return providers;
}

const MESSAGES: Record<string, string> = {
  OAUTH_REJECTED: 'The sign-in could not be completed. Please try again.',
  OAUTH_DENIED: 'Sign-in was cancelled at the provider.',
  OAUTH_EMAIL_UNVERIFIED:
    'The provider did not confirm that the email address is yours, so it cannot be used here.',
  ACCOUNT_EXISTS:
    'An account with this email already exists. Sign in with your password, then link the provider on the Security page.',
  IDENTITY_IN_USE:
    'That account is already linked to another user, or another account of that provider is linked.',
  SESSION_EXPIRED: 'Your session ended before the link was made. Sign in and try again.',
  USER_DISABLED: 'This account has been disabled.',
  UNAVAILABLE: 'The provider cannot be reached right now. Try again in a moment.',
};

export const oauthErrorMessage = (code: string | null): string | null =>
  code ? (MESSAGES[code] ?? MESSAGES.OAUTH_REJECTED ?? null) : null;

/** "Continue with ..." for each configured provider; nothing at all when there are none. */
export function SocialButtons({ returnTo, label }: { returnTo: string; label: string }) {
  const { providers } = useProviders();
  if (providers.length === 0) return null;
  return (
    <div className="social">
      <h2 className="visually-hidden">{label}</h2>
      {providers.map((p) => (
        <a
          key={p.id}
          className="btn btn-secondary btn-social"
          href={`${p.start_url}?return_to=${encodeURIComponent(returnTo)}`}
        >
          Continue with {p.name}
        </a>
      ))}
      <p className="social-or">
        <span>or</span>
      </p>
    </div>
  );
}
