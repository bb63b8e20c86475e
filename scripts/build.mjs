// Bundles the server (and the key-rotation script) into dist/ with esbuild, so `npm start` runs
// plain JavaScript: no TypeScript loader thread in the process, a faster start and a smaller RSS.
// npm packages stay external (loaded from node_modules); static assets are read from src/ at run time.
import { build } from 'esbuild';

const started = performance.now();
const entries = {
  server: 'src/server.ts',
  'rotate-keys': 'scripts/rotate-keys.ts',
  'bare-server': 'bench/bare-server.ts',
};
await build({
  entryPoints: entries,
  outdir: 'dist',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  packages: 'external',
  sourcemap: true,
  logLevel: 'warning',
});
console.log(`Built dist/ in ${Math.round(performance.now() - started)} ms`);
