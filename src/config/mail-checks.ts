/**
 * The mail settings that only make sense together, checked at start like every other setting:
 * each adapter's required settings, settings of an adapter that is not chosen (an SMTP_HOST with
 * MAIL=outbox means someone believes mail goes out), and the guard that keeps the dev outbox off
 * a server real people use.
 */
import { ConfigError } from './parsers.ts';

/** The part of Config read here (config.ts calls in, so this file does not import it). */
interface MailSettings {
  readonly mail: 'outbox' | 'smtp' | 'ses';
  readonly mailFrom: object | null;
  readonly smtpHost: string;
  readonly smtpUser: string;
  readonly sesRegion: string;
  readonly sesConfigurationSet: string;
  readonly sesEndpoint: string | null;
  readonly awsRegion: string;
  readonly host: string;
  readonly nodeEnv: string;
  readonly allowDevOutbox: boolean;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1']);

export function checkMailSettings(config: MailSettings): void {
  const smtp = config.mail === 'smtp';
  const ses = config.mail === 'ses';
  if ((smtp || ses) && !config.mailFrom)
    throw new ConfigError('MAIL_FROM', `is required by MAIL=${config.mail}`);
  if (smtp && !config.smtpHost) throw new ConfigError('SMTP_HOST', 'is required by MAIL=smtp');
  if (ses && !config.sesRegion && !config.awsRegion) {
    throw new ConfigError('SES_REGION', 'is required by MAIL=ses (or set AWS_REGION)');
  }
  const unused: [string, boolean, string][] = [
    ['SMTP_HOST', config.smtpHost !== '', 'smtp'],
    ['SMTP_USER', config.smtpUser !== '', 'smtp'],
    ['SES_REGION', config.sesRegion !== '', 'ses'],
    ['SES_CONFIGURATION_SET', config.sesConfigurationSet !== '', 'ses'],
    ['SES_ENDPOINT', config.sesEndpoint !== null, 'ses'],
  ];
  for (const [name, set, mode] of unused) {
    if (set && config.mail !== mode) throw new ConfigError(name, `is only used with MAIL=${mode}`);
  }
  const endpoint = config.sesEndpoint;
  if (
    endpoint?.startsWith('http:') &&
    !['localhost', '127.0.0.1', '[::1]'].includes(new URL(endpoint).hostname)
  ) {
    throw new ConfigError(
      'SES_ENDPOINT',
      'must use https (plain http only on localhost, for a local stand-in)',
    );
  }
}

/**
 * Why the dev outbox would be exposed to real users: the server listens beyond loopback, or
 * says it is production. Null when neither (or when the outbox is not the mail adapter).
 */
export function devOutboxExposure(config: MailSettings): string | null {
  if (config.mail !== 'outbox') return null;
  if (!LOOPBACK.has(config.host)) return `the server listens on ${config.host}`;
  if (config.nodeEnv.trim().toLowerCase() === 'production') return 'NODE_ENV is production';
  return null;
}

/**
 * The production guard: the dev outbox delivers nothing, so a server exposed with it would leave
 * every real user without their codes. Such a start is refused, in one line naming MAIL, unless
 * ALLOW_DEV_OUTBOX=1 says it is meant.
 */
export function devOutboxRefusal(config: MailSettings): ConfigError | null {
  const why = devOutboxExposure(config);
  if (!why || config.allowDevOutbox) return null;
  return new ConfigError(
    'MAIL',
    `is outbox (the dev outbox: no mail leaves this server) and ${why}, so nobody would receive a confirmation or reset code. Set MAIL=smtp or MAIL=ses, or ALLOW_DEV_OUTBOX=1 to run without real mail.`,
  );
}
