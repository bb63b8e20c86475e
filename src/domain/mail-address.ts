/**
 * The mailboxes Gatehouse sends from (MAIL_FROM, MAIL_REPLY_TO): a display name and an address,
 * parsed strictly at start. Control characters (CR and LF above all) are refused anywhere, so no
 * setting can add a header; the address must pass the same rules as an account's email, so a mail
 * server reads it exactly as written here. The name is kept as text: the mail library encodes it.
 */
import { normalizeEmail } from './email.ts';

export interface Mailbox {
  readonly name: string;
  readonly address: string;
}

/** Why a mailbox was refused, as the end of "MAIL_FROM: ..." (the caller names the variable). */
export class MailboxError extends Error {}

/** Whether a header value could start a header of its own (CR, LF or any other control character). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is looked for.
export const hasControlCharacters = (value: string): boolean => /[\x00-\x1f\x7f]/.test(value);

// "Name" <address>, Name <address>, or a bare address. A quoted name may hold any printable
// character but an unescaped quote; an unquoted one no specials that would need quoting.
const QUOTED = /^"((?:[^"\\]|\\.)*)"\s*<([^<>]*)>$/;
const PLAIN = /^([^<>"@,;:\\]*?)\s*<([^<>]*)>$/;

/**
 * "Name <address>", "\"Name, Inc.\" <address>" or a bare address. A bare address (or an empty
 * name) gets an empty name: the caller gives it one (Gatehouse uses SERVICE_NAME).
 */
export function parseMailbox(raw: string): Mailbox {
  const value = raw.trim();
  if (hasControlCharacters(value)) throw new MailboxError('must not contain control characters');
  const match = QUOTED.exec(value) ?? PLAIN.exec(value);
  const name = match ? (match[1] ?? '').replace(/\\(.)/g, '$1').trim() : '';
  const address = match ? (match[2] ?? '').trim() : value;
  if (name.length > 100) throw new MailboxError('has a display name longer than 100 characters');
  try {
    return { name, address: normalizeEmail(address) };
  } catch {
    throw new MailboxError('must be an address such as "Gatehouse <no-reply@example.com>"');
  }
}
