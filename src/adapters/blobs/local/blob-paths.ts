/**
 * Where a key lives on disk, and the checks that keep it inside the root. A key must match
 * BLOB_KEY and may not have a "." or ".." segment (the port's pattern admits them in later
 * segments, and the filesystem would resolve them); the joined path is then checked to be under
 * the root as a second, independent fence. Each blob is a file named `<last segment>~blob`: "~"
 * never occurs in a key, so key "a" (file `a~blob`) and key "a/b" (directory `a/`) never collide,
 * and nothing else in the tree (the `.tmp` folder, stray files) can be mistaken for a blob.
 */
import { isAbsolute, join, relative } from 'node:path';
import { AppError } from '../../../domain/errors.ts';
import { BLOB_KEY } from '../../../ports/blobs.ts';

export const BLOB_SUFFIX = '~blob';
export const TMP_DIR = '.tmp';

const DOT_SEGMENT = /(^|\/)\.{1,2}(\/|$)/;

const badKey = () => new AppError('BAD_REQUEST', 'That storage key is not valid.');

export function isValidKey(key: unknown): key is string {
  return typeof key === 'string' && BLOB_KEY.test(key) && !DOT_SEGMENT.test(key);
}

/** The absolute file for a key; throws BAD_REQUEST for anything that is not a safe key. */
export function blobPath(root: string, key: string): string {
  if (!isValidKey(key)) throw badKey();
  const segments = key.split('/');
  const last = segments.pop() ?? '';
  const path = join(root, ...segments, `${last}${BLOB_SUFFIX}`);
  const rel = relative(root, path);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) throw badKey();
  return path;
}

/** A directory entry seen while listing: the key it stands for, or null if it is not a blob. */
export function keyOfFile(dirKey: string, name: string): string | null {
  if (!name.endsWith(BLOB_SUFFIX)) return null;
  const key = `${dirKey}${name.slice(0, -BLOB_SUFFIX.length)}`;
  return isValidKey(key) ? key : null;
}

/** Whether a directory (as a key prefix ending in "/") can hold keys that start with prefix. */
export const dirMayMatch = (dirKey: string, prefix: string): boolean =>
  dirKey.startsWith(prefix) || prefix.startsWith(dirKey);
