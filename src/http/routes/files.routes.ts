/** /api/files: the signed-in user's private files. Every request checks ownership in the store. */
import type { FileRecord } from '../../ports/store.ts';
import { deleteFile, listFiles, openFile, uploadFile } from '../../services/files.service.ts';
import { meta } from '../plugins/auth.ts';
import { FileAnswer, FileIdParams, FileList, FileListQuery } from '../schemas/users.ts';
import { callerId, callerProfile, signedInRoutes } from '../signed-in.ts';
import { fileFrom, MULTIPART, withUploads } from '../uploads.ts';
import type { App, RouteOptions } from './route-kit.ts';

const fileOut = (f: FileRecord) => ({
  id: f.id,
  name: f.name,
  size: f.size,
  content_type: f.contentType,
  sha256: f.sha256,
  created_at: f.createdAt,
});

export async function filesRoutes(app: App, { deps }: RouteOptions) {
  await signedInRoutes(app, async (scope) => {
    scope.get(
      '',
      {
        schema: {
          tags: ['Files'],
          summary: "The caller's files, newest first, with storage used and the quota",
          querystring: FileListQuery,
          response: { 200: FileList },
        },
      },
      async (request) => {
        const { limit = '20', cursor } = request.query;
        const { page, usage } = await listFiles(deps, await callerProfile(deps, request), {
          limit: Number(limit),
          ...(cursor ? { cursor } : {}),
        });
        return {
          files: page.items.map(fileOut),
          ...(page.nextCursor ? { next_cursor: page.nextCursor } : {}),
          usage: {
            bytes: usage.bytes,
            count: usage.count,
            quota_bytes: usage.quotaBytes,
            file_max_bytes: usage.fileMaxBytes,
          },
        };
      },
    );

    await withUploads(scope, (uploads) => {
      uploads.post(
        '',
        {
          config: { contentTypes: MULTIPART },
          schema: {
            tags: ['Files'],
            summary: 'Upload one file (multipart/form-data), streamed to storage',
            description:
              'The type is sniffed from the bytes; the name is kept only as cleaned display text. 413 FILE_TOO_LARGE or QUOTA_EXCEEDED store nothing.',
            consumes: ['multipart/form-data'],
            response: { 201: FileAnswer },
          },
        },
        async (request, reply) => {
          const open = (maxBytes: number) => fileFrom(request, maxBytes);
          const file = await uploadFile(deps, await callerProfile(deps, request), open, meta(request));
          return reply.status(201).send({ file: fileOut(file) });
        },
      );
    });

    scope.get(
      '/:id',
      {
        schema: {
          tags: ['Files'],
          summary: 'Download: the bytes as an attachment, or a 302 to a short-lived URL',
          params: FileIdParams,
        },
      },
      async (request, reply) => {
        const opened = await openFile(deps, callerId(request), request.params.id);
        if ('url' in opened && opened.url) return reply.redirect(opened.url, 302);
        reply
          .header('content-type', opened.headers.contentType)
          .header('content-disposition', opened.headers.contentDisposition)
          .header('content-length', opened.record.size);
        return reply.send(opened.body);
      },
    );

    scope.delete(
      '/:id',
      {
        schema: { tags: ['Files'], summary: 'Delete a file: bytes and record', params: FileIdParams },
      },
      async (request, reply) => {
        await deleteFile(deps, callerId(request), request.params.id, meta(request));
        return reply.status(204).send();
      },
    );
  });
}
