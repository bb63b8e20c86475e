/**
 * Security notices (domain/notices.ts writes them): the mail a user gets when their password,
 * two-step verification, recovery codes, sign-in providers, account or subscription change, in
 * both identity modes. `notify` is called after the change has happened and never fails it: a
 * notice that cannot be addressed or handed over is logged, and delivery (mail-delivery.ts)
 * retries, logs and audits what the transport refuses. Notices are not counted against the send
 * budget, so nobody can silence them by spending it.
 *
 * Billing calls it too (payment failed, subscription ended) with the user's id and the notice.
 */

import type { Config } from '../config/config.ts';
import type { MailContext } from '../domain/mail-render.ts';
import { type Notice, noticeMail } from '../domain/notices.ts';
import type { Federation } from '../ports/federation.ts';
import type { IdentityProvider } from '../ports/identity.ts';
import type { Mail } from '../ports/mail.ts';
import type { Store } from '../ports/store.ts';
import type { Deps } from './deps.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type NoticesDeps = Pick<Deps, 'clock' | 'log'> & {
  readonly federation: Pick<Federation, 'providers'>;
  readonly identity: Pick<IdentityProvider, 'adminGetUser'>;
  readonly mail: Pick<Mail, 'send'>;
  readonly config: Pick<Config, 'appOrigin' | 'serviceName'>;
  readonly store: Pick<Store, 'profiles'>;
};

export type { Notice } from '../domain/notices.ts';

/**
 * What every template is given: the product's name and the origin of its links, APP_ORIGIN unless
 * the request came from another loopback origin of this very server (RequestMeta.linkOrigin).
 */
export const mailContextOf = (
  deps: { readonly config: Pick<Config, 'serviceName' | 'appOrigin'> },
  linkOrigin?: string,
): MailContext => ({
  serviceName: deps.config.serviceName,
  appOrigin: linkOrigin ?? deps.config.appOrigin,
});

async function addressOf(deps: NoticesDeps, userId: string): Promise<string | null> {
  const profile = await deps.store.profiles.get(userId);
  if (profile) return profile.email;
  return (await deps.identity.adminGetUser(userId))?.email ?? null;
}

/**
 * Mails `notice` to the user; `to` when the account may be gone by then (a deletion). Resolves
 * once the message is handed to delivery, whatever happens to it there.
 */
export async function notify(
  deps: NoticesDeps,
  userId: string,
  notice: Notice,
  options: { readonly to?: string } = {},
): Promise<void> {
  try {
    const to = options.to ?? (await addressOf(deps, userId));
    if (!to) {
      deps.log.warn({ notice: notice.kind }, 'a notice has no address to go to');
      return;
    }
    await deps.mail.send(noticeMail(mailContextOf(deps), to, notice, deps.clock()));
  } catch (err) {
    deps.log.error({ err, notice: notice.kind }, 'a notice could not be sent');
  }
}

/** The name a provider goes by on its sign-in button, for notices about it. */
export const providerName = (deps: NoticesDeps, provider: string): string =>
  deps.federation.providers.find((p) => p.id === provider)?.name ?? provider;
