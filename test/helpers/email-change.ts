/** Steps of the email-change HTTP tests (test/http/email-change*.test.ts). */
import { type Built, waitFor } from './build.ts';
import { PASSWORD } from './users.ts';

export const ORIGIN = { origin: 'http://localhost:3000' };

export const signInStatus = async (b: Built, email: string) =>
  (await b.app.inject({ method: 'POST', url: '/api/auth/signin', payload: { email, password: PASSWORD } }))
    .statusCode;

/** Asks for the change and waits for the background work: the notice to the current address. */
export async function ask(
  b: Built,
  credential: string | { authorization: string },
  currentEmail: string,
  payload: Record<string, string>,
  onAnswer?: () => void,
) {
  const before = b.mailTo(currentEmail).filter((m) => m.kind === 'notice.email-change-requested').length;
  const res = await b.app.inject({
    method: 'POST',
    url: '/api/users/me/email',
    headers: typeof credential === 'string' ? { cookie: credential, ...ORIGIN } : credential,
    payload,
  });
  onAnswer?.();
  if (res.statusCode === 202) {
    await waitFor(
      () => b.mailTo(currentEmail).filter((m) => m.kind === 'notice.email-change-requested').length > before,
      'the notice to the current address',
    );
  }
  return res;
}

export const confirm = (b: Built, headers: Record<string, string>, code: string) =>
  b.app.inject({ method: 'POST', url: '/api/users/me/email/confirm', headers, payload: { code } });

export const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
