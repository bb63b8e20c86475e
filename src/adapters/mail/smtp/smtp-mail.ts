/**
 * Mail over SMTP, through any provider (nodemailer's pooled transport). Guarantees, beyond the
 * port's:
 * - Never in clear beyond this machine: unless the host is one of the loopback names (localhost,
 *   127.0.0.1, ::1), the connection must be upgraded with STARTTLS (or be TLS from the start on
 *   port 465) and the server's certificate must verify; a server that offers no STARTTLS gets
 *   nothing, not even the password. Only those three names count as loopback, not every address
 *   of 127.0.0.0/8: an operator names a local relay by one of them. On loopback, TLS is used when
 *   offered but not verified (a local relay's certificate is usually self-signed, and the traffic
 *   never leaves the machine).
 * - Bounded waits: connecting, the greeting and an idle socket each time out, so a mail server
 *   that hangs never holds a send forever.
 * - Pooled connections (a few, each reused for many messages), closed by `close`.
 * - Failures are MailSendErrors: transient for an SMTP 4xx (and 503) reply or a lost or timed-out
 *   connection, permanent for a 5xx reply, a failed TLS upgrade, a certificate that does not
 *   verify, or refused credentials.
 */
import nodemailer from 'nodemailer';
import type { Mailbox } from '../../../domain/mail-address.ts';
import { type Mail, MailSendError } from '../../../ports/mail.ts';
import { mailOptions } from '../shared/compose.ts';
import { assertHeaderSafe } from '../shared/header-safety.ts';

export interface SmtpMailOptions {
  readonly host: string;
  readonly port: number;
  /** No user: no AUTH (a relay that trusts this machine). */
  readonly user?: string;
  readonly password?: string;
  readonly from: Mailbox;
  readonly replyTo?: Mailbox | null;
  /**
   * Certificates to trust besides the system's (tests). In production a private CA is given to
   * Node with NODE_EXTRA_CA_CERTS.
   */
  readonly ca?: string;
  readonly timeoutsMs?: { readonly connect: number; readonly greeting: number; readonly socket: number };
  readonly maxConnections?: number;
}

export const SMTP_LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

const DEFAULT_TIMEOUTS = { connect: 10_000, greeting: 10_000, socket: 30_000 };
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ESOCKET', 'ETIMEDOUT', 'EDNS']);
const CERTIFICATE_FAILURE = /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|^ERR_TLS|^ERR_SSL/;

interface SmtpError {
  code?: string;
  responseCode?: number;
  originalCode?: string;
}

/** nodemailer's error as the port's: the SMTP reply code decides when there is one. */
export function smtpFailure(err: unknown): MailSendError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as SmtpError;
  const code = e.code ?? 'ERROR';
  if (typeof e.responseCode === 'number') {
    const reply = e.responseCode;
    const transient = (reply >= 400 && reply < 500) || reply === 503;
    return new MailSendError(transient, `${code} ${reply}`, { cause: err });
  }
  const original = e.originalCode && e.originalCode !== code ? e.originalCode : '';
  // A certificate that does not verify will not verify on the next try either.
  if (CERTIFICATE_FAILURE.test(original)) return new MailSendError(false, `ETLS ${original}`, { cause: err });
  return new MailSendError(TRANSIENT_CODES.has(code), original ? `${code} ${original}` : code, {
    cause: err,
  });
}

export function createSmtpMail(opts: SmtpMailOptions): Mail {
  const loopback = SMTP_LOOPBACK_HOSTS.has(opts.host.toLowerCase());
  const implicitTls = opts.port === 465;
  const timeouts = opts.timeoutsMs ?? DEFAULT_TIMEOUTS;
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: opts.maxConnections ?? 3,
    maxMessages: 100,
    host: opts.host,
    port: opts.port,
    secure: implicitTls,
    requireTLS: !loopback && !implicitTls,
    ...(opts.user ? { auth: { user: opts.user, pass: opts.password ?? '' } } : {}),
    tls: loopback
      ? { rejectUnauthorized: false }
      : { rejectUnauthorized: true, minVersion: 'TLSv1.2', ...(opts.ca ? { ca: opts.ca } : {}) },
    connectionTimeout: timeouts.connect,
    greetingTimeout: timeouts.greeting,
    socketTimeout: timeouts.socket,
    logger: false,
    debug: false,
  });
  const sender = { from: opts.from, replyTo: opts.replyTo ?? null };

  return {
    async send(message) {
      assertHeaderSafe(message);
      try {
        await transport.sendMail(mailOptions(sender, message));
      } catch (err) {
        throw smtpFailure(err);
      }
    },
    async close() {
      transport.close();
    },
  };
}
