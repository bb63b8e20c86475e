/**
 * Composition, continued: the mail transport the configuration asks for. The dev outbox (the
 * default) is always loaded; SMTP and SES load nodemailer and the SES client only when chosen.
 * services/mail-delivery.ts wraps what this returns. Only the dev outbox comes with a `devOutbox`,
 * the window the dev mailbox routes read (ports/dev-outbox.ts).
 */
import { join } from 'node:path';
import { createOutboxMail } from '../adapters/mail/outbox/outbox-mail.ts';
import type { Config } from '../config/config.ts';
import { ConfigError } from '../config/settings.ts';
import type { Mailbox } from '../domain/mail-address.ts';
import type { DevOutbox } from '../ports/dev-outbox.ts';
import type { Mail } from '../ports/mail.ts';
import type { Secrets } from '../ports/secrets.ts';
import type { Logger } from '../services/deps.ts';

/** Six-digit codes in a dev-outbox log line are masked: logs must never carry codes (SECURITY 36). */
export const maskCodes = (text: string): string =>
  text.replace(/\b\d{6}\b/g, '******').replace(/code=[^&\s]+/g, 'code=******');

/** A mailbox from settings, named SERVICE_NAME when the setting gave an address alone. */
const named = (config: Config, mailbox: Mailbox): Mailbox => ({
  name: mailbox.name || config.serviceName,
  address: mailbox.address,
});

export async function createMailTransport(
  config: Config,
  secrets: Secrets,
  dataDir: string,
  log: Logger,
): Promise<Mail & { readonly outbox?: DevOutbox }> {
  if (config.mail === 'outbox') {
    return createOutboxMail({
      file: join(dataDir, 'outbox.jsonl'),
      log: (text) =>
        log.info(
          { mail: maskCodes(text) },
          'dev outbox: message stored; read it in full at GET /api/dev/mail',
        ),
    });
  }
  // config.ts made sure MAIL_FROM is set for smtp and ses.
  const from = named(config, config.mailFrom ?? { name: '', address: '' });
  const replyTo = config.mailReplyTo ? named(config, config.mailReplyTo) : null;
  if (config.mail === 'smtp') {
    const password = await secrets.get('SMTP_PASSWORD');
    if (config.smtpUser && !password) {
      throw new ConfigError(
        'SMTP_PASSWORD',
        'is required by SMTP_USER: set it as a secret (the environment or .env, or the Secrets Manager secret with SECRETS=aws)',
      );
    }
    const { createSmtpMail } = await import('../adapters/mail/smtp/smtp-mail.ts');
    return createSmtpMail({
      host: config.smtpHost,
      port: config.smtpPort,
      ...(config.smtpUser ? { user: config.smtpUser, password } : {}),
      from,
      replyTo,
    });
  }
  const { createSesMail } = await import('../adapters/mail/ses/ses-mail.ts');
  return createSesMail({
    region: config.sesRegion || config.awsRegion,
    from,
    replyTo,
    ...(config.sesConfigurationSet ? { configurationSet: config.sesConfigurationSet } : {}),
    ...(config.sesEndpoint ? { endpoint: config.sesEndpoint } : {}),
  });
}
