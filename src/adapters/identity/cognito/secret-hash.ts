/**
 * Cognito's SECRET_HASH, and the two small envelopes that carry the username it is computed from.
 * What it guarantees: with an app-client secret configured, every call that needs a SECRET_HASH
 * gets base64(HMAC-SHA256(key = client secret, message = username + client id)) for exactly the
 * username Cognito will check it against; without a secret, no SECRET_HASH is sent at all.
 *
 * Why envelopes: REFRESH_TOKEN_AUTH and RespondToAuthChallenge carry no email, yet Cognito checks
 * their SECRET_HASH against the user's internal username, which in a pool whose sign-in name is the
 * email is the user's `sub`, not the email (a hash over the email fails with "Unable to verify
 * secret hash for client"). A Cognito refresh token is encrypted (JWE), so the sub cannot be read
 * back from it; the adapter therefore hands out `<base64url(username)>~<Cognito's token>` and takes
 * it apart again. `~` appears in no base64, base64url or JWE text, so the split is unambiguous.
 * Tampering with the prefix only breaks the hash, and Cognito then refuses the call.
 */
import { createHmac } from 'node:crypto';

export function secretHash(clientSecret: string, username: string, clientId: string): string {
  return createHmac('sha256', clientSecret)
    .update(username + clientId)
    .digest('base64');
}

/** The SECRET_HASH for a username, or undefined when the app client has no secret. */
export type SecretHasher = (username: string) => string | undefined;

export const secretHasher =
  (clientId: string, clientSecret: string | undefined): SecretHasher =>
  (username) =>
    clientSecret ? secretHash(clientSecret, username, clientId) : undefined;

const SEP = '~';

/** Wraps an opaque Cognito value (refresh token, challenge session) with the username it belongs to. */
export const wrapWithUser = (username: string, opaque: string): string =>
  `${Buffer.from(username, 'utf8').toString('base64url')}${SEP}${opaque}`;

/** The username and the Cognito value, or the value alone when it was not wrapped by this adapter. */
export function unwrapUser(value: string): { username: string | null; opaque: string } {
  const at = value.indexOf(SEP);
  if (at <= 0) return { username: null, opaque: value };
  const username = Buffer.from(value.slice(0, at), 'base64url').toString('utf8');
  return { username: username.length > 0 ? username : null, opaque: value.slice(at + 1) };
}
