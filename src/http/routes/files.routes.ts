/** /api/files: the signed-in user's private files. Every request checks ownership in the store. */
import type { FileRecord } from '../../ports/store.ts';
import { entitlementsOf } from '../../services/entitlements.ts';
import { deleteFile, listFiles, openFile, uploadFile, usage } from '../../services/files.service.ts';
import { getProfile } from '../../services/users.service.ts';
import { meta } from '../plugins/auth.ts';
import { FileAnswer, FileIdParams, FileList, FileListQuery } from '../schemas/users.ts';
import { closeAfterReply, fileFrom, MULTIPART, uploadError, withUploads } from '../uploads.ts';
import { type App, type RouteOptions, signedIn } from './route-kit.ts';

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
  const entitlements = async (
    request: Parameters<typeof userId>[0] & { profile: import('../../ports/store.ts').Profile | null },
  ) => entitlementsOf(deps, request.profile ?? (await getProfile(deps, userId(request))));

  app.get(
    '',
    {
      preParsing: app.authenticate,
      schema: {
        security: signedIn,
        tags: ['Files'],
        summary: "The caller's files, newest first, with storage used and the quota",
        querystring: FileListQuery,
        response: { 200: FileList },
      },
    },
    async (request) => {
      const { limit = '20', cursor } = request.query;
      const id = userId(request);
      // The entitlements first: awaiting them inside the array would leave the listing's promise
      // unwatched meanwhile, and a refused cursor would be an unhandled rejection.
      const limits = await entitlements(request);
      const [page, used] = await Promise.all([
        listFiles(deps, id, { limit: Number(limit), ...(cursor ? { cursor } : {}) }),
        usage(deps, id, limits),
      ]);
      return {
        files: page.items.map(fileOut),
        ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}),
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
          const limits = await entitlements(request);
          const upload = await fileFrom(request, limits.fileMaxBytes);
          const file = await uploadFile(deps, userId(request), limits, upload, meta(request));
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
      preParsing: app.authenticate,
      schema: {
        security: signedIn,
        tags: ['Files'],
        summary: 'Download: the bytes as an attachment, or a 302 to a short-lived URL',
        params: FileIdParams,
      },
    },
    async (request, reply) => {
      const opened = await openFile(deps, userId(request), request.params.id);
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
