/**
 * The only way the web app talks to the server: same-origin fetch under /api with the browser
 * session cookie (HttpOnly: no token is ever visible here). Request and response types are the
 * server's own TypeBox schemas, imported as types. Errors arrive as ApiError with the server's
 * stable code; a 401 sends the app to sign-in and back afterwards (see app.tsx).
 */
import type { Static, TSchema } from 'typebox';
import type { AdminInvoices, AdminUserDetail } from '../../src/http/schemas/admin.ts';
import type {
  Challenge,
  ConfirmBody,
  EmailBody,
  ProfileAnswer,
  ResetBody,
  SessionAnswer,
  SessionList,
  SessionState,
  SignInBody,
  SignUpAnswer,
  SignUpBody,
  TotpSetupAnswer,
  TotpVerifyAnswer,
  User,
} from '../../src/http/schemas/auth.ts';
import type {
  ChangePlanAnswer,
  InvoicesAnswer,
  PlansAnswer,
  RefundAnswer,
  RefundBody,
  SubscriptionAnswer,
  UrlAnswer,
} from '../../src/http/schemas/billing.ts';
import type { ErrorBody, Message } from '../../src/http/schemas/common.ts';
import type { EmailChangeAnswer } from '../../src/http/schemas/email-change.ts';
import type {
  IdentitiesAnswer,
  UrlAnswer as LinkAnswer,
  ProvidersAnswer,
} from '../../src/http/schemas/oauth.ts';
import type { ClientConfigAnswer, DevMailAnswer } from '../../src/http/schemas/ops.ts';
import type { OptionsAnswer, PasskeyAnswer, PasskeyList } from '../../src/http/schemas/passkeys.ts';
import type {
  ActivityList,
  AdminUser,
  AdminUserList,
  AdminUserPatch,
  AdminUserQuery,
  AuditList,
  AuditQueryParams,
  DataAnswer,
  FileAnswer,
  FileList,
  PhotoAnswer,
  ProfileUpdateBody,
} from '../../src/http/schemas/users.ts';

type S<T extends TSchema> = Static<T>;
export type Me = S<typeof User>;
export type Plans = S<typeof PlansAnswer>['plans'];
export type Subscription = S<typeof SubscriptionAnswer>;
export type Invoices = S<typeof InvoicesAnswer>['invoices'];
export type Files = S<typeof FileList>;
export type StoredFile = S<typeof FileAnswer>['file'];
export type Sessions = S<typeof SessionList>;
export type Activity = S<typeof ActivityList>;
export type AdminUsers = S<typeof AdminUserList>;
export type AdminUserView = S<typeof AdminUserDetail>;
export type Audit = S<typeof AuditList>;
export type ProfilePatch = S<typeof ProfileUpdateBody>;
export type TotpSetup = S<typeof TotpSetupAnswer>;
export type Providers = S<typeof ProvidersAnswer>;
export type Identities = S<typeof IdentitiesAnswer>;
export type ClientConfig = S<typeof ClientConfigAnswer>;
export type DevMail = S<typeof DevMailAnswer>['messages'];
export type DemoData = S<typeof DataAnswer>;
export type Passkeys = S<typeof PasskeyList>['passkeys'];
export type UserFilter = Omit<S<typeof AdminUserQuery>, 'limit'>;
export type AuditFilter = Omit<S<typeof AuditQueryParams>, 'limit'>;

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** A query string from a filter object, leaving out empty values. */
const query = (params: Record<string, string | undefined>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v) q.set(k, v);
  const text = q.toString();
  return text ? `?${text}` : '';
};

/** Fired after every change the app makes (any successful non-GET call): lists of events refresh. */
const CHANGED = 'gatehouse:changed';
export function onChange(fn: () => void): () => void {
  window.addEventListener(CHANGED, fn);
  return () => window.removeEventListener(CHANGED, fn);
}

/** Called on any 401 from a signed-in call: the app goes to sign-in and comes back. */
let onUnauthenticated: (() => void) | null = null;
export const setUnauthenticatedHandler = (fn: () => void) => {
  onUnauthenticated = fn;
};

/**
 * A 401 that means "no session any more" (signed out elsewhere, disabled, expired), as opposed to
 * a wrong password typed into a form (INVALID_CREDENTIALS), which stays on the page.
 */
const sessionEnded = (code: string | undefined) => code !== 'INVALID_CREDENTIALS';

let csrfToken: string | null = null;

async function call<T>(
  method: string,
  path: string,
  body?: unknown,
  opts: { quiet401?: boolean; noChangeEvent?: boolean } = {},
): Promise<T> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (csrfToken && method !== 'GET') headers['x-csrf-token'] = csrfToken;
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  } catch {
    throw new ApiError(0, 'NETWORK', 'The server cannot be reached. Check your connection and try again.');
  }
  if (res.ok && method !== 'GET' && !opts.noChangeEvent) window.dispatchEvent(new Event(CHANGED));
  if (res.status === 204) return undefined as T;
  const data: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const err = (data as S<typeof ErrorBody> | null)?.error;
    if (res.status === 401 && !opts.quiet401 && sessionEnded(err?.code)) onUnauthenticated?.();
    throw new ApiError(
      res.status,
      err?.code ?? 'HTTP_ERROR',
      err?.message ?? `The server answered ${res.status}.`,
    );
  }
  return data as T;
}

