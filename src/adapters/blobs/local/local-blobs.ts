/**
 * The blobs port on a local folder, the embedded default. It keeps the port's promises
 * (ports/blobs.ts): keys are checked before any filesystem call and cannot leave the root; `put`
 * streams into a temp file in `<root>/.tmp` (same filesystem), counting bytes, and only a complete,
 * fsynced file is renamed over the key, so a failed, aborted or oversized upload leaves nothing
 * behind; readers get either the old or the new blob, never a mix. Files are 0600, folders 0700.
 * A delete removes the folders it leaves empty, but never one a put is about to write into, so an
 * upload racing the deletion of its folder's last blob still lands. Temp files of a process that
 * is gone (a crash mid-upload) are removed at start; a full disk is STORAGE_FULL (507).
 */
import { randomUUID } from 'node:crypto';
import { type Dirent, mkdirSync, readdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { access, constants, type FileHandle, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { AppError, isAppError } from '../../../domain/errors.ts';
import type { BlobInfo, Blobs } from '../../../ports/blobs.ts';
import { isDiskFull, storageFull } from '../../shared/storage-errors.ts';
import { encodeHeader, readHeader } from './blob-file.ts';
import { blobPath, dirMayMatch, isValidKey, keyOfFile, TMP_DIR } from './blob-paths.ts';

const DEFAULT_PAGE = 1000;
// A temp file of another live process this old is abandoned all the same (its pid was reused).
const STALE_TMP_MS = 60 * 60 * 1000;

/** A full disk is STORAGE_FULL; other filesystem failures (permissions, I/O) are UNAVAILABLE. */
const failure = (err: unknown): AppError =>
  isAppError(err)
    ? err
    : isDiskFull(err)
      ? storageFull(err)
      : new AppError('UNAVAILABLE', 'Blob storage is unavailable.', { cause: err });

async function io<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw failure(err);
  }
}

const isCode = (err: unknown, code: string): boolean => (err as NodeJS.ErrnoException | null)?.code === code;

const toBuffer = (chunk: unknown): Buffer => {
  if (typeof chunk === 'string') return Buffer.from(chunk);
  if (chunk instanceof Uint8Array) return Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  throw new AppError('BAD_REQUEST', 'A blob body must be a stream of bytes.');
};

/** Temp files are named `<pid>-<uuid>.part` after the process writing them. */
const tempName = () => `${process.pid}-${randomUUID()}.part`;

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists, under another user.
    return isCode(err, 'EPERM');
  }
}

/**
 * At start no upload of this process is under way, so a temp file is garbage unless another
 * running process wrote it (a second server on the same folder, which the store's lock normally
 * prevents); one with our own pid is a previous life's (containers reuse pids).
 */
function sweepDeadTemps(tmpDir: string): void {
  for (const name of readdirSync(tmpDir)) {
    const file = join(tmpDir, name);
    const pid = Number(/^(\d+)-/.exec(name)?.[1] ?? 0);
    try {
      const live = pid > 0 && pid !== process.pid && isRunning(pid);
      if (!live || Date.now() - statSync(file).mtimeMs > STALE_TMP_MS) rmSync(file, { force: true });
    } catch {
      // Another process may have just renamed or removed it; either way it is not ours to keep.
    }
  }
}

async function writeAll(fh: FileHandle, buf: Buffer): Promise<void> {
  let offset = 0;
  while (offset < buf.length) {
    const { bytesWritten } = await fh.write(buf, offset);
    offset += bytesWritten;
  }
}

/** Opens a blob file and reads its header; null when the key has no blob. */
async function openBlob(
  path: string,
  key: string,
): Promise<{ fh: FileHandle; info: BlobInfo; offset: number } | null> {
  let fh: FileHandle;
  try {
    fh = await open(path, 'r');
  } catch (err) {
    if (isCode(err, 'ENOENT')) return null;
    throw failure(err);
  }
  try {
    const header = await readHeader(fh);
    const { size } = await fh.stat();
    return {
      fh,
      info: { key, size: size - header.offset, contentType: header.contentType },
      offset: header.offset,
    };
  } catch (err) {
    await fh.close();
    throw err;
  }
}

