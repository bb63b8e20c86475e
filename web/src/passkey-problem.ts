/** Words for a passkey ceremony that did not finish: the browser's refusals and the server's. */
import { WebAuthnError } from '@simplewebauthn/browser';
import { messageOf } from './ui.tsx';

/** What a browser's refusal means to the person in front of it. */
export function passkeyProblem(err: unknown): string {
  const name = err instanceof WebAuthnError ? err.code : err instanceof Error ? err.name : '';
  if (name === 'ERROR_AUTHENTICATOR_PREVIOUSLY_REGISTERED' || name === 'InvalidStateError')
    return 'This device already has a passkey for your account.';
  if (name === 'NotAllowedError' || name === 'ERROR_CEREMONY_ABORTED' || name === 'AbortError')
    return 'No passkey was used: the request was cancelled or took too long.';
  return messageOf(err);
}

/**
 * Whether a page at `hostname` can use passkeys at all: WebAuthn binds them to a domain name (or
 * localhost), never to an IP address, so at http://127.0.0.1 or [::1] every ceremony is refused.
 * The sign-in page then starts no autofill request (nobody asked, and it could only fail); the
 * button still explains, when pressed, which address to open instead.
 */
export const hostCanHavePasskeys = (hostname: string): boolean =>
  !/^\d{1,3}(\.\d{1,3}){3}$/.test(hostname) && !hostname.includes(':') && !hostname.startsWith('[');
