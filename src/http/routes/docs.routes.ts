/**
 * GET /docs: the Swagger UI on /openapi.json, served from the swagger-ui-dist package. Only the
 * listed files are served (no path from the request ever reaches the file system), each read on
 * first request and kept, so none of it is on the start-up path.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { Type } from 'typebox';
import { assetPath } from '../../config/paths.ts';
import { AppError } from '../../domain/errors.ts';
import type { App } from './route-kit.ts';

const FILES: Record<string, { type: string; from: 'dist' | 'pages'; name: string }> = {
  'swagger-ui.css': { type: 'text/css; charset=utf-8', from: 'dist', name: 'swagger-ui.css' },
  'swagger-ui-bundle.js': {
    type: 'text/javascript; charset=utf-8',
    from: 'dist',
    name: 'swagger-ui-bundle.js',
  },
  'swagger-ui-standalone-preset.js': {
    type: 'text/javascript; charset=utf-8',
    from: 'dist',
    name: 'swagger-ui-standalone-preset.js',
  },
  'favicon-32x32.png': { type: 'image/png', from: 'dist', name: 'favicon-32x32.png' },
  'init.js': { type: 'text/javascript; charset=utf-8', from: 'pages', name: 'docs-init.js' },
};

export async function docsRoutes(app: App) {
  const cache = new Map<string, Buffer>();
  let distDir: string | null = null;
  const read = (file: (typeof FILES)[string]): Buffer => {
    let body = cache.get(file.name);
    if (!body) {
      distDir ??= dirname(createRequire(import.meta.url).resolve('swagger-ui-dist/package.json'));
      body = readFileSync(
        file.from === 'dist' ? join(distDir, file.name) : assetPath('src/http/pages', file.name),
      );
      cache.set(file.name, body);
    }
    return body;
  };
  const hidden = { hide: true } as const;

  app.get('/docs', { schema: hidden }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(read({ type: '', from: 'pages', name: 'docs.html' })),
  );
  app.get('/docs/', { schema: hidden }, async (_request, reply) => reply.redirect('/docs', 301));
  app.get(
    '/docs/static/:file',
    { schema: { ...hidden, params: Type.Object({ file: Type.String({ maxLength: 64 }) }) } },
    async (request, reply) => {
      const file = Object.hasOwn(FILES, request.params.file) ? FILES[request.params.file] : undefined;
      if (!file) throw new AppError('NOT_FOUND', 'Not found.');
      reply.header('cache-control', 'public, max-age=86400');
      return reply.type(file.type).send(read(file));
    },
  );
}