type SignInAnswer = S<typeof SessionAnswer> | S<typeof Challenge>;

export const api = {
  session: async () => {
    // 200 either way: { user, csrf_token } when signed in, { user: null } when not (no console error).
    const out = await call<S<typeof SessionState>>('GET', '/api/session', undefined, { quiet401: true });
    csrfToken = ('csrf_token' in out ? out.csrf_token : undefined) ?? null;
    return out;
  },
  signIn: (body: S<typeof SignInBody>) =>
    call<SignInAnswer>('POST', '/api/session', body, { quiet401: true }),
  signInMfa: (session: string, code: string) =>
    call<S<typeof SessionAnswer>>('POST', '/api/session/mfa', { session, code }, { quiet401: true }),
  // No change event: the pages listening are about to go, and must not ask with no session.
  signOut: () => call<void>('DELETE', '/api/session', undefined, { noChangeEvent: true }),
  signUp: (body: S<typeof SignUpBody>) => call<S<typeof SignUpAnswer>>('POST', '/api/auth/signup', body),
  confirm: (body: S<typeof ConfirmBody>) => call<S<typeof Message>>('POST', '/api/auth/confirm', body),
  resend: (body: S<typeof EmailBody>) => call<S<typeof Message>>('POST', '/api/auth/resend-code', body),
  forgot: (body: S<typeof EmailBody>) => call<S<typeof Message>>('POST', '/api/auth/forgot-password', body),
  reset: (body: S<typeof ResetBody>) => call<S<typeof Message>>('POST', '/api/auth/reset-password', body),
  changePassword: (current_password: string, new_password: string) =>
    call<S<typeof Message>>('POST', '/api/auth/change-password', { current_password, new_password }),
  changeEmail: (new_email: string, current_password?: string) =>
    call<S<typeof Message>>('POST', '/api/users/me/email', {
      new_email,
      ...(current_password ? { current_password } : {}),
    }),
  confirmEmailChange: (code: string) =>
    call<S<typeof EmailChangeAnswer>>('POST', '/api/users/me/email/confirm', { code }),
  totpSetup: () => call<TotpSetup>('POST', '/api/auth/mfa/totp/setup'),
  totpVerify: (code: string) =>
    call<S<typeof TotpVerifyAnswer>>('POST', '/api/auth/mfa/totp/verify', { code }),
  totpDisable: (code: string) => call<S<typeof Message>>('DELETE', '/api/auth/mfa/totp', { code }),
  sessions: () => call<Sessions>('GET', '/api/sessions'),
  revokeSession: (id: string) => call<void>('DELETE', `/api/sessions/${encodeURIComponent(id)}`),
  me: () => call<Me>('GET', '/api/users/me'),
  updateMe: (patch: ProfilePatch) => call<S<typeof ProfileAnswer>>('PUT', '/api/users/me', patch),
  deleteMe: () => call<S<typeof Message>>('DELETE', '/api/users/me'),
  deletePhoto: () => call<void>('DELETE', '/api/users/me/photo'),
  activity: () => call<Activity>('GET', '/api/users/me/activity?limit=20'),
  data: () => call<DemoData>('GET', '/api/data'),
  files: (cursor?: string) => call<Files>('GET', `/api/files${query({ limit: '50', cursor })}`),
  deleteFile: (id: string) => call<void>('DELETE', `/api/files/${encodeURIComponent(id)}`),
  plans: () => call<{ plans: Plans }>('GET', '/api/billing/plans'),
  subscription: () => call<Subscription>('GET', '/api/billing/subscription'),
  invoices: () => call<{ invoices: Invoices }>('GET', '/api/billing/invoices'),
  checkout: (plan: 'basic' | 'premium') =>
    call<S<typeof UrlAnswer>>('POST', '/api/billing/checkout', { plan }),
  changePlan: (plan: 'basic' | 'premium') =>
    call<S<typeof ChangePlanAnswer>>('POST', '/api/billing/change-plan', { plan }),
  portal: () => call<S<typeof UrlAnswer>>('POST', '/api/billing/portal'),
  adminUsers: (filter: UserFilter) =>
    call<AdminUsers>('GET', `/api/admin/users${query({ limit: '25', ...filter })}`),
  adminPatchUser: (id: string, patch: S<typeof AdminUserPatch>) =>
    call<S<typeof AdminUser>>('PATCH', `/api/admin/users/${encodeURIComponent(id)}`, patch),
  adminDeleteUser: (id: string) =>
    call<S<typeof Message>>('DELETE', `/api/admin/users/${encodeURIComponent(id)}`),
  adminUser: (id: string) => call<AdminUserView>('GET', `/api/admin/users/${encodeURIComponent(id)}`),
  adminUserInvoices: (id: string) =>
    call<S<typeof AdminInvoices>>('GET', `/api/admin/users/${encodeURIComponent(id)}/invoices`),
  adminSignOutSession: (id: string, session: string) =>
    call<void>(
      'DELETE',
      `/api/admin/users/${encodeURIComponent(id)}/sessions/${encodeURIComponent(session)}`,
    ),
  adminRefund: (id: string, body: S<typeof RefundBody>) =>
    call<S<typeof RefundAnswer>>('POST', `/api/admin/users/${encodeURIComponent(id)}/refunds`, body),
  adminAudit: (filter: AuditFilter) =>
    call<Audit>('GET', `/api/admin/audit${query({ limit: '50', ...filter })}`),
  /** The social sign-in buttons to show (none when no provider is configured). */
  providers: () => call<Providers>('GET', '/api/auth/oauth/providers', undefined, { quiet401: true }),
  /** The MFA challenge a social sign-in stopped at, handed over once. */
  oauthChallenge: () =>
    call<S<typeof Challenge>>('GET', '/api/auth/oauth/challenge', undefined, { quiet401: true }),
  /** Starts linking a provider: the URL the browser must go to. */
  linkProvider: (provider: string) =>
    call<S<typeof LinkAnswer>>('POST', `/api/auth/oauth/${encodeURIComponent(provider)}/link`, {}),
  identities: () => call<Identities>('GET', '/api/users/me/identities'),
  unlinkIdentity: (provider: string) =>
    call<void>('DELETE', `/api/users/me/identities/${encodeURIComponent(provider)}`),
  clientConfig: () => call<ClientConfig>('GET', '/api/client-config'),
  passkeys: () => call<S<typeof PasskeyList>>('GET', '/api/users/me/passkeys'),
  /** Options for @simplewebauthn/browser's startRegistration; the challenge rides in a cookie. */
  passkeyOptions: () =>
    call<S<typeof OptionsAnswer>>('POST', '/api/users/me/passkeys/options', undefined, {
      noChangeEvent: true,
    }),
  addPasskey: (name: string, response: unknown) =>
    call<S<typeof PasskeyAnswer>>('POST', '/api/users/me/passkeys', { name, response }),
  renamePasskey: (id: string, name: string) =>
    call<S<typeof PasskeyAnswer>>('PATCH', `/api/users/me/passkeys/${encodeURIComponent(id)}`, { name }),
  removePasskey: (id: string) => call<void>('DELETE', `/api/users/me/passkeys/${encodeURIComponent(id)}`),
  /** `email` where the server needs the account named first (client config passkey_sign_in_needs_email). */
  passkeySignInOptions: (email?: string) =>
    call<S<typeof OptionsAnswer>>('POST', '/api/session/passkey/options', email ? { email } : undefined, {
      quiet401: true,
      noChangeEvent: true,
    }),
  passkeySignIn: (response: unknown) =>
    call<S<typeof SessionAnswer>>('POST', '/api/session/passkey', { response }, { quiet401: true }),
  devMail: () => call<S<typeof DevMailAnswer>>('GET', '/api/dev/mail'),
};

