/**
 * The dev outbox: the mail adapter for running on one machine without a mail server. `send`
 * resolves only once the message is appended to a JSON-lines file (so it survives a restart) and
 * rejects with UNAVAILABLE if it cannot be written (STORAGE_FULL when the disk is full); the newest `keep` messages are also held in
 * memory for `outbox.list`, newest first, and each is handed to `log` in a readable form. It never
 * delivers anything: it is a window onto what would have been sent. The file is owner-only
 * (0600), because messages carry confirmation and reset codes.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { appendFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { AppError } from '../../../domain/errors.ts';
import type { Mail, MailMessage, StoredMail } from '../../../ports/mail.ts';
import { isDiskFull, storageFull } from '../../shared/storage-errors.ts';

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
    typeof m.text === 'string'
  );
};

/** Reads the file, skipping lines that do not parse (a line torn by a crash mid-append). */
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

export function createOutboxMail(opts: OutboxMailOptions): Mail {
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
      const stored: StoredMail = Object.freeze({
        id: randomUUID(),
        at: new Date().toISOString(),
        to: message.to,
        subject: message.subject,
        text: message.text,
      });
      try {
        await appendFile(opts.file, toLine(stored), { mode: 0o600 });
      } catch (err) {
        // A torn line left by a full disk is skipped when the file is next read.
        if (isDiskFull(err)) throw storageFull(err);
        throw new AppError('UNAVAILABLE', 'The dev outbox could not store the message.', { cause: err });
      }
      messages.push(stored);
      if (messages.length > keep) messages.splice(0, messages.length - keep);
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
