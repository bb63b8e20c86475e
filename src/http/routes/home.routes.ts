/**
 * GET /: a landing page for whoever opens the running server in a browser, until the web app takes
 * this path over. Static HTML and CSS read once at start; no inline script or style, so the strict
 * CSP applies unchanged.
 */
import { readFileSync } from 'node:fs';
import { assetPath } from '../../config/paths.ts';
import type { App, RouteOptions } from './route-kit.ts';

const page = (name: string) => readFileSync(assetPath('src/http/pages', name), 'utf8');

export async function homeRoutes(app: App, { deps }: RouteOptions) {
  const html = page('home.html').replaceAll('__ORIGIN__', deps.config.appOrigin);
  const css = page('home.css');
  const base = page('base.css');
  const hidden = { hide: true };
  app.get('/', { schema: hidden }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(html),
  );
  app.get('/assets/base.css', { schema: hidden }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=3600');
    return reply.type('text/css; charset=utf-8').send(base);
  });
  app.get('/assets/home.css', { schema: hidden }, async (_request, reply) => {
    reply.header('cache-control', 'public, max-age=3600');
    return reply.type('text/css; charset=utf-8').send(css);
  });
}
