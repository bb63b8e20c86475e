/**
 * Mail through Amazon SES (API v2, SendEmail with the raw MIME message that the SMTP adapter
 * sends too, built by nodemailer: one message shape for both). Guarantees, beyond the port's:
 * - The message goes From the configured mailbox, which must be (or be on) an identity verified in
 *   SES, with the configuration set when one is given (its event destinations see every send).
 * - Credentials come from the default chain (the App Runner instance role) unless given.
 * - The SDK retries throttling and 5xx answers itself (3 attempts); what still fails is a
 *   MailSendError named after SES's error (e.g. "SES MessageRejected"), transient for throttling,
 *   5xx and network failures, permanent otherwise (an unverified sender, a suspended account, a
 *   missing configuration set).
 */
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import nodemailer from 'nodemailer';
import type { Mailbox } from '../../../domain/mail-address.ts';
import { type Mail, MailSendError } from '../../../ports/mail.ts';
import { awsClientSettings, BUDGETS } from '../../shared/aws-client.ts';
import { mailOptions } from '../shared/compose.ts';
import { assertHeaderSafe } from '../shared/header-safety.ts';

export interface SesMailOptions {
  readonly region: string;
  readonly from: Mailbox;
  readonly replyTo?: Mailbox | null;
  readonly configurationSet?: string;
  /** Only for a local stand-in (moto). */
  readonly endpoint?: string;
  readonly credentials?: { accessKeyId: string; secretAccessKey: string; sessionToken?: string };
  /** A ready client (tests that watch requests); region, endpoint and credentials are then unused. */
  readonly client?: SESv2Client;
}

const TRANSIENT_NAMES = new Set([
  'TooManyRequestsException',
  'LimitExceededException',
  'ThrottlingException',
]);
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE']);

interface AwsError {
  name?: string;
  code?: string;
  $metadata?: { httpStatusCode?: number };
}

export function sesFailure(err: unknown): MailSendError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as AwsError;
  const name = e.name && e.name !== 'Error' ? e.name : (e.code ?? 'Error');
  const status = e.$metadata?.httpStatusCode ?? 0;
  const transient =
    TRANSIENT_NAMES.has(name) || status >= 500 || NETWORK_CODES.has(e.code ?? '') || NETWORK_CODES.has(name);
  return new MailSendError(transient, `SES ${name}`, { cause: err });
}

export function createSesMail(opts: SesMailOptions): Mail {
  const client =
    opts.client ??
    new SESv2Client({
      region: opts.region,
      ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
      ...(opts.credentials ? { credentials: opts.credentials } : {}),
      // Deadlines per attempt, so a hung call fails and mail delivery retries it later.
      ...awsClientSettings(BUDGETS.ses),
    });
  const transport = nodemailer.createTransport({ SES: { sesClient: client, SendEmailCommand } });
  const sender = { from: opts.from, replyTo: opts.replyTo ?? null };
  const ses = opts.configurationSet ? { ConfigurationSetName: opts.configurationSet } : undefined;

  return {
    async send(message) {
      assertHeaderSafe(message);
      try {
        await transport.sendMail({ ...mailOptions(sender, message), ...(ses ? { ses } : {}) });
      } catch (err) {
        throw sesFailure(err);
      }
    },
    async close() {
      transport.close();
      if (!opts.client) client.destroy();
    },
  };
}
