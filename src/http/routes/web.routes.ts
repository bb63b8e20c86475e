/**
 * The web app (dist/web, built by scripts/build.mjs from web/): hashed assets under /assets/ with
 * a year of immutable caching, other static files for an hour, and index.html (never cached) for
 * the app's pages (APP_PAGES, shared with web/). Any other path outside the server's own gets
 * index.html with a 404 status: the app shows its not-found page, and crawlers and monitors see a
 * real 404. The file list is read once at start; nothing outside it is ever served, so no request
 * path reaches the filesystem. Server paths (/api/, /billing/, /.well-known/, /docs/) and missing
 * files never fall back to the app: they go to the not-found handler, which answers a JSON 404, or
 * a 405 with an Allow header for a known path called with GET. The billing pages' stylesheet,
 * shared with the server-rendered simulator pages, is served at /assets/base.css.
 *
 * Without a build (tests that never ran `npm start`), GET / answers a short page saying how to
 * build the app, under the same strict CSP.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { extname, join, relative } from 'node:path';
import { assetPath } from '../../config/paths.ts';
import { isAppPath } from '../schemas/pages.ts';
import type { App, RouteOptions } from './route-kit.ts';

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

interface StaticFile {
  /** null for a source map until it is first asked for (below). */
  body: Buffer | null;
  readonly full: string;
  readonly type: string;
  readonly cache: string;
}

/**
 * Every servable file of the build by URL path; hidden files (the manifest, the build stamp) are not.
 * The app's files are read now, so a build written while the server runs cannot mix with the one it
 * started with; source maps (1.8 of the build's 2.6 MB, fetched only by a browser's developer
 * tools) are read on their first request and kept from then on.
 */
function readBuild(root: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (dir: string) => {
    for (const name of readdirSync(dir)) {
      if (name.startsWith('.')) continue;
      const full = join(dir, name);
      if (statSync(full).isDirectory()) {
        walk(full);
        continue;
      }
      const type = TYPES[extname(name)];
      if (!type) continue;
      const path = `/${relative(root, full).split('\\').join('/')}`;
      const hashed = path.startsWith('/assets/');
      files.set(path, {
        body: extname(name) === '.map' ? null : readFileSync(full),
        full,
        type,
        cache:
          path === '/index.html'
            ? 'no-cache'
            : hashed
              ? 'public, max-age=31536000, immutable'
              : 'public, max-age=3600',
      });
    }
  };
  walk(root);
  return files;
}

const NOT_BUILT = `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Gatehouse</title><link rel="icon" href="data:,"><link rel="stylesheet" href="/assets/base.css"></head>
<body><main><h1>Gatehouse</h1><p>The API is running. The web app has not been built in this checkout: <code>npm start</code> builds it (or <code>npm run build</code>).</p>
<p><a href="/docs">API explorer</a> · <a href="/openapi.json">OpenAPI document</a></p></main></body></html>`;

/** Paths that belong to the server, never to the web app. */
const SERVER_PATHS = ['/api/', '/billing/', '/.well-known/', '/docs/'];

export async function webRoutes(app: App, _opts: RouteOptions) {
  const root = assetPath('dist', 'web');
  const files = existsSync(join(root, 'index.html')) ? readBuild(root) : new Map<string, StaticFile>();
  const index = files.get('/index.html');
  const base = readFileSync(assetPath('src/http/pages', 'base.css'));
  const hidden = { hide: true };

  const send = async (reply: import('fastify').FastifyReply, f: StaticFile) => {
    try {
      f.body ??= await readFile(f.full);
    } catch {
      return reply.callNotFound();
    }
    return reply.header('cache-control', f.cache).type(f.type).send(f.body);
  };

  const baseCss: StaticFile = {
    body: base,
    full: '',
    type: TYPES['.css'] as string,
    cache: 'public, max-age=3600',
  };
  app.get('/assets/base.css', { schema: hidden }, async (_request, reply) => send(reply, baseCss));

  app.get('/*', { schema: hidden }, async (request, reply) => {
    let path: string;
    try {
      path = decodeURIComponent(request.url.split('?')[0] ?? '/');
    } catch {
      return reply.callNotFound();
    }
    const file = files.get(path);
    if (file) return send(reply, file);
    if (SERVER_PATHS.some((p) => path.startsWith(p)) || path.startsWith('/assets/') || extname(path) !== '') {
      return reply.callNotFound();
    }
    if (!isAppPath(path)) reply.status(404);
    if (!index)
      return reply
        .header('cache-control', 'no-cache')
        .type(TYPES['.html'] as string)
        .send(NOT_BUILT);
    return send(reply, index);
  });
}
