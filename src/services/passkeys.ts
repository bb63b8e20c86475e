/**
 * Passkeys: the use cases behind /api/users/me/passkeys and /api/session/passkey, the same for
 * every identity provider (ports/passkeys.ts). The relying party is the page the browser is at:
 * APP_ORIGIN, or, while the app serves loopback with the default APP_ORIGIN, whichever of
 * config.loopbackOrigins the request came from, and never anything looser. A passkey sign-in with
 * user verification is a whole sign-in (two factors); a counter that went back is refused and
 * audited. Adding and removing one is audited and mailed as a security notice, and the last way
 * into an account (no password, no linked provider, one passkey) cannot be removed.
 */

import { isIP } from 'node:net';
import type { Config } from '../config/config.ts';
import { normalizeEmail } from '../domain/email.ts';
import { AppError } from '../domain/errors.ts';
import type { IdentityProvider } from '../ports/identity.ts';
import type {
  AuthenticationResponseJSON,
  Passkey,
  Passkeys,
  RegistrationResponseJSON,
  RelyingParty,
} from '../ports/passkeys.ts';
import type { Store } from '../ports/store.ts';
import { type AuditDeps, audit } from './audit.ts';
import type { Deps, Principal, RequestMeta } from './deps.ts';
import { type NoticesDeps, notify } from './notices.ts';
import { type ProfilesDeps, syncSignIn } from './profiles.ts';
import { type RevocationDeps, tokensPastMark } from './revocation.ts';
import { callerToken, type SessionIdpTokenDeps } from './session-idp-token.ts';
import type { SignedIn } from './signin.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type PasskeysDeps = {
  readonly identity: Pick<IdentityProvider, 'adminGetUser'>;
  readonly passkeys: Pick<
    Passkeys,
    | 'authenticate'
    | 'authenticationOptions'
    | 'capabilities'
    | 'list'
    | 'register'
    | 'registrationOptions'
    | 'remove'
    | 'rename'
  >;
  readonly config: Pick<Config, 'appOrigin' | 'loopbackOrigins' | 'serviceName'>;
  readonly store: Pick<Store, 'identities'>;
} & AuditDeps &
  NoticesDeps &
  ProfilesDeps &
  RevocationDeps &
  SessionIdpTokenDeps;

/**
 * The relying party for a request from `origin` (its Origin header). An origin that is not this
 * app's gets APP_ORIGIN's, whose RP ID the browser then refuses: a passkey never answers for a
 * page it was not made for. WebAuthn has no RP ID for an IP address, so a page at one is told
 * where passkeys work.
 */
export function relyingPartyFor(
  deps: { readonly config: Pick<Config, 'appOrigin' | 'loopbackOrigins' | 'serviceName'> },
  origin: string | undefined,
): RelyingParty {
  const { appOrigin, loopbackOrigins, serviceName } = deps.config;
  const chosen = origin !== undefined && loopbackOrigins.includes(origin) ? origin : appOrigin;
  const host = new URL(chosen).hostname;
  if (isIP(host.replace(/^\[|\]$/g, '')) !== 0) {
    const named = loopbackOrigins.find((o) => new URL(o).hostname === 'localhost');
    throw new AppError(
      'PASSKEY_NEEDS_HOST_NAME',
      named
        ? `Passkeys need a host name, not an IP address: open the app at ${named}.`
        : 'Passkeys need the app to be served at a host name, not an IP address (APP_ORIGIN).',
    );
  }
  return { id: host, name: serviceName, origin: chosen };
}

export async function startRegistration(
  deps: PasskeysDeps,
  principal: Principal,
  origin: string | undefined,
) {
  return deps.passkeys.registrationOptions(
    principal.userId,
    relyingPartyFor(deps, origin),
    callerToken(deps, principal),
  );
}

export async function finishRegistration(
  deps: PasskeysDeps,
  principal: Principal,
  input: { handle: string; response: RegistrationResponseJSON; name: string },
  meta: RequestMeta,
): Promise<Passkey> {
  const passkey = await deps.passkeys.register(
    principal.userId,
    input.handle,
    input.response,
    input.name,
    callerToken(deps, principal),
  );
  await audit(deps, {
    type: 'auth.passkey.added',
    subjectId: principal.userId,
    ip: meta.ip,
    detail: { passkey_id: passkey.id },
  });
  await notify(deps, principal.userId, { kind: 'passkey-added', name: passkey.name });
  return passkey;
}

