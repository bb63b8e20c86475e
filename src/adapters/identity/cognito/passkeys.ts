/**
 * Passkeys in Cognito mode. Not built yet: every operation raises NOT_AVAILABLE_IN_MODE, as the
 * identity port asks of an operation an adapter cannot perform, so the web app hides its passkey
 * controls and the API answers 501 rather than pretending. The way to build it is Cognito's own
 * WebAuthn API (StartWebAuthnRegistration, CompleteWebAuthnRegistration, ListWebAuthnCredentials,
 * DeleteWebAuthnCredential, and USER_AUTH with the WEB_AUTHN challenge); see the README.
 */
import { AppError } from '../../../domain/errors.ts';
import type { Passkeys } from '../../../ports/passkeys.ts';

const unavailable = async (): Promise<never> => {
  throw new AppError('NOT_AVAILABLE_IN_MODE', 'Passkeys are not available with Cognito yet.');
};

export const cognitoPasskeys: Passkeys = {
  registrationOptions: unavailable,
  register: unavailable,
  authenticationOptions: unavailable,
  authenticate: unavailable,
  list: unavailable,
  rename: unavailable,
  remove: unavailable,
};