/**
 * A multipart upload with progress (fetch cannot report upload progress; XMLHttpRequest can).
 * Resolves to the server's answer; rejects with ApiError.
 */
export function upload<T>(
  path: string,
  method: 'POST' | 'PUT',
  file: File,
  onProgress: (fraction: number) => void,
  signal?: AbortSignal,
) {
  return new Promise<T>((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    signal?.addEventListener('abort', () => xhr.abort(), { once: true });
    xhr.onabort = () => reject(new ApiError(0, 'ABORTED', 'Upload canceled.'));
    xhr.open(method, path);
    xhr.withCredentials = true;
    if (csrfToken) xhr.setRequestHeader('x-csrf-token', csrfToken);
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onerror = () => reject(new ApiError(0, 'NETWORK', 'The upload was interrupted. Try again.'));
    xhr.onload = () => {
      let data: unknown = null;
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        data = null;
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        window.dispatchEvent(new Event(CHANGED));
        return resolve(data as T);
      }
      const err = (data as S<typeof ErrorBody> | null)?.error;
      if (xhr.status === 401 && sessionEnded(err?.code)) onUnauthenticated?.();
      reject(
        new ApiError(
          xhr.status,
          err?.code ?? 'HTTP_ERROR',
          err?.message ?? `The server answered ${xhr.status}.`,
        ),
      );
    };
    const form = new FormData();
    form.append('file', file, file.name);
    xhr.send(form);
  });
}

export type PhotoUploaded = S<typeof PhotoAnswer>;
