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
