/**
 * The store's file records: the metadata of each user's uploaded files (the bytes live in the
 * blobs port). `create` checks the user's quota and inserts in one atomic step, so concurrent
 * uploads can never together exceed it; every read and delete takes the owner's id and treats
 * another user's record as missing.
 */
import type { AuditEvent } from './audit.ts';
import type { Page } from './page.ts';

/** A stored file's metadata; the bytes live in the blobs port under `blobKey`. */
export interface FileRecord {
  readonly id: string;
  readonly userId: string;
  /** The uploader's name for it, cleaned; display only, never a path. */
  readonly name: string;
  readonly size: number;
  /** Sniffed from the bytes, not taken from the client. */
  readonly contentType: string;
  readonly sha256: string;
  readonly blobKey: string;
  readonly createdAt: string;
}

/** A user's file usage: the sum of their files' sizes, and how many there are. */
export interface Usage {
  readonly bytes: number;
  readonly count: number;
}

export interface FileStore {
  /**
   * Inserts the record only if the user's files, this one included, stay within quotaBytes.
   * False (nothing written) when they would not. Check and insert are one atomic step, with
   * `event` recorded in it when given.
   */
  create(file: FileRecord, quotaBytes: number, event?: AuditEvent): Promise<boolean>;
  /** Null when missing or owned by another user. */
  get(userId: string, id: string): Promise<FileRecord | null>;
  /** Newest first, paged with an opaque cursor. */
  list(userId: string, opts: { limit: number; cursor?: string }): Promise<Page<FileRecord>>;
  /** True if the user's record was deleted. */
  delete(userId: string, id: string): Promise<boolean>;
  usage(userId: string): Promise<Usage>;
}
