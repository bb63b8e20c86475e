/**
 * Private files. An upload streams straight into the blobs port (never held in memory) through a
 * tap that hashes it (SHA-256), counts it and keeps its first bytes for type sniffing. Limits are
 * enforced twice: while streaming (the blob adapter stops past the smaller of the file limit and
 * the quota left), and atomically when the record is written (the store checks the quota in the
 * same step as the insert, so racing uploads cannot overshoot it together). Whatever fails after
 * the bytes are stored removes them again: no record without bytes, no bytes without a record.
 */
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { AppError, isAppError } from '../domain/errors.ts';
import { attachmentHeader, cleanFileName, downloadType } from '../domain/file-names.ts';
import type { Entitlements } from '../domain/plans.ts';
import type { FileRecord, Page, Usage } from '../ports/store.ts';
import { audit, auditEvent } from './audit.ts';
import type { Deps, RequestMeta } from './deps.ts';

const SNIFF_BYTES = 4100;
/** File ids are generated here; anything else in a URL is refused before any lookup. */
export const FILE_ID = /^[A-Za-z0-9_-]{22}$/;

export const fileKey = (userId: string, id: string) => `files/${userId}/${id}`;

type FileTypeModule = typeof import('file-type');
let fileTypeModule: Promise<FileTypeModule> | undefined;

/** The content type by the bytes: a known binary signature, UTF-8 text, or octet-stream. */
export async function sniffType(head: Buffer): Promise<string> {
  fileTypeModule ??= import('file-type');
  const found = await (await fileTypeModule).fileTypeFromBuffer(head);
  if (found) return found.mime;
  if (head.length === 0) return 'application/octet-stream';
  if (!head.includes(0) && isUtf8Prefix(head)) return 'text/plain';
  return 'application/octet-stream';
}

/** Valid UTF-8, allowing a multi-byte character cut off at the end of the sample. */
function isUtf8Prefix(buf: Buffer): boolean {
  for (let cut = 0; cut < 4 && cut < buf.length; cut++) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(buf.subarray(0, buf.length - cut));
      return true;
    } catch {
      // A truncated sequence at the end: try again without its last byte.
    }
  }
  return false;
}

export interface Upload {
  readonly filename: string | undefined;
  readonly stream: Readable;
}

/**
 * Stores one upload for the user. `used` is the user's usage as read with their record for this
 * request: it only bounds the stream early, the store's atomic check decides. The record and its
 * audit event are one store write after the bytes: on DynamoDB that is the upload's third and last
 * AWS call (the user's record, the S3 put, one transaction).
 */
export async function uploadFile(
  deps: Deps,
  user: { readonly userId: string; readonly usage: Usage },
  limits: Entitlements,
  upload: Upload,
  meta: RequestMeta,
): Promise<FileRecord> {
  const { userId } = user;
  if (limits.trialExpired) {
    upload.stream.destroy();
    throw new AppError('PLAN_REQUIRED', 'Your trial has ended: choose a plan to upload files.');
  }
  const left = limits.fileQuotaBytes - user.usage.bytes;
  const quotaBound = left < limits.fileMaxBytes;
  const tooLarge = () =>
    quotaBound
      ? new AppError(
          'QUOTA_EXCEEDED',
          `This upload would pass your storage quota (${limits.fileQuotaBytes} bytes).`,
        )
      : new AppError('FILE_TOO_LARGE', `A file may be at most ${limits.fileMaxBytes} bytes.`);
  if (left <= 0) {
    upload.stream.destroy();
    throw tooLarge();
  }

  const id = randomBytes(16).toString('base64url');
  const key = fileKey(userId, id);
  const hash = createHash('sha256');
  const head: Buffer[] = [];
  let headLength = 0;
  async function* tap(source: Readable) {
    for await (const chunk of source) {
      const buf = chunk as Buffer;
      hash.update(buf);
      if (headLength < SNIFF_BYTES) {
        head.push(buf.subarray(0, SNIFF_BYTES - headLength));
        headLength += Math.min(buf.length, SNIFF_BYTES - headLength);
      }
      yield buf;
    }
  }

  let size: number;
  try {
    ({ size } = await deps.blobs.put(key, Readable.from(tap(upload.stream), { objectMode: false }), {
      contentType: 'application/octet-stream',
      maxBytes: Math.min(limits.fileMaxBytes, left),
    }));
  } catch (err) {
    if (isAppError(err) && err.code === 'PAYLOAD_TOO_LARGE') throw tooLarge();
    throw err;
  }

  const record: FileRecord = {
    id,
    userId,
    name: cleanFileName(upload.filename),
    size,
    contentType: await sniffType(Buffer.concat(head)),
    sha256: hash.digest('hex'),
    blobKey: key,
    createdAt: new Date(deps.clock()).toISOString(),
  };
  const event = auditEvent(deps, {
    type: 'file.uploaded',
    subjectId: userId,
    ip: meta.ip,
    detail: { file_id: id, size, content_type: record.contentType },
  });
  let created = false;
  try {
    created = await deps.store.files.create(record, limits.fileQuotaBytes, event);
  } finally {
    if (!created) await deps.blobs.delete(key).catch(() => undefined);
  }
  if (!created) {
    throw new AppError(
      'QUOTA_EXCEEDED',
      `This upload would pass your storage quota (${limits.fileQuotaBytes} bytes).`,
    );
  }
  return record;
}

