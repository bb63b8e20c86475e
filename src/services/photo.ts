/**
 * Profile photos. An upload is judged by its bytes (PNG, JPEG or WebP magic numbers), its pixel
 * count is checked from the header before anything is decoded (a small file can declare a huge
 * image), and it is then decoded, turned upright, cropped square and re-encoded as WebP at a few
 * fixed sizes. Re-encoding drops every byte of the original, so no EXIF (location included), ICC
 * or trailing payload survives. Each photo gets a new random version that is part of its URL, so
 * the URL can be cached for a year and still change the moment the photo does.
 */

import { randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import type { Config } from '../config/config.ts';
import { AppError, isAppError } from '../domain/errors.ts';
import type { Blobs } from '../ports/blobs.ts';
import type { Store } from '../ports/store.ts';
import { type AuditDeps, audit } from './audit.ts';
import type { Deps, RequestMeta } from './deps.ts';
import { getProfile, type UsersDeps } from './users.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type PhotoDeps = Pick<Deps, 'clock'> & {
  readonly blobs: Pick<Blobs, 'delete' | 'get' | 'put' | 'signedUrl'>;
  readonly config: Pick<Config, 'photoMaxBytes' | 'photoMaxPixels'>;
  readonly store: Pick<Store, 'profiles'>;
} & AuditDeps &
  UsersDeps;

export const PHOTO_SIZES = [64, 256, 512] as const;
export type PhotoSize = (typeof PHOTO_SIZES)[number];
/** The size photo_url points at; the others are the same URL with another size. */
export const DEFAULT_PHOTO_SIZE: PhotoSize = 256;

const photoKey = (userId: string, version: string, size: number) => `photos/${userId}/${version}/${size}`;

type ImageKind = 'png' | 'jpeg' | 'webp';

/** The image type by magic number; what the client called it plays no part. */
export function sniffImage(head: Uint8Array): ImageKind | null {
  const b = Buffer.from(head.buffer, head.byteOffset, head.byteLength);
  if (b.length >= 8 && b.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])))
    return 'png';
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP')
    return 'webp';
  return null;
}

/** Reads a stream into memory, refusing (and stopping the stream) past maxBytes. */
async function readCapped(stream: Readable, maxBytes: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw new AppError('IMAGE_TOO_LARGE', `A photo may be at most ${maxBytes} bytes.`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size);
}

type Sharp = typeof import('sharp');
let sharpModule: Promise<Sharp> | undefined;
// Loaded on first use: most processes never resize a photo, and the native module costs start-up.
const loadSharp = async (): Promise<Sharp> => {
  sharpModule ??= import('sharp').then((m) => ((m as { default?: Sharp }).default ?? m) as Sharp);
  return sharpModule;
};

async function renditions(deps: PhotoDeps, input: Buffer): Promise<Map<PhotoSize, Buffer>> {
  const kind = sniffImage(input.subarray(0, 16));
  if (!kind) throw new AppError('UNSUPPORTED_FILE_TYPE', 'A photo must be a PNG, JPEG or WebP image.');
  const sharp = await loadSharp();
  const limitInputPixels = deps.config.photoMaxPixels;
  let meta: import('sharp').Metadata;
  try {
    meta = await sharp(input, { limitInputPixels: false }).metadata();
  } catch {
    throw new AppError('INVALID_IMAGE', 'That image could not be read.');
  }
  if (meta.format !== kind) throw new AppError('INVALID_IMAGE', 'That image could not be read.');
  const pixels = (meta.width ?? 0) * (meta.height ?? 0) * Math.max(meta.pages ?? 1, 1);
  if (pixels === 0) throw new AppError('INVALID_IMAGE', 'That image could not be read.');
  if (pixels > limitInputPixels) {
    throw new AppError('IMAGE_TOO_LARGE', `A photo may have at most ${limitInputPixels} pixels.`);
  }
  const out = new Map<PhotoSize, Buffer>();
  try {
    for (const size of PHOTO_SIZES) {
      const buf = await sharp(input, { limitInputPixels, failOn: 'error', pages: 1 })
        .rotate() // applies the EXIF orientation before the metadata is dropped
        .resize(size, size, { fit: 'cover', position: 'attention', withoutEnlargement: false })
        .webp({ quality: 82, effort: 4 })
        .toBuffer();
      out.set(size, buf);
    }
  } catch (err) {
    if (isAppError(err)) throw err;
    throw new AppError('INVALID_IMAGE', 'That image could not be read.');
  }
  return out;
}

export async function setPhoto(
  deps: PhotoDeps,
  userId: string,
  upload: Readable,
  meta: RequestMeta,
): Promise<{ photoUrl: string }> {
  const input = await readCapped(upload, deps.config.photoMaxBytes);
  const images = await renditions(deps, input);
  const version = randomBytes(9).toString('base64url');
  const written: string[] = [];
  try {
    for (const [size, buf] of images) {
      const key = photoKey(userId, version, size);
      await deps.blobs.put(key, Readable.from([buf]), { contentType: 'image/webp' });
      written.push(key);
    }
    const profile = await getProfile(deps, userId);
    await deps.store.profiles.put({
      ...profile,
      photoVersion: version,
      updatedAt: new Date(deps.clock()).toISOString(),
    });
    // The old version goes only once the new one is in place: a failure leaves the old photo.
    if (profile.photoVersion) await deletePhotoBlobs(deps, userId, profile.photoVersion);
  } catch (err) {
    await Promise.allSettled(written.map((k) => deps.blobs.delete(k)));
    throw err;
  }
  await audit(deps, { type: 'profile.photo.updated', subjectId: userId, ip: meta.ip });
  return { photoUrl: `/api/users/me/photo/${version}/${DEFAULT_PHOTO_SIZE}` };
}

export async function deletePhotoBlobs(deps: PhotoDeps, userId: string, version: string): Promise<void> {
  for (const size of PHOTO_SIZES) await deps.blobs.delete(photoKey(userId, version, size));
}

export async function removePhoto(deps: PhotoDeps, userId: string, meta: RequestMeta): Promise<void> {
  const profile = await getProfile(deps, userId);
  if (!profile.photoVersion) return;
  await deps.store.profiles.put({
    ...profile,
    photoVersion: null,
    updatedAt: new Date(deps.clock()).toISOString(),
  });
  await deletePhotoBlobs(deps, userId, profile.photoVersion);
  await audit(deps, { type: 'profile.photo.removed', subjectId: userId, ip: meta.ip });
}

/** Lifetime of a photo's presigned URL (S3); the redirect to it is cached for less. */
export const PHOTO_URL_SECONDS = 300;

/**
 * The caller's own photo at one size: a short-lived URL where the blob store has them (S3), else
 * the bytes; null unless `version` is the current one, so an old URL stops working at once.
 */
export async function readPhoto(deps: PhotoDeps, userId: string, version: string, size: PhotoSize) {
  const profile = await getProfile(deps, userId);
  if (profile.photoVersion !== version) return null;
  const key = photoKey(userId, version, size);
  if (deps.blobs.signedUrl) {
    const url = await deps.blobs.signedUrl(key, {
      expiresInSeconds: PHOTO_URL_SECONDS,
      contentType: 'image/webp',
      contentDisposition: 'inline',
    });
    return { url, blob: null };
  }
  const blob = await deps.blobs.get(key);
  return blob && { url: null, blob };
}
