// The web app (web/): built into dist/web by `npm start` (scripts/build.mjs, skipped when web/ is
// unchanged) and served by the Fastify server; `npm run dev` serves it with hot reload and
// proxies the API to the server on PORT (3000 by default).
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: 'web',
  plugins: [react()],
  build: {
    outDir: '../dist/web',
    emptyOutDir: true,
    manifest: true,
    // No inline scripts or data URLs for assets: the CSP allows 'self' only.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: true,
  },
  server: {
    port: 5173,
    proxy: Object.fromEntries(
      ['/api', '/billing', '/docs', '/openapi.json', '/.well-known', '/health', '/ready'].map((p) => [
        p,
        { target: `http://localhost:${process.env.PORT || 3000}`, changeOrigin: false },
      ]),
    ),
  },
});
