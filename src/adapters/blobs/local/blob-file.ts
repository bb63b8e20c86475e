/**
 * The on-disk form of one blob: a small header (magic, length, JSON with the content type) and
 * then the bytes. Keeping the content type inside the same file means one rename replaces both
 * at once, so two concurrent puts can never leave one's bytes with the other's content type.
 */
import type { FileHandle } from 'node:fs/promises';
import { AppError } from '../../../domain/errors.ts';

const MAGIC = Buffer.from('GHB1');
const PREFIX_LENGTH = MAGIC.length + 4;
const MAX_HEADER = 16 * 1024;

export interface BlobHeader {
  readonly contentType: string;
  /** Where the blob's bytes start in the file. */
  readonly offset: number;
}

export function encodeHeader(contentType: string): Buffer {
  const json = Buffer.from(JSON.stringify({ contentType }));
  if (json.length > MAX_HEADER) throw new AppError('BAD_REQUEST', 'That content type is too long.');
  const length = Buffer.alloc(4);
  length.writeUInt32BE(json.length);
  return Buffer.concat([MAGIC, length, json]);
}

const corrupt = () => new AppError('INTERNAL', 'A stored blob is damaged.');

export async function readHeader(fh: FileHandle): Promise<BlobHeader> {
  const prefix = Buffer.alloc(PREFIX_LENGTH);
  const { bytesRead } = await fh.read(prefix, 0, PREFIX_LENGTH, 0);
  if (bytesRead !== PREFIX_LENGTH || !prefix.subarray(0, MAGIC.length).equals(MAGIC)) throw corrupt();
  const length = prefix.readUInt32BE(MAGIC.length);
  if (length > MAX_HEADER) throw corrupt();
  const json = Buffer.alloc(length);
  const read = await fh.read(json, 0, length, PREFIX_LENGTH);
  if (read.bytesRead !== length) throw corrupt();
  let parsed: unknown;
  try {
    parsed = JSON.parse(json.toString('utf8'));
  } catch {
    throw corrupt();
  }
  const contentType = (parsed as { contentType?: unknown } | null)?.contentType;
  if (typeof contentType !== 'string') throw corrupt();
  return { contentType, offset: PREFIX_LENGTH + length };
}
