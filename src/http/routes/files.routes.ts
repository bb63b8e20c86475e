/**
 * /api/files: the signed-in user's private files. Every request checks ownership in the store.
 * The listing and the download read their file records beside the guard's read of the user's
 * record (the route's `alongside` read, http/signed-in.ts): one round trip before the answer,
 * whatever the store.
 */
import type { FastifyRequest } from 'fastify';
import type { FileRecord } from '../../ports/store.ts';
import { deleteFile, findFile, listFiles, openFile, uploadFile, usageOf } from '../../services/files.ts';
import { meta } from '../plugins/auth.ts';
import { FileAnswer, FileIdParams, FileList, FileListQuery } from '../schemas/users.ts';
import { alongsideOf, callerId, callerUser, signedInRoutes } from '../signed-in.ts';
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
  // Started before validation: a query or id the schema refuses makes a read that nobody awaits.
  const page = (request: FastifyRequest, owner: string) => {
    const { limit = '20', cursor } = request.query as { limit?: string; cursor?: string };
    return listFiles(deps, owner, { limit: Number(limit), ...(cursor ? { cursor } : {}) });
  };
  const record = (request: FastifyRequest, owner: string) =>
    findFile(deps, owner, (request.params as { id: string }).id);

  await signedInRoutes(app, async (scope) => {
    scope.get(
      '',
      {
        config: { alongside: page },
        schema: {
          tags: ['Files'],
          summary: "The caller's files, newest first, with storage used and the quota",
          querystring: FileListQuery,
          response: { 200: FileList },
        },
      },
      async (request) => {
        const usage = usageOf(deps, callerUser(request));
        const listed = await alongsideOf(request, page);
        return {
          files: listed.items.map(fileOut),
          ...(listed.nextCursor ? { next_cursor: listed.nextCursor } : {}),
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
          const file = await uploadFile(deps, callerUser(request), open, meta(request));
          return reply.status(201).send({ file: fileOut(file) });
        },
      );
    });

    scope.get(
      '/:id',
      {
        config: { alongside: record },
        schema: {
          tags: ['Files'],
          summary: 'Download: the bytes as an attachment, or a 302 to a short-lived URL',
          params: FileIdParams,
        },
      },
      async (request, reply) => {
        const opened = await openFile(deps, await alongsideOf(request, record));
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