export function createLocalBlobs(rootDir: string): Blobs {
  const root = resolve(rootDir);
  const tmpDir = join(root, TMP_DIR);
  mkdirSync(tmpDir, { recursive: true, mode: 0o700 });
  sweepDeadTemps(tmpDir);

  // Folders (and their parents) a put is creating or renaming into, with how many puts are.
  const claimed = new Map<string, number>();
  const ancestors = (dir: string): string[] => {
    const out: string[] = [];
    for (let d = dir; d.startsWith(`${root}${sep}`); d = dirname(d)) out.push(d);
    return out;
  };

  /** Moves a finished temp file over the key; the folders on its way are claimed until it is there. */
  async function place(tmp: string, path: string): Promise<void> {
    const dirs = ancestors(dirname(path));
    for (const d of dirs) claimed.set(d, (claimed.get(d) ?? 0) + 1);
    try {
      await mkdir(dirname(path), { recursive: true, mode: 0o700 });
      await rename(tmp, path);
    } finally {
      for (const d of dirs) {
        const n = (claimed.get(d) ?? 1) - 1;
        if (n === 0) claimed.delete(d);
        else claimed.set(d, n);
      }
    }
    // The rename is only durable once its folder is synced; best effort where that is unsupported.
    const dir = await open(dirname(path), 'r').catch(() => null);
    await dir?.sync().catch(() => undefined);
    await dir?.close();
  }

  /**
   * Removes folders a delete left empty, up to (not including) the root, and none that a put has
   * claimed. Synchronous on purpose: between the look at `claimed` and the rmdir no put can claim
   * the folder and start its mkdir, which an awaited rmdir would allow.
   */
  function prune(dir: string): void {
    for (const current of ancestors(dir)) {
      if (claimed.has(current)) return;
      try {
        rmdirSync(current);
      } catch {
        return; // Not empty (or already gone): everything above it is in use too.
      }
    }
  }

  async function walk(dir: string, dirKey: string, prefix: string, out: string[]): Promise<void> {
    let entries: Dirent[];
    try {
      entries = await readdir(dir, { withFileTypes: true });
    } catch (err) {
      if (isCode(err, 'ENOENT') || isCode(err, 'ENOTDIR')) return;
      throw err;
    }
    for (const entry of entries) {
      // Symlinks are neither files nor folders here, so no link can lead a listing out of root.
      if (entry.isDirectory()) {
        const childKey = `${dirKey}${entry.name}/`;
        if (isValidKey(`${childKey}x`) && dirMayMatch(childKey, prefix)) {
          await walk(join(dir, entry.name), childKey, prefix, out);
        }
      } else if (entry.isFile()) {
        const key = keyOfFile(dirKey, entry.name);
        if (key?.startsWith(prefix)) out.push(key);
      }
    }
  }

  /** The first `enough` of `keys` whose blob was last written before `time` (a gone one is left out). */
  async function writtenBefore(keys: string[], time: number, enough: number): Promise<string[]> {
    const out: string[] = [];
    for (const key of keys) {
      if (out.length >= enough) break;
      const mtime = await stat(blobPath(root, key)).then(
        (st) => st.mtimeMs,
        (err: unknown) => {
          if (isCode(err, 'ENOENT')) return Number.POSITIVE_INFINITY;
          throw err;
        },
      );
      if (mtime < time) out.push(key);
    }
    return out;
  }

  return {
    async put(key, body, opts) {
      const path = blobPath(root, key);
      const header = encodeHeader(opts.contentType);
      const maxBytes = opts.maxBytes ?? Number.POSITIVE_INFINITY;
      const tmp = join(tmpDir, tempName());
      const fh = await io(() => open(tmp, 'wx', 0o600));
      let handleOpen = true;
      let size = 0;
      try {
        await io(() => writeAll(fh, header));
        // Leaving this loop early (too large, or the source failing) destroys the source stream.
        for await (const chunk of body) {
          const buf = toBuffer(chunk);
          size += buf.length;
          if (size > maxBytes) {
            throw new AppError('PAYLOAD_TOO_LARGE', `The upload is larger than ${maxBytes} bytes.`);
          }
          await io(() => writeAll(fh, buf));
        }
        await io(() => fh.sync());
        handleOpen = false;
        await io(() => fh.close());
        await io(() => place(tmp, path));
      } catch (err) {
        if (handleOpen) await fh.close().catch(() => undefined);
        await rm(tmp, { force: true }).catch(() => undefined);
        throw err;
      }
      return { key, size, contentType: opts.contentType };
    },

    async get(key) {
      const opened = await openBlob(blobPath(root, key), key);
      if (!opened) return null;
      // Reading from the handle already open keeps the stream on this version of the blob even if
      // a put renames a new one over the key meanwhile. The stream closes the handle when done.
      const body = opened.fh.createReadStream({ start: opened.offset });
      return { info: opened.info, body };
    },

    async head(key) {
      const opened = await openBlob(blobPath(root, key), key);
      if (!opened) return null;
      await opened.fh.close();
      return opened.info;
    },

    async delete(key) {
      const path = blobPath(root, key);
      await io(() => rm(path, { force: true }));
      prune(dirname(path));
    },

    async list(prefix, opts = {}) {
      const limit = Math.max(1, Math.min(opts.limit ?? DEFAULT_PAGE, DEFAULT_PAGE));
      let after = '';
      if (opts.cursor !== undefined) {
        after = Buffer.from(opts.cursor, 'base64url').toString('utf8');
        if (!isValidKey(after)) throw new AppError('BAD_REQUEST', 'That page cursor is not valid.');
      }
      const keys: string[] = [];
      // The prefix is only ever compared with keys found on disk, never joined into a path.
      await io(() => walk(root, '', prefix, keys));
      keys.sort();
      let rest = after === '' ? keys : keys.filter((k) => k > after);
      const before = opts.modifiedBefore;
      if (before !== undefined) rest = await io(() => writtenBefore(rest, before, limit + 1));
      const page = rest.slice(0, limit);
      const last = page[page.length - 1];
      return {
        keys: page,
        nextCursor: rest.length > limit && last ? Buffer.from(last).toString('base64url') : null,
      };
    },

    exclusive: true,

    async ping() {
      await io(() => access(tmpDir, constants.R_OK | constants.W_OK));
    },
  };
}
