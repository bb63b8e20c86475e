/**
 * Private files. An upload streams straight into the blobs port (never held in memory) through a
 * tap that hashes it (SHA-256), counts it and keeps its first bytes for type sniffing. The limits
 * are the plan's (entitlements.ts), worked out here from the caller's profile, and enforced twice: while streaming (the blob adapter stops past the smaller of the file limit and
 * the quota left), and atomically when the record is written (the store checks the quota in the
 * same step as the insert, so racing uploads cannot overshoot it together).
 *
 * No record ever points at missing bytes: an upload stores the bytes before the record, and a
 * delete removes the record before the bytes. What a crash or a failure leaves behind is the
 * other way round, bytes without a record, which nobody can list or download and which
 * files-collector.ts removes. An upload whose record was refused for the quota removes its bytes
 * at once; one whose record write failed leaves them to the collector, because a write that
 * timed out may still land.
 */

import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { AppError, isAppError } from '../domain/errors.ts';
import { attachmentHeader, cleanFileName, downloadType } from '../domain/file-names.ts';
import type { Blobs } from '../ports/blobs.ts';
import type {
  AuditEvent,
  FileRecord,
  Page,
  Profile,
  Store,
  SubscriptionRecord,
  Usage,
} from '../ports/store.ts';
import { type AuditDeps, audit, auditEvent } from './audit.ts';
import type { Deps, RequestMeta } from './deps.ts';
import { type EntitlementsDeps, entitlementsOf } from './entitlements.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type FilesDeps = Pick<Deps, 'clock' | 'log'> & {
  readonly blobs: Pick<Blobs, 'delete' | 'get' | 'put' | 'signedUrl'>;
  readonly store: Pick<Store, 'files'>;
} & AuditDeps &
  EntitlementsDeps;

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

/** Opens the request's one file part; `maxBytes` is the most the plan lets one file hold. */
export type OpenUpload = (maxBytes: number) => Promise<Upload>;

/** The signed-in user's record as the request's guard read it: plan and usage come from it. */
export interface FileOwner {
  readonly userId: string;
  readonly profile: Profile;
  readonly billing: SubscriptionRecord | null;
  readonly usage: Usage;
}

/**
 * The plan decides first (uploads allowed, file size, quota), so a refused upload is refused
 * before its body is read; only then is the file part opened and streamed. The usage read with the
 * user's record only bounds the stream early: the store's atomic check decides. The record and its
 * audit event are one store write after the bytes: on DynamoDB that is the upload's third and last
 * AWS call (the user's record, the S3 put, one transaction).
 */
export async function uploadFile(
  deps: FilesDeps,
  user: FileOwner,
  open: OpenUpload,
  meta: RequestMeta,
): Promise<FileRecord> {
  const { userId } = user;
  const limits = entitlementsOf(deps, user);
  if (!limits.uploadsAllowed) {
    throw new AppError(
      'PLAN_REQUIRED',
      limits.plan === 'trial'
        ? 'Your trial has ended: choose a plan to upload files.'
        : 'Uploading needs a paid plan: choose one on the billing page. Your files stay available.',
    );
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
  if (left <= 0) throw tooLarge();
  const upload = await open(limits.fileMaxBytes);

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
  if (!(await createRecord(deps, record, limits.fileQuotaBytes, event))) {
    await deps.blobs.delete(key).catch(() => undefined);
    throw new AppError(
      'QUOTA_EXCEEDED',
      `This upload would pass your storage quota (${limits.fileQuotaBytes} bytes).`,
    );
  }
  return record;
}

/**
 * Writes the record with its audit event (one atomic step); false when the quota refused it. When
 * the write fails, the record may still exist (a DynamoDB transaction that timed out after it was
 * applied, its event with it): a strongly consistent read tells, and an applied write is reported
 * as done. Otherwise the failure stands and the bytes stay for the collector, since a write still
 * in flight could land after them being removed.
 */
async function createRecord(
  deps: FilesDeps,
  record: FileRecord,
  quotaBytes: number,
  event: AuditEvent,
): Promise<boolean> {
  try {
    return await deps.store.files.create(record, quotaBytes, event);
  } catch (err) {
    const landed = await deps.store.files.get(record.userId, record.id).catch(() => null);
    if (landed) return true;
    throw err;
  }
}

/** A page of the user's files, newest first. */
export async function listFiles(
  deps: FilesDeps,
  userId: string,
  opts: { limit: number; cursor?: string },
): Promise<Page<FileRecord>> {
  return deps.store.files.list(userId, opts);
}

/** The storage used, as read with the user's record, beside what the plan allows. */
export function usageOf(deps: FilesDeps, user: FileOwner) {
  const limits = entitlementsOf(deps, user);
  return { ...user.usage, quotaBytes: limits.fileQuotaBytes, fileMaxBytes: limits.fileMaxBytes };
}

const notFound = () => new AppError('NOT_FOUND', 'No such file.');

/** The user's file record by id; NOT_FOUND for a malformed id (no lookup) or another user's file. */
export async function findFile(deps: FilesDeps, userId: string, id: string): Promise<FileRecord> {
  if (!FILE_ID.test(id)) throw notFound();
  const record = await deps.store.files.get(userId, id);
  if (!record) throw notFound();
  return record;
}

/** What a download needs: a short-lived URL where the adapter has one, else the bytes. */
export async function openFile(deps: FilesDeps, record: FileRecord) {
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

export async function deleteFile(
  deps: FilesDeps,
  userId: string,
  id: string,
  meta: RequestMeta,
): Promise<void> {
  if (!FILE_ID.test(id)) throw notFound();
  const record = await deps.store.files.get(userId, id);
  if (!record) throw notFound();
  await removeFile(deps, record);
  await audit(deps, { type: 'file.deleted', subjectId: userId, ip: meta.ip, detail: { file_id: id } });
}

/**
 * The record first, so the file is never listed once its bytes may be gone; then the bytes. Once
 * the record is gone the file is deleted for its owner: bytes that cannot be removed now (a crash,
 * blob storage down) are the collector's.
 */
async function removeFile(deps: FilesDeps, record: FileRecord): Promise<void> {
  await deps.store.files.delete(record.userId, record.id);
  try {
    await deps.blobs.delete(record.blobKey);
  } catch (err) {
    deps.log.warn({ err, fileId: record.id }, 'file bytes left for the orphan collector');
  }
}

/** Every file of a user, records then bytes; for account deletion. */
export async function deleteAllFiles(deps: FilesDeps, userId: string): Promise<number> {
  let deleted = 0;
  for (;;) {
    const page = await deps.store.files.list(userId, { limit: 200 });
    if (page.items.length === 0) return deleted;
    for (const f of page.items) {
      await removeFile(deps, f);
      deleted++;
    }
  }
}
