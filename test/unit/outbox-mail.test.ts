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
  const msg = (n: number) => ({
    to: `user${n}@example.com`,
    subject: `Subject ${n}`,
    text: `Your code is 12345${n}.`,
  });

  test('each message is printed to the log with its recipient, subject and text', async () => {
    const lines: string[] = [];
    const mail = createOutboxMail({ file, log: (m) => lines.push(m) });
    await mail.send({
      to: 'ada@example.com',
      subject: 'Confirm your email',
      text: 'Your code is 123456.\nIt expires in 24 hours.',
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

  test('a message that cannot be stored is UNAVAILABLE, and is neither listed nor logged', async () => {
    const lines: string[] = [];
    const mail = createOutboxMail({ file, log: (m) => lines.push(m) });
    // The file's place is taken by a folder, so appending fails.
    await rm(file, { force: true });
    await mkdir(file);
    await assert.rejects(mail.send(msg(1)), (e: unknown) => isAppError(e) && e.code === 'UNAVAILABLE');
    assert.deepEqual(mail.outbox?.list(), []);
    assert.deepEqual(lines, []);
  });
});
