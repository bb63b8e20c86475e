// Bundles the server (and the key-rotation script) into dist/ with esbuild, so `npm start` runs
// plain JavaScript: no TypeScript loader thread in the process, a faster start and a smaller RSS.
// Pure-JavaScript packages whose many small modules dominate start-up (TypeBox alone took about
// 100 ms to import as separate files) are bundled in, tree-shaken; every other package stays
// external and loads from node_modules (native code, files read from their own folder).
// Static assets are read from src/ at run time (src/config/paths.ts). A successful build says so in
// one line; warnings and errors (esbuild's, Vite's) still print in full.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build } from 'esbuild';

// Gatehouse supports the maintained Node.js LTS lines (package.json's engines). An older Node
// fails later in ways that do not say why (better-sqlite3 13 does not load on 20), so say it now.
const nodeMajor = Number(process.versions.node.split('.')[0]);
if (nodeMajor < 22) {
  console.error(
    `Gatehouse needs Node.js 22 or 24; this is Node.js ${process.versions.node}. Install a maintained LTS release (https://nodejs.org) and run again.`,
  );
  process.exit(1);
}

// Gatehouse-only, pure JavaScript. Fastify, pino and find-my-way stay external: the bare server of
// the benchmark loads them too, so both are measured alike. The Swagger UI reads its own files.
// libphonenumber-js: 93 files from node_modules took about 90 ms of every start (2026-12-04).
const BUNDLED = new Set([
  'typebox',
  'jose',
  '@fastify/swagger',
  '@fastify/cors',
  'cookie',
  'fastify-plugin',
  'libphonenumber-js',
]);
const packageName = (path) =>
  path.startsWith('@') ? path.split('/').slice(0, 2).join('/') : path.split('/')[0];

// One build at a time: test files build in parallel (and a developer may run npm start beside
// them); two builds writing dist/ at once leave a mix of both, with assets one index.html lacks.
// mkdir is atomic: whoever creates the folder builds, the others wait for it to go.
const LOCK = 'dist/.build-lock';
mkdirSync('dist', { recursive: true });
for (const started = Date.now(); ; ) {
  try {
    mkdirSync(LOCK);
    break;
  } catch (err) {
    if (err.code !== 'EEXIST') throw err;
    // A lock older than five minutes belongs to a build that died: take it over.
    const age = Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (age > 300_000) rmSync(LOCK, { recursive: true, force: true });
    else if (Date.now() - started > 600_000) throw new Error(`${LOCK} is held by another build`);
    else await new Promise((r) => setTimeout(r, 200));
  }
}
const unlock = () => rmSync(LOCK, { recursive: true, force: true });
process.once('exit', unlock);
for (const signal of ['SIGINT', 'SIGTERM'])
  process.once(signal, () => {
    unlock();
    process.exit(130);
  });

/** A SHA-256 of every file under the given folders and of the given files, names included. */
function digestOf(paths) {
  const hash = createHash('sha256');
  const add = (p) => {
    if (!existsSync(p)) return;
    if (statSync(p).isDirectory()) for (const name of readdirSync(p).sort()) add(join(p, name));
    else hash.update(p).update(readFileSync(p));
  };
  for (const p of paths) add(p);
  return hash.digest('hex');
}

// The server, only when its sources changed: tests build too, several at a time, and servers
// started from dist/ meanwhile must not see a chunk vanish under them. A rebuild overwrites files
// in place and only then removes the chunks the new build no longer has.
const serverDigest = digestOf([
  'src',
  'scripts/rotate-keys.ts',
  'bench/bare-server.ts',
  'scripts/build.mjs',
  'package-lock.json',
]);
const serverStamp = 'dist/.build-hash';
const started = performance.now();
const built = [];
if (
  !existsSync('dist/server.js') ||
  !existsSync(serverStamp) ||
  readFileSync(serverStamp, 'utf8') !== serverDigest
) {
  await buildServer();
  buildSchemas();
  writeFileSync(serverStamp, serverDigest);
  built.push('the server');
}

