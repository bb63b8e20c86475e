/**
 * /api/files: the signed-in user's private files. Every request checks ownership in the store.
 * The listing and the download read their file records beside the guard's read of the user's
 * record (app.authenticateWith): one round trip before the answer, whatever the store.
 */
import type { FastifyRequest } from 'fastify';
import type { FileRecord } from '../../ports/store.ts';
import { entitlementsOf } from '../../services/entitlements.ts';
import {
  deleteFile,
  findFile,
  listFiles,
  openFile,
  uploadFile,
  usageView,
} from '../../services/files.service.ts';
import { meta } from '../plugins/auth.ts';
import { FileAnswer, FileIdParams, FileList, FileListQuery } from '../schemas/users.ts';
import { closeAfterReply, fileFrom, MULTIPART, uploadError, withUploads } from '../uploads.ts';
import { type App, type RouteOptions, signedIn, signedInUser } from './route-kit.ts';

const fileOut = (f: FileRecord) => ({
  id: f.id,
  name: f.name,
  size: f.size,
  content_type: f.contentType,
  sha256: f.sha256,
  created_at: f.createdAt,
});

export async function filesRoutes(app: App, { deps }: RouteOptions) {
  const userId = (request: { principal: { userId: string } | null }) =>
    (request.principal as NonNullable<typeof request.principal>).userId;
  // Before validation: a query the schema refuses makes a page read that nobody awaits.
  const page = (request: FastifyRequest, owner: string) => {
    const { limit = '20', cursor } = request.query as { limit?: string; cursor?: string };
    return listFiles(deps, owner, { limit: Number(limit), ...(cursor ? { cursor } : {}) });
  };
  const record = (request: FastifyRequest, owner: string) =>
    findFile(deps, owner, (request.params as { id: string }).id);

  app.get(
    '',
    {
      preParsing: app.authenticateWith(page),
      schema: {
        security: signedIn,
        tags: ['Files'],
        summary: "The caller's files, newest first, with storage used and the quota",
        querystring: FileListQuery,
        response: { 200: FileList },
      },
    },
    async (request) => {
      const user = signedInUser(request);
      const used = usageView(user.usage, entitlementsOf(deps, user));
      const listed = await (request.alongside as ReturnType<typeof page>);
      return {
        files: listed.items.map(fileOut),
        ...(listed.nextCursor ? { next_cursor: listed.nextCursor } : {}),
        usage: {
          bytes: used.bytes,
          count: used.count,
          quota_bytes: used.quotaBytes,
          file_max_bytes: used.fileMaxBytes,
        },
      };
    },
  );

  await withUploads(app, (scope) => {
    scope.post(
      '',
      {
        preParsing: app.authenticate,
        config: { contentTypes: MULTIPART },
        schema: {
          security: signedIn,
          tags: ['Files'],
          summary: 'Upload one file (multipart/form-data), streamed to storage',
          description:
            'The type is sniffed from the bytes; the name is kept only as cleaned display text. 413 FILE_TOO_LARGE or QUOTA_EXCEEDED store nothing.',
          consumes: ['multipart/form-data'],
          response: { 201: FileAnswer },
        },
      },
      async (request, reply) => {
        try {
          const user = signedInUser(request);
          const limits = entitlementsOf(deps, user);
          const upload = await fileFrom(request, limits.fileMaxBytes);
          const file = await uploadFile(deps, user, limits, upload, meta(request));
          return reply.status(201).send({ file: fileOut(file) });
        } catch (err) {
          await closeAfterReply(request, reply);
          throw uploadError(err);
        }
      },
    );
  });

  app.get(
    '/:id',
    {
      preParsing: app.authenticateWith(record),
      schema: {
        security: signedIn,
        tags: ['Files'],
        summary: 'Download: the bytes as an attachment, or a 302 to a short-lived URL',
        params: FileIdParams,
      },
    },
    async (request, reply) => {
      const opened = await openFile(deps, await (request.alongside as ReturnType<typeof record>));
      if ('url' in opened && opened.url) return reply.redirect(opened.url, 302);
      reply
        .header('content-type', opened.headers.contentType)
        .header('content-disposition', opened.headers.contentDisposition)
        .header('content-length', opened.record.size);
      return reply.send(opened.body);
    },
  );

  app.delete(
    '/:id',
    {
      preParsing: app.authenticate,
      schema: {
        security: signedIn,
        tags: ['Files'],
        summary: 'Delete a file: bytes and record',
        params: FileIdParams,
      },
    },
    async (request, reply) => {
      await deleteFile(deps, userId(request), request.params.id, meta(request));
      return reply.status(204).send();
    },
  );
}
