/**
 * The mail port: transactional mail the built-in identity provider and Gatehouse itself send
 * (confirmation and reset codes, notices). Cognito sends its own mail in AWS mode.
 *
 * Guarantees: `send` resolves once the message is accepted for delivery (stored, for the outbox),
 * rejects with UNAVAILABLE otherwise; recipients are already-normalised addresses. An adapter that
 * can show what it sent exposes `outbox` (the dev outbox only; never a real transport).
 */
export interface MailMessage {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

export interface StoredMail extends MailMessage {
  readonly id: string;
  readonly at: string;
}

export interface Mail {
  send(message: MailMessage): Promise<void>;
  readonly outbox?: { list(limit?: number): StoredMail[] };
}
