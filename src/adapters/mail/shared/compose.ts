/**
 * One message shape for every nodemailer transport (SMTP, SES): the same headers, the same
 * multipart/alternative body (text first, HTML second, as RFC 2046 orders them: the last part
 * is the preferred one). Nothing identifies the software or tracks the reader: no X-Mailer, no
 * attachments read from files or URLs. Auto-Submitted tells auto-responders not to answer
 * (RFC 3834). Display names are encoded by nodemailer (RFC 2047), never pasted into a header.
 */
import type { SendMailOptions } from 'nodemailer';
import type { Mailbox } from '../../../domain/mail-address.ts';
import type { MailMessage } from '../../../ports/mail.ts';

export interface Sender {
  readonly from: Mailbox;
  readonly replyTo?: Mailbox | null;
}

export function mailOptions(sender: Sender, message: MailMessage): SendMailOptions {
  return {
    from: { name: sender.from.name, address: sender.from.address },
    ...(sender.replyTo ? { replyTo: { name: sender.replyTo.name, address: sender.replyTo.address } } : {}),
    to: message.to,
    subject: message.subject,
    text: message.text,
    html: message.html,
    headers: { 'Auto-Submitted': 'auto-generated' },
    xMailer: false,
    disableFileAccess: true,
    disableUrlAccess: true,
  };
}
