/**
 * Mail delivery: the Mail that the services and the built-in identity provider are given, around
 * the transport the configuration chose (outbox, SMTP, SES). What it adds:
 *
 * - A send never fails or holds up the user's action. `send` resolves once the message is handed
 *   to the transport (the first attempt has started, not finished), so a slow or broken mail
 *   server neither delays an answer nor turns a sign-up into an error: the account exists and
 *   the user can ask for the code again.
 * - Transient failures (an SMTP 4xx, a lost connection, SES throttling) are retried with growing
 *   waits; permanent ones (a 5xx, an unverified sender, a refused TLS upgrade) are not.
 * - Every failure that ends a message is logged with its kind and the provider's code, and
 *   audited (`mail.failed`); never with its subject or text, which carry codes.
 * - Messages that answer anonymous requests (codes, the already-registered notice) count against
 *   the recipient's send budget (send-budget.ts); past it they are withheld and audited
 *   (`mail.withheld`). Security notices are never withheld: a spent budget must not hide from
 *   its owner that their password was changed.
 * - `close` stops new sends, gives those under way a few seconds, then closes the transport.
 */
import { BUDGETED_KINDS } from '../domain/mail-render.ts';
import { type Mail, type MailMessage, MailSendError } from '../ports/mail.ts';
import { audit } from './audit.ts';
import { recordWithheld, type SendBudgetDeps, takeSendBudget } from './send-budget.ts';

export type MailDeliveryOptions = SendBudgetDeps & {
  readonly transport: Mail;
  readonly budgetPerHour: number;
  /** The wait before each retry of a transient failure; as many retries as entries. */
  readonly retryDelaysMs?: readonly number[];
  /** How long `close` waits for sends under way. */
  readonly closeTimeoutMs?: number;
};

export const DEFAULT_RETRY_DELAYS_MS = [2_000, 10_000, 60_000] as const;

export function createMailDelivery(opts: MailDeliveryOptions): Mail {
  const { transport, log } = opts;
  const delays = opts.retryDelaysMs ?? DEFAULT_RETRY_DELAYS_MS;
  const underWay = new Set<Promise<void>>();
  const wakers = new Set<() => void>();
  let closing = false;

  /** A wait that `close` cuts short, so a retry pending for a minute does not hold up shutdown. */
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        wakers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      wakers.add(wake);
    });

  const failed = async (message: MailMessage, failure: MailSendError, attempts: number) => {
    // providerCode, not code: the logger redacts every field named code (SECURITY 36).
    log.error(
      { mail: { kind: message.kind, providerCode: failure.providerCode, attempts } },
      'a message could not be delivered',
    );
    await audit(opts, {
      type: 'mail.failed',
      actorId: null,
      outcome: 'failure',
      detail: { kind: message.kind, code: failure.providerCode, attempts, to: message.to },
    });
  };

  const deliver = async (message: MailMessage): Promise<void> => {
    for (let attempt = 1; ; attempt++) {
      try {
        await transport.send(message);
        if (attempt > 1)
          log.info({ mail: { kind: message.kind, attempts: attempt } }, 'a message went out after retrying');
        return;
      } catch (err) {
        const failure =
          err instanceof MailSendError ? err : new MailSendError(false, 'ERROR', { cause: err });
        const wait = failure.transient && !closing ? delays[attempt - 1] : undefined;
        if (wait === undefined) return failed(message, failure, attempt);
        log.warn(
          { mail: { kind: message.kind, providerCode: failure.providerCode, attempt, retryInMs: wait } },
          'a message was not accepted yet; it will be tried again',
        );
        await pause(wait);
      }
    }
  };

  return {
    async send(message) {
      if (closing) {
        await failed(message, new MailSendError(false, 'SHUTTING_DOWN'), 0);
        return;
      }
      if (BUDGETED_KINDS.has(message.kind) && !(await takeSendBudget(opts, opts.budgetPerHour, message.to))) {
        await recordWithheld(opts, message.kind, message.to);
        return;
      }
      const work = deliver(message).catch((err) => log.error({ err }, 'mail delivery failed unexpectedly'));
      underWay.add(work);
      void work.finally(() => underWay.delete(work));
    },
    async close() {
      closing = true;
      for (const wake of [...wakers]) wake();
      const timeout = new Promise<void>((resolve) =>
        setTimeout(resolve, opts.closeTimeoutMs ?? 5_000).unref(),
      );
      await Promise.race([Promise.all(underWay), timeout]);
      await transport.close?.();
    },
  };
}
