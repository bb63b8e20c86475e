/**
 * The mail settings: each adapter's required settings, MAIL_FROM and MAIL_REPLY_TO parsed so no
 * value can add a header, settings of an adapter that is not chosen refused, the SMTP password
 * from the secrets port, and the dev-outbox guard's verdicts. Each failure names its variable.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import pino from 'pino';
import { compose } from '../../src/composition.ts';
import { loadConfig } from '../../src/config/config.ts';
import { devOutboxRefusal } from '../../src/config/mail-checks.ts';
import { ConfigError } from '../../src/config/settings.ts';

const SMTP = { MAIL: 'smtp', SMTP_HOST: 'smtp.example.com', MAIL_FROM: 'Gatehouse <no-reply@example.com>' };

/** The ConfigError loadConfig throws for `env`: its variable and its one-line message. */
function refusal(env: Record<string, string>): { variable: string; message: string } {
  try {
    loadConfig(env);
  } catch (err) {
    assert.ok(err instanceof ConfigError, String(err));
    assert.doesNotMatch(err.message, /[\r\n]/, 'one line');
    return { variable: err.variable, message: err.message };
  }
  assert.fail(`accepted ${JSON.stringify(env)}`);
}

describe('mail settings', () => {
  test('the default is the dev outbox, with no sender needed', () => {
    const c = loadConfig({});
    assert.equal(c.mail, 'outbox');
    assert.equal(c.mailFrom, null);
    assert.equal(c.smtpPort, 587);
    assert.equal(c.mailBudgetPerHour, 5);
    assert.equal(c.allowDevOutbox, false);
  });

  test('MAIL=smtp needs SMTP_HOST and MAIL_FROM; MAIL=ses needs MAIL_FROM and a region', () => {
    assert.equal(refusal({ MAIL: 'smtp', MAIL_FROM: SMTP.MAIL_FROM }).variable, 'SMTP_HOST');
    assert.equal(refusal({ MAIL: 'smtp', SMTP_HOST: 'smtp.example.com' }).variable, 'MAIL_FROM');
    assert.match(
      refusal({ MAIL: 'ses', MAIL_FROM: SMTP.MAIL_FROM }).message,
      /^SES_REGION: is required by MAIL=ses \(or set AWS_REGION\)$/,
    );
    assert.equal(loadConfig({ MAIL: 'ses', MAIL_FROM: SMTP.MAIL_FROM, AWS_REGION: 'eu-west-1' }).mail, 'ses');
    assert.equal(refusal({ MAIL: 'sendgrid' }).variable, 'MAIL');
  });

  test('MAIL_FROM and MAIL_REPLY_TO: a display name and an address, quoted or not, or a bare address', () => {
    const c = loadConfig({
      ...SMTP,
      MAIL_FROM: '"Acme, Inc." <No-Reply@Example.com>',
      MAIL_REPLY_TO: 'Acme support <help@example.com>',
    });
    assert.deepEqual(c.mailFrom, { name: 'Acme, Inc.', address: 'no-reply@example.com' });
    assert.deepEqual(c.mailReplyTo, { name: 'Acme support', address: 'help@example.com' });
    assert.deepEqual(loadConfig({ ...SMTP, MAIL_FROM: 'no-reply@example.com' }).mailFrom, {
      name: '',
      address: 'no-reply@example.com',
    });
  });

  test('no sender setting can add a header or smuggle a second address', () => {
    for (const bad of [
      'Gatehouse <no-reply@example.com>\r\nBcc: thief@evil.test',
      'Gatehouse\n <no-reply@example.com>',
      'no-reply@example.com\r\nX-Injected: 1',
      'Gatehouse <no-reply@example.com>, thief@evil.test',
      'Gatehouse <"a@evil.test"@example.com>',
      'Gatehouse <no-reply＠example.com>x',
      'Gate<house> <no-reply@example.com>',
      `${'n'.repeat(101)} <no-reply@example.com>`,
    ]) {
      for (const name of ['MAIL_FROM', 'MAIL_REPLY_TO']) {
        const { variable, message } = refusal({ ...SMTP, [name]: bad });
        assert.equal(variable, name, bad);
        assert.doesNotMatch(message, /thief@evil\.test\r|\n/);
      }
    }
    assert.equal(refusal({ ...SMTP, SMTP_USER: 'me\r\nRCPT TO:<x@evil.test>' }).variable, 'SMTP_USER');
    assert.equal(refusal({ ...SMTP, SMTP_HOST: 'smtp.example.com\r\nx' }).variable, 'SMTP_HOST');
    assert.equal(
      refusal({ ...SMTP, MAIL: 'ses', SMTP_HOST: '', AWS_REGION: 'eu-west-1', SES_CONFIGURATION_SET: 'a b' })
        .variable,
      'SES_CONFIGURATION_SET',
    );
  });

  test('settings of a mail adapter that is not chosen are refused, so nobody believes mail goes out', () => {
    assert.match(
      refusal({ SMTP_HOST: 'smtp.example.com' }).message,
      /^SMTP_HOST: is only used with MAIL=smtp$/,
    );
    assert.equal(refusal({ SMTP_USER: 'me' }).variable, 'SMTP_USER');
    assert.equal(refusal({ ...SMTP, SES_CONFIGURATION_SET: 'gatehouse' }).variable, 'SES_CONFIGURATION_SET');
    assert.equal(refusal({ SES_REGION: 'eu-west-1' }).variable, 'SES_REGION');
  });

  test('SES_ENDPOINT in plain http only on this machine', () => {
    const ses = { MAIL: 'ses', MAIL_FROM: SMTP.MAIL_FROM, AWS_REGION: 'eu-west-1' };
    assert.equal(refusal({ ...ses, SES_ENDPOINT: 'http://ses.example.com' }).variable, 'SES_ENDPOINT');
    assert.equal(
      loadConfig({ ...ses, SES_ENDPOINT: 'http://127.0.0.1:5000' }).sesEndpoint,
      'http://127.0.0.1:5000',
    );
  });

  test('SMTP_USER without the SMTP_PASSWORD secret stops the start, naming the secret', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gh-mail-config-'));
    try {
      const env = { ...SMTP, SMTP_USER: 'me', DATA_DIR: dir };
      await assert.rejects(
        compose(loadConfig(env), pino({ level: 'silent' }), env),
        (e: unknown) =>
          e instanceof ConfigError && e.variable === 'SMTP_PASSWORD' && /SMTP_USER/.test(e.message),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test('the dev-outbox guard: refused beyond loopback or in production, unless ALLOW_DEV_OUTBOX=1', () => {
    const verdict = (env: Record<string, string>) => devOutboxRefusal(loadConfig(env))?.variable ?? 'starts';
    assert.equal(verdict({}), 'starts');
    assert.equal(verdict({ HOST: '::1' }), 'starts');
    assert.equal(verdict({ HOST: '0.0.0.0' }), 'MAIL');
    assert.equal(verdict({ HOST: '10.0.0.5' }), 'MAIL');
    assert.equal(verdict({ NODE_ENV: 'production' }), 'MAIL');
    assert.equal(verdict({ HOST: '0.0.0.0', NODE_ENV: 'production', ALLOW_DEV_OUTBOX: '1' }), 'starts');
    assert.equal(verdict({ ...SMTP, HOST: '0.0.0.0', NODE_ENV: 'production' }), 'starts');
    assert.equal(refusal({ ALLOW_DEV_OUTBOX: 'maybe' }).variable, 'ALLOW_DEV_OUTBOX');
  });
});
