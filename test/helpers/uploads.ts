/** Multipart bodies and test images for the upload routes. */
import { randomBytes } from 'node:crypto';
import sharp from 'sharp';
import type { Built } from './build.ts';

export interface Part {
  readonly field?: string;
  readonly filename?: string;
  readonly contentType?: string;
  readonly data: Buffer | string;
}

// A plain field has no type line: busboy counts an octet-stream part as a file even without a name.
const type = (p: Part) =>
  p.filename === undefined && p.contentType === undefined
    ? ''
    : `Content-Type: ${p.contentType ?? 'application/octet-stream'}\r\n`;

/** A multipart/form-data body (one part per entry) and its content-type header. */
export function multipart(...parts: Part[]): { payload: Buffer; headers: Record<string, string> } {
  const boundary = `----gatehouse${randomBytes(8).toString('hex')}`;
  const chunks: Buffer[] = [];
  for (const p of parts) {
    const disposition = `form-data; name="${p.field ?? 'file'}"${p.filename === undefined ? '' : `; filename="${p.filename}"`}`;
    chunks.push(
      Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\n${type(p)}\r\n`, 'utf8'),
      Buffer.isBuffer(p.data) ? p.data : Buffer.from(p.data),
      Buffer.from('\r\n'),
    );
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return {
    payload: Buffer.concat(chunks),
    headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
  };
}

/** One file part named `file`. */
export const filePart = (data: Buffer | string, filename = 'upload.bin', contentType?: string) =>
  multipart({ filename, data, ...(contentType ? { contentType } : {}) });

/** A real image with EXIF (camera, GPS position) and an orientation tag, to prove they are stripped. */
export async function photo(format: 'png' | 'jpeg' | 'webp', width = 640, height = 480): Promise<Buffer> {
  const img = sharp({
    create: { width, height, channels: 3, background: { r: 200, g: 80, b: 40 } },
  }).withExif({
    IFD0: { Make: 'GatehouseCam', Model: 'Leaky 1', Copyright: 'secret-owner' },
    IFD3: {
      GPSLatitudeRef: 'N',
      GPSLatitude: '51/1 30/1 0/1',
      GPSLongitudeRef: 'W',
      GPSLongitude: '0/1 7/1 0/1',
    },
  });
  return img.toFormat(format).toBuffer();
}

const CRC_TABLE = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
const crc32 = (buf: Buffer) => {
  let c = 0xffffffff;
  for (const b of buf) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

/**
 * A decompression bomb: a tiny, valid PNG whose header declares width x height pixels (patched,
 * with a correct CRC), so only a check made before decoding can refuse it cheaply.
 */
export async function pngBomb(width = 50_000, height = 50_000): Promise<Buffer> {
  const png = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 0, g: 0, b: 0 } } })
    .png()
    .toBuffer();
  const out = Buffer.from(png);
  // Signature (8) + IHDR length (4) + "IHDR" (4), then width and height; CRC covers type + data.
  out.writeUInt32BE(width, 16);
  out.writeUInt32BE(height, 20);
  out.writeUInt32BE(crc32(out.subarray(12, 29)), 29);
  return out;
}

/**
 * GET a download the way a browser would: the app answers with the bytes (local blobs) or a 302 to
 * a short-lived URL (S3), which is then followed. `app` is the app's own answer (its security
 * headers are asserted there), `final` what the user ends up with (content headers and bytes).
 */
export async function download(b: Built, url: string, headers: Record<string, string>) {
  const app = await b.app.inject({ method: 'GET', url, headers });
  if (app.statusCode !== 302) {
    return {
      app,
      final: {
        status: app.statusCode,
        headers: app.headers as Record<string, string | undefined>,
        body: app.rawPayload,
      },
    };
  }
  const location = new URL(String(app.headers.location));
  const expires = Number(location.searchParams.get('X-Amz-Expires'));
  if (!(expires > 0 && expires <= 300)) throw new Error(`the redirect is not short-lived: ${location}`);
  const res = await fetch(location);
  return {
    app,
    final: {
      status: res.status,
      headers: Object.fromEntries(res.headers.entries()) as Record<string, string | undefined>,
      body: Buffer.from(await res.arrayBuffer()),
    },
  };
}
