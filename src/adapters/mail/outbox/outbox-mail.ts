/**
 * The dev outbox: the mail adapter for running on one machine without a mail server. `send`
 * resolves only once the message is appended to a JSON-lines file (so it survives a restart) and
 * rejects with a permanent MailSendError if it cannot be written; the newest `keep` messages are
 * also held in memory for `outbox.list`, newest first, from the moment `send` is called (the
 * delivery layer does not wait for a transport, and the Mailbox page must show a code at once),
 * and each is handed to `log` in a readable form (its text part). It never delivers anything: it
 * is a window onto what would have been sent, both parts of each message included. The file is
 * owner-only (0600), because messages carry confirmation and reset codes.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { DevOutbox, StoredMail } from '../../../ports/dev-outbox.ts';
import { type Mail, type MailMessage, MailSendError } from '../../../ports/mail.ts';
import { assertHeaderSafe } from '../shared/header-safety.ts';

export interface OutboxMailOptions {
  /** JSON-lines file the messages are appended to. */
  readonly file: string;
  /** Receives each message as readable text (the caller decides what may reach its log). */
  readonly log: (msg: string) => void;
  /** How many of the newest messages are kept in memory and in the file at start. Default 200. */
  readonly keep?: number;
}

export const DEFAULT_KEEP = 200;

const isStoredMail = (v: unknown): v is StoredMail => {
  const m = v as Partial<Record<keyof StoredMail, unknown>> | null;
  return (
    typeof m === 'object' &&
    m !== null &&
    typeof m.id === 'string' &&
    typeof m.at === 'string' &&
    typeof m.to === 'string' &&
    typeof m.subject === 'string' &&
    typeof m.text === 'string' &&
    typeof m.html === 'string' &&
    typeof m.kind === 'string'
  );
};

/**
 * Reads the file, skipping lines that do not parse (a line torn by a crash mid-append, or one
 * written before messages had an HTML part and a kind).
 */
function load(file: string): StoredMail[] {
  if (!existsSync(file)) return [];
  const messages: StoredMail[] = [];
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      const value: unknown = JSON.parse(line);
      if (isStoredMail(value)) {
        messages.push(
          Object.freeze({
            id: value.id,
            at: value.at,
            to: value.to,
            subject: value.subject,
            text: value.text,
            html: value.html,
            kind: value.kind,
          }),
        );
      }
    } catch {
      // A torn or foreign line is not a message; the rest of the file still is.
    }
  }
  return messages;
}

const toLine = (m: StoredMail): string => `${JSON.stringify(m)}\n`;

export const formatMail = (m: MailMessage): string => `To: ${m.to}\nSubject: ${m.subject}\n\n${m.text}`;

export function createOutboxMail(opts: OutboxMailOptions): Mail & { readonly outbox: DevOutbox } {
  const keep = Math.max(1, Math.floor(opts.keep ?? DEFAULT_KEEP));
  mkdirSync(dirname(opts.file), { recursive: true, mode: 0o700 });
  const loaded = load(opts.file);
  // Oldest first in memory; list() reverses. Only the newest `keep` survive.
  const messages: StoredMail[] = loaded.slice(-keep);
  if (existsSync(opts.file)) {
    // Rewriting at start bounds the file to `keep` messages and drops torn lines; the rename
    // means a crash here leaves the old file, never a half-written one.
    const tmp = `${opts.file}.${process.pid}.tmp`;
    writeFileSync(tmp, messages.map(toLine).join(''), { mode: 0o600 });
    renameSync(tmp, opts.file);
  }

  return {
    async send(message) {
      assertHeaderSafe(message);
      const stored: StoredMail = Object.freeze({
        id: randomUUID(),
        at: new Date().toISOString(),
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        kind: message.kind,
      });
      messages.push(stored);
      if (messages.length > keep) messages.splice(0, messages.length - keep);
      try {
        await appendFile(opts.file, toLine(stored), { mode: 0o600 });
      } catch (err) {
        // Not stored, so not shown either: the list never holds what a restart would lose.
        const at = messages.indexOf(stored);
        if (at !== -1) messages.splice(at, 1);
        throw new MailSendError(false, (err as NodeJS.ErrnoException).code ?? 'OUTBOX_WRITE', { cause: err });
      }
      opts.log(formatMail(stored));
    },
    outbox: {
      list(limit = keep) {
        const n = Math.floor(limit);
        return n > 0 ? messages.slice(-n).reverse() : [];
      },
    },
  };
}
