/**
 * Reading one file from a multipart/form-data request (@fastify/multipart, on busboy) as a stream,
 * and turning the parser's failures into stable codes: a malformed body is a 400, never a 500.
 * Limits: one file, a few small fields, bounded header and name sizes.
 */
import { finished } from 'node:stream/promises';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, isAppError } from '../domain/errors.ts';
import type { Upload } from '../services/files.ts';
import { uploadMayTakeItsTime } from './plugins/slow-clients.ts';
import type { App } from './routes/route-kit.ts';

export const MULTIPART = ['multipart/form-data'] as const;

/**
 * Registers upload routes in a scope of their own that has the multipart parser. The plugin adds
 * an async onResponse hook (temporary-file clean-up) wherever it is registered; registered at the
 * root, that hook ran on every answer of the API, the hot path included.
 *
 * Whatever a handler of the scope throws once it runs (the body may then be part-read) is mapped
 * here, once for every upload route: the parser's failures become stable codes (uploadError) and
 * the connection is closed after the answer (closeAfterReply). Refusals from the hooks before the
 * handler (rate limit, authentication) come before any of the body is read and are left as they are.
 */
export const withUploads = (app: App, routes: (scope: App) => void) =>
  app.register(async (scope: App) => {
    await scope.register(multipart, { throwFileSizeLimit: true });
    scope.addHook('onRoute', (route) => {
      const handler = route.handler;
      route.handler = async function (this: FastifyInstance, request, reply) {
        try {
          return await handler.call(this, request, reply);
        } catch (err) {
          await closeAfterReply(request, reply);
          throw uploadError(err);
        }
      };
    });
    routes(scope);
  });

/** The first file part; the route consumes its stream. `maxBytes` only backs up the caller's own limit. */
export async function fileFrom(request: FastifyRequest, maxBytes: number): Promise<Upload> {
  // An upload may take as long as its size and the link need, as long as bytes keep coming: its
  // body gets an idle timeout instead of the total one (plugins/slow-clients.ts).
  uploadMayTakeItsTime(request.raw);
  // The parser's own failures are mapped by the scope (withUploads).
  const part = await request.file({
    limits: {
      files: 1,
      fields: 10,
      fieldSize: 1024,
      parts: 12,
      headerPairs: 50,
      fieldNameSize: 100,
      fileSize: maxBytes + 1,
    },
  });
  if (!part) throw new AppError('MALFORMED_UPLOAD', 'Attach a file as a multipart/form-data part.');
  return { filename: part.filename, stream: part.file };
}

/**
 * Maps what a multipart parser may throw; AppErrors and real server failures pass through. A body
 * that ends before its closing boundary is a premature close of the file stream: malformed (or the
 * client went away, and then nobody reads the answer).
 */
function uploadError(err: unknown): unknown {
  if (isAppError(err)) return err;
  const e = err as { statusCode?: number; code?: string; message?: string } | null;
  if (e?.statusCode === 413) return new AppError('FILE_TOO_LARGE', 'The upload is too large.');
  const fromParser =
    (typeof e?.code === 'string' && (e.code.startsWith('FST_') || e.code === 'ERR_STREAM_PREMATURE_CLOSE')) ||
    /multipart|boundary|unexpected end|malformed|part terminated/i.test(e?.message ?? '');
  if (fromParser || (e?.statusCode !== undefined && e.statusCode >= 400 && e.statusCode < 500)) {
    return new AppError('MALFORMED_UPLOAD', 'The upload is not a well-formed multipart/form-data body.');
  }
  return err;
}

/** A remainder up to this size is read and dropped before a refusal is sent; a larger one is not. */
const DRAIN_BYTES = 1024 * 1024;
/** The longest a refusal waits for that remainder. */
const DRAIN_MS = 2000;

/**
 * After refusing an upload part-way, the rest of the body may still be on its way, and the
 * connection is closed once the answer is sent rather than kept for another request. A client
 * still sending when the socket closes gets a reset instead of the answer (fetch fails with EPIPE,
 * a browser shows a network error), so a small remainder (a declared length up to DRAIN_BYTES) is
 * first read and dropped, for at most DRAIN_MS; a large one is not worth the bandwidth.
 */
export async function closeAfterReply(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  reply.header('connection', 'close');
  const raw = request.raw;
  const declared = Number(raw.headers['content-length']);
  if (raw.readableEnded || raw.destroyed || !(declared <= DRAIN_BYTES)) return;
  raw.unpipe();
  raw.resume();
  // Ends at the body's end, a closed connection or the deadline, whichever comes first.
  await finished(raw, { signal: AbortSignal.timeout(DRAIN_MS) }).catch(() => undefined);
}
