/**
 * The dev outbox's window onto what it kept: the messages the server would have mailed, for the
 * dev mailbox routes (GET /api/dev/mail, loopback clients only). Only the outbox transport
 * provides it, and src/composition.ts puts it in Deps (`devOutbox`) only when MAIL=outbox; no real
 * transport (SMTP, SES) has one, so with them the routes are never registered.
 *
 * Guarantees: `list` is newest first, at most `limit` messages (all that are kept without one,
 * none for 0), and includes a message from the moment `send` is called on the transport, before
 * it is written, so the mailbox shows a code at once.
 */
import type { MailMessage } from './mail.ts';

export interface StoredMail extends MailMessage {
  readonly id: string;
  readonly at: string;
}

export interface DevOutbox {
  list(limit?: number): StoredMail[];
}
