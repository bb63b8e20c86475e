/**
 * The per-address send budget: how many messages answering anonymous requests (sign-up,
 * resend-code, forgot-password) one address may be sent per hour, whoever asks and from wherever.
 * Without it, thirty requests from thirty client addresses would mail one inbox thirty times.
 * The counters are the store's atomic throttle counters (SQLite, or DynamoDB shared by every
 * instance), keyed by the normalised address, in a fixed one-hour window from the first message.
 */

import type { Config } from '../config/config.ts';
import type { MailKind } from '../domain/mail-render.ts';
import type { IdentityProvider } from '../ports/identity.ts';
import type { Store } from '../ports/store.ts';
import { type AuditDeps, audit } from './audit.ts';

/** What counting and recording the budget need: the throttle counters and the audit trail. */
export type SendBudgetDeps = AuditDeps & { readonly store: Pick<Store, 'throttle'> };

/** What taking the budget for Cognito's own mail needs besides: which provider, and the budget. */
export type PoolMailDeps = SendBudgetDeps & {
  readonly identity: Pick<IdentityProvider, 'mode'>;
  readonly config: Pick<Config, 'mailBudgetPerHour'>;
};

export const SEND_BUDGET_WINDOW_SECONDS = 3600;

/**
 * Counts one message to `to` and says whether it fits the budget. A store that cannot count
 * lets the message go: the budget guards against abuse, and its outage must not stop the mail
 * people are waiting for.
 */
export async function takeSendBudget(deps: SendBudgetDeps, perHour: number, to: string): Promise<boolean> {
  try {
    const n = await deps.store.throttle.hit(
      `mail:${to}`,
      SEND_BUDGET_WINDOW_SECONDS,
      Math.floor(deps.clock() / 1000),
    );
    return n <= perHour;
  } catch (err) {
    deps.log.error({ err }, 'the send budget could not be counted; the message goes out');
    return true;
  }
}

/** A message the budget kept back: logged by kind only, audited with its address. */
export async function recordWithheld(deps: SendBudgetDeps, kind: MailKind, to: string): Promise<void> {
  deps.log.info({ mail: { kind } }, 'a message was withheld: its address has had its share this hour');
  await audit(deps, {
    type: 'mail.withheld',
    actorId: null,
    detail: { kind, to, reason: 'send budget spent' },
  });
}

/**
 * Cognito mails its own codes, past the mail port, so in Cognito mode the budget is taken here,
 * before asking it to; false means "do not ask" (and the withholding is recorded). With the
 * built-in provider the codes go through the mail port, whose delivery takes the budget itself.
 */
export async function poolMayMail(deps: PoolMailDeps, kind: MailKind, to: string): Promise<boolean> {
  if (deps.identity.mode !== 'cognito') return true;
  if (await takeSendBudget(deps, deps.config.mailBudgetPerHour, to)) return true;
  await recordWithheld(deps, kind, to);
  return false;
}