export async function listFiles(
  deps: Deps,
  userId: string,
  opts: { limit: number; cursor?: string },
): Promise<Page<FileRecord>> {
  return deps.store.files.list(userId, opts);
}

/** The usage as read with the user's record, beside what the plan allows. */
export const usageView = (used: Usage, limits: Entitlements) => ({
  ...used,
  quotaBytes: limits.fileQuotaBytes,
  fileMaxBytes: limits.fileMaxBytes,
});

const notFound = () => new AppError('NOT_FOUND', 'No such file.');

/** The user's file record by id; NOT_FOUND for a malformed id (no lookup) or another user's file. */
export async function findFile(deps: Deps, userId: string, id: string): Promise<FileRecord> {
  if (!FILE_ID.test(id)) throw notFound();
  const record = await deps.store.files.get(userId, id);
  if (!record) throw notFound();
  return record;
}

/** What a download needs: a short-lived URL where the adapter has one, else the bytes. */
export async function openFile(deps: Deps, record: FileRecord) {
  const id = record.id;
  const headers = {
    contentType: downloadType(record.contentType),
    contentDisposition: attachmentHeader(record.name),
  };
  if (deps.blobs.signedUrl) {
    const url = await deps.blobs.signedUrl(record.blobKey, { expiresInSeconds: 60, ...headers });
    return { record, headers, url } as const;
  }
  const blob = await deps.blobs.get(record.blobKey);
  if (!blob) {
    deps.log.error({ fileId: id }, 'file record without its bytes');
    throw notFound();
  }
  return { record, headers, body: blob.body } as const;
}

export async function deleteFile(deps: Deps, userId: string, id: string, meta: RequestMeta): Promise<void> {
  if (!FILE_ID.test(id)) throw notFound();
  const record = await deps.store.files.get(userId, id);
  if (!record) throw notFound();
  // Bytes first: if the record delete then fails, a retry finds the record and finishes the job,
  // whereas the other order could strand bytes that no record points at.
  await deps.blobs.delete(record.blobKey);
  await deps.store.files.delete(userId, id);
  await audit(deps, { type: 'file.deleted', subjectId: userId, ip: meta.ip, detail: { file_id: id } });
}

/** Every file of a user, bytes then records; for account deletion. */
export async function deleteAllFiles(deps: Deps, userId: string): Promise<number> {
  let deleted = 0;
  for (;;) {
    const page = await deps.store.files.list(userId, { limit: 200 });
    if (page.items.length === 0) return deleted;
    for (const f of page.items) {
      await deps.blobs.delete(f.blobKey);
      await deps.store.files.delete(userId, f.id);
      deleted++;
    }
  }
}
