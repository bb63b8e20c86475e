/**
 * The blobs port: opaque bytes under server-generated keys (photos, files). A local folder by
 * default, S3 in AWS mode.
 *
 * Guarantees every adapter gives:
 * - Keys match BLOB_KEY (letters, digits, "-", "_", "/" separated segments); anything else is
 *   refused with BAD_REQUEST before touching storage, so no key can escape its namespace.
 * - `put` is all-or-nothing: when the source stream fails or is aborted, nothing is left under the
 *   key (no partial object, no orphan). A completed put replaces any previous object.
 * - `put` consumes the stream without buffering it whole, and stops with PAYLOAD_TOO_LARGE
 *   (storing nothing) once more than `maxBytes` arrive.
 * - `get` returns null for a missing key; `delete` of a missing key succeeds.
 * - `list` with `modifiedBefore` leaves out blobs written at or after that time; a page may then
 *   hold fewer keys than `limit` (even none) while `nextCursor` still leads on.
 * - `signedUrl`, where an adapter has it (S3), is a URL that serves one key's bytes for at most
 *   `expiresInSeconds`, with the given Content-Type and Content-Disposition, to whoever holds it.
 *   Adapters without it (the local folder) are streamed through the server instead.
 */
import type { Readable } from 'node:stream';

/** Segments may contain dots but never start with one, so "." and ".." can never be a segment. */
export const BLOB_KEY = /^[A-Za-z0-9_-]{1,128}(\/[A-Za-z0-9_-][A-Za-z0-9_.-]{0,127}){0,7}$/;

export interface BlobInfo {
  readonly key: string;
  readonly size: number;
  readonly contentType: string;
}

export interface Blobs {
  put(key: string, body: Readable, opts: { contentType: string; maxBytes?: number }): Promise<BlobInfo>;
  get(key: string): Promise<{ info: BlobInfo; body: Readable } | null>;
  head(key: string): Promise<BlobInfo | null>;
  delete(key: string): Promise<void>;
  /** Keys under a prefix, in key order, paged; `modifiedBefore` in milliseconds since the epoch. */
  list(
    prefix: string,
    opts?: { limit?: number; cursor?: string; modifiedBefore?: number },
  ): Promise<{ keys: string[]; nextCursor: string | null }>;
  /**
   * True when no other process writes here (the local folder: one server per DATA_DIR), so that
   * at start every blob is complete and every upload that wrote one has finished or died.
   */
  readonly exclusive?: boolean;
  /** Where `signedUrl` URLs point (scheme, host and port), for the pages' Content-Security-Policy. */
  readonly signedUrlOrigin?: string;
  signedUrl?(
    key: string,
    opts: { expiresInSeconds: number; contentType: string; contentDisposition: string },
  ): Promise<string>;
  ping(): Promise<void>;
}