async function buildServer() {
  const result = await build({
    metafile: true,
    entryPoints: {
      server: 'src/server.ts',
      'rotate-keys': 'scripts/rotate-keys.ts',
      'bare-server': 'bench/bare-server.ts',
    },
    outdir: 'dist',
    // Adapters imported with import() (AWS, Stripe) become chunks loaded only when chosen.
    splitting: true,
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node22',
    sourcemap: true,
    logLevel: 'warning',
    // Bundled CommonJS packages call require() for Node built-ins; an ES module needs one made for it.
    banner: {
      js: "import { createRequire as __gatehouseRequire } from 'node:module'; const require = __gatehouseRequire(import.meta.url);",
    },
    plugins: [
      {
        name: 'external-packages',
        setup(b) {
          b.onResolve({ filter: /^[^./]/ }, (args) => {
            if (args.path.startsWith('node:')) return { path: args.path, external: true };
            // A dependency of a bundled package is bundled with it; our own imports follow BUNDLED.
            const fromPackage = args.importer.includes('/node_modules/');
            const shared = ['fastify', 'pino', 'find-my-way'].includes(packageName(args.path));
            if ((fromPackage && !shared) || BUNDLED.has(packageName(args.path))) return undefined;
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  const written = new Set(Object.keys(result.metafile.outputs).map((f) => f.replaceAll('\\', '/')));
  for (const file of written) if (file.endsWith('.js')) keepOneByte(file);
  for (const name of existsSync('dist/chunks') ? readdirSync('dist/chunks') : []) {
    if (!written.has(`dist/chunks/${name}`)) rmSync(join('dist/chunks', name), { force: true });
  }
}

// V8 keeps each module's source text for the life of the process, and a text holding one
// character above U+00FF (an arrow in a template, a dash in a bundled package's comment) is
// stored at two bytes per character: dist/server.js took 1.8 MB of heap instead of 0.9. esbuild
// escapes such characters in plain strings but not in comments or tagged templates, so they are
// escaped here (\uXXXX means the same character in a string, a template, a regular expression or
// an identifier, and nothing in a comment); a source map's columns shift on those lines only.
function keepOneByte(file) {
  const text = readFileSync(file, 'utf8');
  if (!/[\u0100-\uffff]/.test(text)) return;
  const escaped = (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  writeFileSync(file, text.replace(/[\u0100-\uffff]/g, escaped));
}

// Every route's validator and serializer, compiled once here instead of at each start
// (src/build-schemas.ts, src/http/route-schemas.ts): the app is started once, from the sources.
function buildSchemas() {
  const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/build-schemas.ts'], {
    encoding: 'utf8',
  });
  if (run.status !== 0) {
    process.stderr.write(run.stdout + run.stderr);
    console.error('The route schemas could not be compiled (src/build-schemas.ts).');
    process.exit(1);
  }
}

// The web app (web/, Vite) into dist/web, only when its sources changed since the last build:
// a hash of web/, the parts of src/ it imports (schemas, domain rules), vite.config.ts and
// package-lock.json is kept in dist/web/.build-hash.
if (await buildWeb()) built.push('the web app');
const seconds = ((performance.now() - started) / 1000).toFixed(1);
console.log(built.length ? `Built ${built.join(' and ')} into dist/ in ${seconds} s` : 'dist/ is up to date');

async function buildWeb() {
  const digest = digestOf(['web', 'src/http/schemas', 'src/domain', 'vite.config.ts', 'package-lock.json']);
  const stamp = 'dist/web/.build-hash';
  if (existsSync('dist/web/index.html') && existsSync(stamp) && readFileSync(stamp, 'utf8') === digest) {
    return false;
  }
  let vite;
  try {
    vite = await import('vite');
  } catch {
    console.error(
      'The web app cannot be built: Vite is not installed (run npm install, not npm install --omit=dev).',
    );
    process.exit(1);
  }
  await vite.build({
    configFile: 'vite.config.ts',
    logLevel: 'warn',
    // Rolldown's plugin-timing report (PLUGIN_TIMINGS) is a warning about a slow machine, not
    // about the app: on a busy laptop's first build it filled the screen in yellow before the server's
    // first line. Real warnings still print.
    build: { rolldownOptions: { checks: { bundlerTimings: false } } },
  });
  writeFileSync(stamp, digest);
  return true;
}
