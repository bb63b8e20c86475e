/**
 * The mail port: transactional mail the built-in identity provider and Gatehouse itself send
 * (confirmation and reset codes, notices). Cognito sends its own codes in Cognito mode. Adapters
 * are transports (the dev outbox, SMTP, SES); services/mail-delivery.ts wraps the chosen one with
 * the send budget, retries and auditing, and that wrapper is the Mail everything else is given.
 *
 * Guarantees of every transport:
 * - `send` resolves once the message is accepted for delivery (stored, for the outbox; accepted
 *   by the SMTP server or SES otherwise). It rejects with a MailSendError saying whether trying
 *   again later may succeed (`transient`) and the provider's own code for the failure, and
 *   never with the message's content in it.
 * - Each message goes out as multipart/alternative (text and HTML) From the configured mailbox,
 *   to exactly one recipient, an already-normalised address. A message whose recipient or
 *   subject holds a control character is refused (permanent), never sent: no value can add a
 *   header.
 * - `close` ends pooled connections; no send is started after it.
 *
 * What the dev outbox shows of what it kept is not part of this port: see ports/dev-outbox.ts.
 */
import { AppError } from '../domain/errors.ts';
import type { MailMessage } from '../domain/mail-render.ts';

// One message shape, the domain's (it renders them): to, subject, text, html and kind.
export type { MailKind, MailMessage } from '../domain/mail-render.ts';

export interface Mail {
  send(message: MailMessage): Promise<void>;
  close?(): Promise<void>;
}

/** A transport's refusal: UNAVAILABLE, with what the delivery layer needs to decide on a retry. */
export class MailSendError extends AppError {
  constructor(
    /** True when the same message may be accepted later (an SMTP 4xx, a lost connection). */
    readonly transient: boolean,
    /** The provider's code: "SMTP 421", "ETIMEDOUT", "SES MessageRejected". Never content. */
    readonly providerCode: string,
    options?: { cause?: unknown },
  ) {
    super('UNAVAILABLE', `The message could not be sent (${providerCode}).`, options);
    this.name = 'MailSendError';
  }
}
