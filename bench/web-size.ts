/**
 * The initial JavaScript of the web app's entry pages, gzipped, from the Vite manifest of the last
 * build (dist/web/.vite/manifest.json): the entry chunk and every chunk it imports statically.
 * The landing and sign-in pages are in the entry (the other pages are chunks of their own, loaded
 * on demand), so the entry's total is their initial JavaScript. `npm run bench:web` prints it and
 * writes it into bench/README.md between the web-size markers; test/unit/web-size.test.ts holds it
 * under the 120 KB budget.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

interface Chunk {
  file: string;
  isEntry?: boolean;
  imports?: string[];
  dynamicImports?: string[];
  css?: string[];
}

export const BUDGET_BYTES = 120 * 1024;

export function initialJs(dir = 'dist/web'): {
  files: { file: string; gzip: number }[];
  total: number;
  lazy: number;
  largestLazy: { file: string; gzip: number } | null;
} {
  const manifest = JSON.parse(readFileSync(join(dir, '.vite/manifest.json'), 'utf8')) as Record<
    string,
    Chunk
  >;
  const entry = Object.entries(manifest).find(([, c]) => c.isEntry);
  if (!entry) throw new Error('no entry chunk in the Vite manifest');
  const seen = new Set<string>();
  const visit = (key: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    for (const dep of manifest[key]?.imports ?? []) visit(dep);
  };
  visit(entry[0]);
  const gz = (file: string) => gzipSync(readFileSync(join(dir, file)), { level: 9 }).length;
  const files = [...seen].map((k) => ({ file: manifest[k]?.file ?? k, gzip: gz(manifest[k]?.file ?? k) }));
  const lazyFiles = Object.entries(manifest)
    .filter(([k, c]) => !seen.has(k) && c.file.endsWith('.js'))
    .map(([, c]) => ({ file: c.file, gzip: gz(c.file) }))
    .sort((a, b) => b.gzip - a.gzip);
  const lazy = lazyFiles.reduce((n, f) => n + f.gzip, 0);
  return { files, total: files.reduce((n, f) => n + f.gzip, 0), lazy, largestLazy: lazyFiles[0] ?? null };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { files, total, lazy, largestLazy } = initialJs();
  const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;
  const table = [
    `Measured ${new Date().toISOString().slice(0, 19)}Z from the last build (gzip level 9):`,
    '',
    '| what | gzipped |',
    '| --- | ---: |',
    ...files.map((f) => `| \`${f.file.replace(/-[\w-]{8}\.js$/, '-*.js')}\` | ${kb(f.gzip)} |`),
    `| **initial JavaScript of the landing and sign-in pages** | **${kb(total)}** (budget ${kb(BUDGET_BYTES)}) |`,
    `| the other pages together, loaded on demand | ${kb(lazy)} |`,
    ...(largestLazy
      ? [
          `| of which the largest, \`${largestLazy.file.replace(/-[\w-]{8}\.js$/, '-*.js')}\` | ${kb(largestLazy.gzip)} |`,
        ]
      : []),
  ].join('\n');
  console.log(table);
  const readme = readFileSync('bench/README.md', 'utf8');
  const start = '<!-- web-size:start -->';
  const end = '<!-- web-size:end -->';
  const section = `${start}\n${table}\n${end}`;
  const next = readme.includes(start)
    ? readme.replace(new RegExp(`${start}[\\s\\S]*${end}`), section)
    : `${readme.trimEnd()}\n\n## The web app's JavaScript\n\nThe issue's budget: under 120 KB gzipped for the initial JavaScript of the landing and sign-in\npages. \`npm run bench:web\` (after \`npm run build\`) writes this table.\n\n${section}\n`;
  writeFileSync('bench/README.md', next);
}
