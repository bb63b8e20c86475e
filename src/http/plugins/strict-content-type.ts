/**
 * Request bodies must be declared exactly: `application/json`, optionally with `charset=utf-8`.
 * Any other type, parameter, or a tab or other whitespace trick in the header is a 415 before a
 * parser sees it (the class of bug behind Fastify GHSA-jx2c-rxcm-jvmq). Routes that take uploads
 * list their own types in `config.contentTypes`.
 */
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../../domain/errors.ts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** Exact media types (lower-case, no parameters) this route accepts besides JSON. */
    contentTypes?: readonly string[];
  }
}

const JSON_TYPE = /^application\/json(; ?charset=utf-8)?$/i;

export const strictContentType = fp(
  async (app: FastifyInstance) => {
    app.addHook('onRequest', async (request) => {
      const hasBody =
        request.headers['transfer-encoding'] !== undefined ||
        (request.headers['content-length'] !== undefined && request.headers['content-length'] !== '0');
      const type = request.headers['content-type'];
      if (!hasBody && type === undefined) return;
      if (type !== undefined && JSON_TYPE.test(type)) return;
      const extra = request.routeOptions.config.contentTypes;
      const bare = type?.split(';')[0]?.trim().toLowerCase();
      if (extra && bare && extra.includes(bare) && /^[\x21-\x7e ;=/-]+$/.test(type ?? '')) return;
      if (!hasBody) return; // a stray type on an empty body harms nothing
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', 'Send the body as application/json.');
    });
  },
  { name: 'strict-content-type' },
);