/** `email`: the account to sign in to, where the provider needs it (capabilities.signInNeedsEmail). */
export async function startSignIn(deps: PasskeysDeps, origin: string | undefined, email?: string) {
  const rp = relyingPartyFor(deps, origin);
  if (!deps.passkeys.capabilities.signInNeedsEmail || email === undefined) {
    return deps.passkeys.authenticationOptions(rp);
  }
  return deps.passkeys.authenticationOptions(rp, normalizeEmail(email));
}

export async function finishSignIn(
  deps: PasskeysDeps,
  input: { handle: string; response: AuthenticationResponseJSON },
  meta: RequestMeta,
): Promise<SignedIn> {
  let result: Awaited<ReturnType<Deps['passkeys']['authenticate']>>;
  try {
    result = await deps.passkeys.authenticate(input.handle, input.response);
  } catch (err) {
    await audit(deps, {
      type: 'auth.signin',
      ip: meta.ip,
      outcome: 'failure',
      detail: { method: 'passkey', reason: err instanceof AppError ? err.code : 'ERROR' },
    });
    throw err;
  }
  if (result.kind === 'counter-regressed') {
    // The same key signing with a counter it has passed: a copy of it is in use somewhere.
    await audit(deps, {
      type: 'auth.passkey.counter_regressed',
      actorId: null,
      subjectId: result.userId,
      ip: meta.ip,
      outcome: 'failure',
      detail: { passkey_id: result.passkeyId },
    });
    throw new AppError(
      'PASSKEY_COUNTER_REGRESSED',
      'This passkey was refused: it looks like a copy of one already used. Sign in another way and check your passkeys.',
    );
  }
  // The profile refreshed and the user's record read back in one step, as for a password sign-in.
  const record = await syncSignIn(deps, result.user, result.tokens);
  await audit(deps, {
    type: 'auth.signin',
    subjectId: result.user.userId,
    ip: meta.ip,
    detail: { method: 'passkey', mfa: true, passkey_id: result.passkey.id },
  });
  const tokens = await tokensPastMark(deps, result.user.userId, result.tokens, record.revokedThrough);
  return { kind: 'tokens', tokens, user: result.user, record };
}

export const listPasskeys = (deps: PasskeysDeps, principal: Principal): Promise<Passkey[]> =>
  deps.passkeys.list(principal.userId, callerToken(deps, principal));

export async function renamePasskey(
  deps: PasskeysDeps,
  principal: Principal,
  passkeyId: string,
  name: string,
  meta: RequestMeta,
): Promise<Passkey> {
  const passkey = await deps.passkeys.rename(principal.userId, passkeyId, name);
  await audit(deps, {
    type: 'auth.passkey.renamed',
    subjectId: principal.userId,
    ip: meta.ip,
    detail: { passkey_id: passkeyId },
  });
  return passkey;
}

/**
 * How many passkeys the user has, 0 where the provider has none (for the last-way-in rules). Without
 * the user's own token a Cognito pool cannot say, and answers 0: its users always have a password.
 */
export async function passkeyCount(deps: PasskeysDeps, userId: string): Promise<number> {
  try {
    return (await deps.passkeys.list(userId)).length;
  } catch (err) {
    if (err instanceof AppError && err.code === 'NOT_AVAILABLE_IN_MODE') return 0;
    throw err;
  }
}

export async function removePasskey(
  deps: PasskeysDeps,
  principal: Principal,
  passkeyId: string,
  meta: RequestMeta,
): Promise<void> {
  const { userId } = principal;
  const caller = callerToken(deps, principal);
  const [passkeys, user, identities] = await Promise.all([
    deps.passkeys.list(userId, caller),
    deps.identity.adminGetUser(userId),
    deps.store.identities.listForUser(userId),
  ]);
  const target = passkeys.find((p) => p.id === passkeyId);
  if (!target) throw new AppError('NOT_FOUND', 'No such passkey.');
  // Without a password or a provider, the passkeys are the way in: the adapter keeps the last one.
  // (A Cognito pool user always has a password: there the last passkey may go.)
  await deps.passkeys.remove(userId, passkeyId, {
    keepOne: !user?.hasPassword && identities.length === 0,
    caller,
  });
  await audit(deps, {
    type: 'auth.passkey.removed',
    subjectId: userId,
    ip: meta.ip,
    detail: { passkey_id: passkeyId },
  });
  await notify(deps, userId, { kind: 'passkey-removed', name: target.name });
}
