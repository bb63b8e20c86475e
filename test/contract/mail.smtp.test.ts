/**
 * The SMTP adapter against a real SMTP server in this process (smtp-server): the mail contract,
 * then what is SMTP's own: STARTTLS and AUTH, never a password or a message in clear beyond
 * loopback, bounded waits, and delivery's retries of what the server says may pass.
 *
 * Loopback: the adapter treats only the names an operator gives a local relay (localhost,
 * 127.0.0.1, ::1) as loopback. The servers that must be "beyond loopback" listen on 127.0.0.2:
 * an address of this machine (so no traffic leaves it), which the adapter treats like any
 * remote host, with no test-only switch in the adapter.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createSmtpMail } from '../../src/adapters/mail/smtp/smtp-mail.ts';
import { createSqliteStore } from '../../src/adapters/store/sqlite/sqlite-store.ts';
import type { Mailbox } from '../../src/domain/mail-address.ts';
import { confirmationMail } from '../../src/domain/messages.ts';
import { type MailMessage, MailSendError } from '../../src/ports/mail.ts';
import { createMailDelivery } from '../../src/services/mail-delivery.ts';
import { waitFor } from '../helpers/build.ts';
import { startSmtpServer, type TestSmtp } from '../helpers/smtp-server.ts';
import { uniqueEmail } from '../helpers/users.ts';
import { mailContract } from './mail.contract.ts';

const FROM: Mailbox = { name: 'Gatehouse', address: 'no-reply@example.com' };
const AUTH = { user: 'gatehouse', pass: 'a long smtp password for the test' };
const CTX = { serviceName: 'Gatehouse', appOrigin: 'https://app.example.com' };
const BEYOND_LOOPBACK = '127.0.0.2';

const servers: TestSmtp[] = [];
const start = async (opts: Parameters<typeof startSmtpServer>[0]) => {
  const s = await startSmtpServer(opts);
  servers.push(s);
  return s;
};
after(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const smtpOf = (s: TestSmtp, extra: Partial<Parameters<typeof createSmtpMail>[0]> = {}) =>
  createSmtpMail({
    host: s.host,
    port: s.port,
    user: AUTH.user,
    password: AUTH.pass,
    from: FROM,
    ca: s.ca,
    ...extra,
  });

const sendOnce = async (mail: ReturnType<typeof createSmtpMail>, message: MailMessage) => {
  try {
    await mail.send(message);
  } finally {
    await mail.close?.();
  }
};

describe('SMTP mail (smtp-server with STARTTLS and AUTH, beyond loopback)', () => {
  let server: TestSmtp;
  before(async () => {
    server = await start({ host: BEYOND_LOOPBACK, starttls: true, auth: AUTH });
  });
  mailContract(() => ({
    transport: ({ from, replyTo }) => smtpOf(server, { from, replyTo }),
    received: async (to) => server.received.filter((r) => r.to.includes(to)).map((r) => r.raw),
  }));

  test('the message goes over STARTTLS, signed in as SMTP_USER, from MAIL_FROM to the one recipient', async () => {
    const to = uniqueEmail('smtp');
    await sendOnce(smtpOf(server), confirmationMail(CTX, to, '602913'));
    const got = server.received.find((r) => r.to.includes(to));
    assert.ok(got);
    assert.equal(got.secure, true);
    assert.equal(got.user, AUTH.user);
    assert.equal(got.from, FROM.address);
    assert.deepEqual(got.to, [to]);
    assert.ok(
      server.authAttempts.every((a) => a.secure),
      'the password only ever crossed an encrypted session',
    );
  });

  test('a wrong password is a permanent failure (EAUTH 535), and nothing is sent', async () => {
    const to = uniqueEmail('smtp');
    await assert.rejects(
      sendOnce(smtpOf(server, { password: 'not the password at all' }), confirmationMail(CTX, to, '111222')),
      (e: unknown) => e instanceof MailSendError && !e.transient && e.providerCode === 'EAUTH 535',
    );
    assert.equal(server.received.filter((r) => r.to.includes(to)).length, 0);
  });

  test('a certificate the machine does not trust is refused (ETLS), before any password is sent', async () => {
    const to = uniqueEmail('smtp');
    const attempts = server.authAttempts.length;
    const untrusting = createSmtpMail({
      host: server.host,
      port: server.port,
      user: AUTH.user,
      password: AUTH.pass,
      from: FROM,
    });
    await assert.rejects(
      sendOnce(untrusting, confirmationMail(CTX, to, '333444')),
      (e: unknown) => e instanceof MailSendError && !e.transient && e.providerCode.startsWith('ETLS'),
    );
    assert.equal(server.authAttempts.length, attempts);
    assert.equal(server.received.filter((r) => r.to.includes(to)).length, 0);
  });
});

describe('SMTP mail: never in clear beyond loopback', () => {
  test('a server beyond loopback that offers no STARTTLS gets nothing: no password, no message', async () => {
    const clear = await start({ host: BEYOND_LOOPBACK, starttls: false, auth: AUTH });
    const to = uniqueEmail('smtp');
    await assert.rejects(
      sendOnce(smtpOf(clear), confirmationMail(CTX, to, '555666')),
      (e: unknown) => e instanceof MailSendError && !e.transient && e.providerCode.startsWith('ETLS'),
    );
    assert.deepEqual(clear.authAttempts, []);
    assert.deepEqual(clear.received, []);
  });

  test('on loopback (a local relay) a server without STARTTLS is used as it is', async () => {
    const relay = await start({ host: '127.0.0.1', starttls: false, auth: AUTH });
    const to = uniqueEmail('smtp');
    await sendOnce(smtpOf(relay, { ca: undefined }), confirmationMail(CTX, to, '777888'));
    const got = relay.received.find((r) => r.to.includes(to));
    assert.equal(got?.secure, false);
    assert.equal(got?.user, AUTH.user);
  });

  test('on loopback, STARTTLS with a self-signed certificate is used without verifying it', async () => {
    const relay = await start({ host: '127.0.0.1', starttls: true, auth: AUTH });
    const to = uniqueEmail('smtp');
    await sendOnce(smtpOf(relay, { ca: undefined }), confirmationMail(CTX, to, '999000'));
    assert.equal(relay.received.find((r) => r.to.includes(to))?.secure, true);
  });

  test('a server that never greets times out (ETIMEDOUT, transient) within the greeting timeout', async (t) => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, BEYOND_LOOPBACK, r));
    t.after(() => {
      for (const s of sockets) s.destroy();
      silent.close();
    });
    const port = (silent.address() as { port: number }).port;
    const started = Date.now();
    await assert.rejects(
      sendOnce(
        createSmtpMail({
          host: BEYOND_LOOPBACK,
          port,
          from: FROM,
          timeoutsMs: { connect: 500, greeting: 300, socket: 1000 },
        }),
        confirmationMail(CTX, uniqueEmail('smtp'), '121212'),
      ),
      (e: unknown) => e instanceof MailSendError && e.transient && e.providerCode.startsWith('ETIMEDOUT'),
    );
    assert.ok(Date.now() - started < 3000, `gave up after ${Date.now() - started} ms`);
  });
});

describe('delivery over SMTP: retries of what may pass, audit and logs of what does not', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gh-smtp-delivery-'));
  const store = createSqliteStore(join(dir, 'gatehouse.db'));
  after(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const logs: string[] = [];
  const log = {
    info: (o: object | string, m?: string) => logs.push(JSON.stringify({ level: 'info', o, m })),
    warn: (o: object | string, m?: string) => logs.push(JSON.stringify({ level: 'warn', o, m })),
    error: (o: object | string, m?: string) => logs.push(JSON.stringify({ level: 'error', o, m })),
  };
  const deliveryOver = (s: TestSmtp) =>
    createMailDelivery({
      transport: smtpOf(s),
      store,
      log,
      clock: Date.now,
      budgetPerHour: 5,
      retryDelaysMs: [50, 100, 200],
    });
  const failuresTo = async (to: string) =>
    (await store.audit.list({ type: 'mail.failed', limit: 50 })).items.filter((e) => e.detail.to === to);

  test('an SMTP 451 is retried with backoff and the message arrives; send itself never waited for it', async () => {
    const server = await start({ host: BEYOND_LOOPBACK, starttls: true, auth: AUTH });
    const mail = deliveryOver(server);
    const to = uniqueEmail('retry');
    server.failNext(451);
    server.failNext(421);
    await mail.send(confirmationMail(CTX, to, '424242'));
    assert.equal(server.received.length, 0, 'send resolved before the first attempt ended');
    await waitFor(() => server.received.some((r) => r.to.includes(to)), 'the retried message');
    await mail.close?.();
    assert.deepEqual(await failuresTo(to), []);
    const retries = logs.filter((l) => l.includes('will be tried again'));
    assert.equal(retries.length, 2);
    assert.match(retries[0] ?? '', /"providerCode":"EMESSAGE 451"/);
  });

  test('an SMTP 550 is not retried: one attempt, logged and audited with its code, never its content', async () => {
    const server = await start({ host: BEYOND_LOOPBACK, starttls: true, auth: AUTH });
    const mail = deliveryOver(server);
    const to = uniqueEmail('refused');
    server.failNext(550);
    const before = logs.length;
    await mail.send(confirmationMail(CTX, to, '868686'));
    await waitFor(() => logs.slice(before).some((l) => l.includes('could not be delivered')), 'the failure');
    await mail.close?.();
    assert.deepEqual(
      server.received.filter((r) => r.to.includes(to)),
      [],
    );
    const [event] = await failuresTo(to);
    assert.deepEqual(event?.detail, { kind: 'confirmation-code', code: 'EMESSAGE 550', attempts: 1, to });
    assert.equal(event?.outcome, 'failure');
    const written = logs.slice(before).join('\n');
    assert.match(written, /"providerCode":"EMESSAGE 550"/);
    assert.doesNotMatch(written, /868686/, 'the code never reaches a log line');
    assert.doesNotMatch(written, /confirmation code is|is your Gatehouse/, 'nor the subject or text');
  });

  test('a server that stays down: the send still resolves, then the failure is audited after the retries', async () => {
    const server = await start({ host: BEYOND_LOOPBACK, starttls: true, auth: AUTH });
    await server.close();
    const mail = deliveryOver(server);
    const to = uniqueEmail('down');
    await mail.send(confirmationMail(CTX, to, '135790'));
    await waitFor(
      () => logs.some((l) => l.includes('could not be delivered') && l.includes('ESOCKET')),
      'the failure',
    );
    await mail.close?.();
    const [event] = await failuresTo(to);
    assert.equal(event?.detail.attempts, 4, 'the first attempt and three retries');
    assert.match(String(event?.detail.code), /^ESOCKET/);
  });
});
