/**
 * The last line of defence against header injection, shared by every mail transport: a message
 * whose recipient or subject holds a control character (CR or LF above all) is refused for good,
 * before anything is written or sent. Addresses are normalised and templates write subjects from
 * settings and digits, so this never fires unless a caller is broken; it keeps the port's promise
 * whatever the caller.
 */
import { hasControlCharacters } from '../../../domain/mail-address.ts';
import { type MailMessage, MailSendError } from '../../../ports/mail.ts';

export function assertHeaderSafe(message: MailMessage): void {
  if (hasControlCharacters(message.to) || hasControlCharacters(message.subject)) {
    throw new MailSendError(false, 'UNSAFE_HEADER');
  }
}
