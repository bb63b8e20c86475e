/**
 * The dev outbox: what a developer relies on to read codes without a mail server. Messages are
 * stored before `send` resolves, survive a restart, list newest first, reach the log readably,
 * and a storage failure is UNAVAILABLE rather than a message silently lost.
 */
import assert from 'node:assert/strict';
import { appendFile, mkdir, mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { createOutboxMail } from '../../src/adapters/mail/outbox/outbox-mail.ts';
import { isAppError } from '../../src/domain/errors.ts';
import { type MailMessage, MailSendError } from '../../src/ports/mail.ts';

describe('outbox mail', () => {
  let dir: string;
  let file: string;
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'gatehouse-outbox-'));
    file = join(dir, 'mail', 'outbox.jsonl');
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  const quiet = () => undefined;
  const msg = (n: number): MailMessage => ({
    to: `user${n}@example.com`,
    subject: `Subject ${n}`,
    text: `Your code is 12345${n}.`,
    html: `<p>Your code is <b>12345${n}</b>.</p>`,
    kind: 'confirmation-code',
  });

  test('each message is printed to the log with its recipient, subject and text', async () => {
    const lines: string[] = [];
    const mail = createOutboxMail({ file, log: (m) => lines.push(m) });
    await mail.send({
      to: 'ada@example.com',
      subject: 'Confirm your email',
      text: 'Your code is 123456.\nIt expires in 24 hours.',
      html: '<p>Your code is 123456.</p>',
      kind: 'confirmation-code',
    });
    assert.equal(lines.length, 1);
    const [line = ''] = lines;
    assert.match(line, /To: ada@example\.com/);
    assert.match(line, /Subject: Confirm your email/);
    assert.match(line, /Your code is 123456\.\nIt expires in 24 hours\./);
  });

  test('lists newest first, with a limit, each with a unique id and an ISO time', async () => {
    const mail = createOutboxMail({ file, log: quiet });
    for (const n of [1, 2, 3]) await mail.send(msg(n));
    const list = mail.outbox?.list() ?? [];
    assert.deepEqual(
      list.map((m) => m.to),
      ['user3@example.com', 'user2@example.com', 'user1@example.com'],
    );
    assert.equal(new Set(list.map((m) => m.id)).size, 3);
    for (const m of list) assert.equal(new Date(m.at).toISOString(), m.at);
    assert.deepEqual(
      mail.outbox?.list(2).map((m) => m.subject),
      ['Subject 3', 'Subject 2'],
    );
    assert.deepEqual(mail.outbox?.list(0), []);
  });

  test('messages survive re-creation on the same file', async () => {
    const first = createOutboxMail({ file, log: quiet });
    for (const n of [1, 2, 3]) await first.send(msg(n));
    const before = first.outbox?.list();
    const second = createOutboxMail({ file, log: quiet });
    assert.deepEqual(second.outbox?.list(), before);
    await second.send(msg(4));
    assert.deepEqual(
      createOutboxMail({ file, log: quiet })
        .outbox?.list()
        .map((m) => m.to),
      ['user4@example.com', 'user3@example.com', 'user2@example.com', 'user1@example.com'],
    );
  });

  test('keeps only the newest `keep` messages, in memory and in the file after a restart', async () => {
    const mail = createOutboxMail({ file, log: quiet, keep: 3 });
    for (const n of [1, 2, 3, 4, 5]) await mail.send(msg(n));
    assert.deepEqual(
      mail.outbox?.list(100).map((m) => m.subject),
      ['Subject 5', 'Subject 4', 'Subject 3'],
    );
    const reopened = createOutboxMail({ file, log: quiet, keep: 3 });
    assert.deepEqual(
      reopened.outbox?.list().map((m) => m.subject),
      ['Subject 5', 'Subject 4', 'Subject 3'],
    );
    assert.equal((await readFile(file, 'utf8')).trim().split('\n').length, 3);
  });

  test('a torn line from a crash is skipped and the outbox keeps working', async () => {
    const first = createOutboxMail({ file, log: quiet });
    await first.send(msg(1));
    await appendFile(file, '{"id":"torn","to":"x@exa');
    const second = createOutboxMail({ file, log: quiet });
    await second.send(msg(2));
    assert.deepEqual(
      createOutboxMail({ file, log: quiet })
        .outbox?.list()
        .map((m) => m.to),
      ['user2@example.com', 'user1@example.com'],
    );
  });

  test('the file is readable by its owner only', async () => {
    const mail = createOutboxMail({ file, log: quiet });
    await mail.send(msg(1));
    assert.equal((await stat(file)).mode & 0o777, 0o600);
  });

  test('a message that cannot be stored is UNAVAILABLE (permanent), and is neither listed nor logged', async () => {
    const lines: string[] = [];
    const mail = createOutboxMail({ file, log: (m) => lines.push(m) });
    // The file's place is taken by a folder, so appending fails.
    await rm(file, { force: true });
    await mkdir(file);
    await assert.rejects(
      mail.send(msg(1)),
      (e: unknown) => isAppError(e) && e.code === 'UNAVAILABLE' && e instanceof MailSendError && !e.transient,
    );
    assert.deepEqual(mail.outbox?.list(), []);
    assert.deepEqual(lines, []);
  });

  test('a message is listed, both parts and its kind, from the moment send is called', async () => {
    const mail = createOutboxMail({ file, log: quiet });
    const sending = mail.send(msg(1));
    const [listed] = mail.outbox?.list() ?? [];
    assert.equal(listed?.html, '<p>Your code is <b>123451</b>.</p>');
    assert.equal(listed?.kind, 'confirmation-code');
    await sending;
    assert.deepEqual(createOutboxMail({ file, log: quiet }).outbox?.list(), [listed]);
  });

  test('a subject or recipient with CR or LF is refused for good, and nothing is stored', async () => {
    const mail = createOutboxMail({ file, log: quiet });
    for (const bad of [
      { ...msg(1), subject: 'Hello\r\nBcc: evil@evil.test' },
      { ...msg(1), to: 'ada@example.com\nBcc: evil@evil.test' },
    ]) {
      await assert.rejects(
        mail.send(bad),
        (e: unknown) => e instanceof MailSendError && !e.transient && e.providerCode === 'UNSAFE_HEADER',
      );
    }
    assert.deepEqual(mail.outbox?.list(), []);
  });

  test('lines written before messages had an HTML part are skipped, the rest still load', async () => {
    await mkdir(join(dir, 'mail'), { recursive: true });
    await appendFile(
      file,
      `${JSON.stringify({ id: 'old', at: new Date().toISOString(), to: 'a@b.test', subject: 's', text: 't' })}\n`,
    );
    const mail = createOutboxMail({ file, log: quiet });
    await mail.send(msg(2));
    assert.deepEqual(
      createOutboxMail({ file, log: quiet })
        .outbox?.list()
        .map((m) => m.to),
      ['user2@example.com'],
    );
  });
});
