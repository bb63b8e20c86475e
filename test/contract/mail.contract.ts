/**
 * The mail port's contract for the transports that send real mail (SMTP, SES), run unchanged
 * against each one's peer: what arrives is what a mail program shows a person. The dev outbox
 * keeps the same promises about content and refusals in test/unit/outbox-mail.test.ts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type ParsedMail, simpleParser } from 'mailparser';
import type { Mailbox } from '../../src/domain/mail-address.ts';
import { confirmationMail } from '../../src/domain/messages.ts';
import { noticeMail } from '../../src/domain/notices.ts';
import { type Mail, type MailMessage, MailSendError } from '../../src/ports/mail.ts';
import { uniqueEmail } from '../helpers/users.ts';

export interface MailPeer {
  /** A transport of the adapter under test, sending From `from` (and Reply-To `replyTo`). */
  transport(sender: { from: Mailbox; replyTo: Mailbox | null }): Mail;
  /** The raw MIME messages the peer has accepted so far, to `to`. */
  received(to: string): Promise<string[]>;
}

const FROM: Mailbox = { name: 'Gatehouse', address: 'no-reply@example.com' };
const REPLY_TO: Mailbox = { name: 'Gatehouse support', address: 'support@example.com' };
const CTX = { serviceName: 'Gatehouse', appOrigin: 'https://app.example.com' };

/** Sends `message` and returns what the peer got, parsed as a mail program would. */
async function roundTrip(
  peer: MailPeer,
  sender: { from: Mailbox; replyTo: Mailbox | null },
  message: MailMessage,
) {
  const mail = peer.transport(sender);
  try {
    await mail.send(message);
  } finally {
    await mail.close?.();
  }
  const raws = await peer.received(message.to);
  assert.equal(raws.length, 1, 'exactly one message arrives');
  const raw = raws[0] ?? '';
  return { raw, parsed: await simpleParser(raw) };
}

/** The top-level header block of a raw message, unfolded. */
const headerBlock = (raw: string) => (raw.split(/\r?\n\r?\n/)[0] ?? '').replace(/\r?\n[ \t]+/g, ' ');

const contentTypes = (raw: string) =>
  [...raw.matchAll(/^Content-Type: ([^;\r\n]+)/gim)].map((m) => m[1]?.toLowerCase());

function assertAddress(list: ParsedMail['from'] | ParsedMail['to'], expected: Mailbox) {
  const value = (Array.isArray(list) ? list[0] : list)?.value[0];
  assert.deepEqual({ name: value?.name, address: value?.address }, expected);
}

export function mailContract(peer: () => MailPeer): void {
  test('a code mail arrives once, as multipart/alternative: the text part, then the HTML part, both whole', async () => {
    const to = uniqueEmail('contract');
    const message = confirmationMail(CTX, to, '493817');
    const { raw, parsed } = await roundTrip(peer(), { from: FROM, replyTo: REPLY_TO }, message);
    assert.deepEqual(contentTypes(raw), ['multipart/alternative', 'text/plain', 'text/html']);
    assert.equal(parsed.text?.trimEnd(), message.text.trimEnd());
    assert.equal(parsed.html, message.html);
    assert.match(String(parsed.html), /493817/);
  });

  test('headers: From with its display name, Reply-To, To, Subject, Date and Message-ID; no X-Mailer', async () => {
    const to = uniqueEmail('contract');
    const message = confirmationMail(CTX, to, '220466');
    const { raw, parsed } = await roundTrip(peer(), { from: FROM, replyTo: REPLY_TO }, message);
    assertAddress(parsed.from, FROM);
    assertAddress(parsed.replyTo, REPLY_TO);
    assertAddress(parsed.to, { name: '', address: to });
    assert.equal(parsed.subject, '220466 is your Gatehouse confirmation code');
    assert.ok(parsed.messageId && parsed.date, 'Message-ID and Date');
    const headers = headerBlock(raw);
    assert.match(headers, /^Auto-Submitted: auto-generated$/im);
    assert.doesNotMatch(headers, /^X-Mailer:/im);
    assert.doesNotMatch(headers, /^(Cc|Bcc):/im);
  });

  test('without MAIL_REPLY_TO there is no Reply-To header', async () => {
    const to = uniqueEmail('contract');
    const { raw } = await roundTrip(
      peer(),
      { from: FROM, replyTo: null },
      confirmationMail(CTX, to, '371920'),
    );
    assert.doesNotMatch(headerBlock(raw), /^Reply-To:/im);
  });

  test('names and subjects beyond ASCII, and names with quotes and commas, arrive as written', async () => {
    const to = uniqueEmail('contract');
    const from: Mailbox = { name: 'Café "Gåtehouse", Ltd', address: 'no-reply@example.com' };
    const ctx = { ...CTX, serviceName: 'Gåtehouse Café' };
    const message = noticeMail(
      ctx,
      to,
      { kind: 'provider-linked', provider: 'Google' },
      Date.UTC(2026, 2, 14, 9, 12),
    );
    const { raw, parsed } = await roundTrip(peer(), { from, replyTo: null }, message);
    assertAddress(parsed.from, from);
    assert.equal(parsed.subject, 'Google can now sign you in to Gåtehouse Café');
    assert.match(String(parsed.text), /on 14 March 2026 at 09:12 UTC/);
    // Only ASCII on the wire in headers: the names are RFC 2047 encoded, not raw UTF-8.
    for (const line of headerBlock(raw).split(/\r?\n/)) assert.match(line, /^[\x20-\x7e\t]*$/);
  });

  test('a CR or LF in the subject or the recipient is refused for good, and nothing arrives', async () => {
    const to = uniqueEmail('contract');
    const base = confirmationMail(CTX, to, '100200');
    const p = peer();
    const mail = p.transport({ from: FROM, replyTo: null });
    try {
      for (const bad of [
        { ...base, subject: 'Hello\r\nBcc: thief@evil.test' },
        { ...base, to: `${to}\r\nBcc: thief@evil.test` },
        { ...base, subject: 'Hello\nX-Injected: 1' },
      ]) {
        await assert.rejects(
          mail.send(bad),
          (e: unknown) => e instanceof MailSendError && !e.transient && e.providerCode === 'UNSAFE_HEADER',
        );
      }
    } finally {
      await mail.close?.();
    }
    assert.deepEqual(await p.received(to), []);
    assert.deepEqual(await p.received('thief@evil.test'), []);
  });
}
