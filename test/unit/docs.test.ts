/**
 * The documentation is true for a person who has only the repository: every relative link of
 * README.md and docs/*.md resolves inside it (files, and headings for #anchors), nothing points
 * outside it, and docs/security.md names, for every item of the security bar, tests that exist.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, test } from 'node:test';
import { ROOT } from '../../bench/servers.ts';

const DOCS = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
const read = (file: string) => readFileSync(join(ROOT, file), 'utf8');
/** The text outside fenced code blocks, where a link is a link. */
const prose = (text: string) => text.replace(/^```[\s\S]*?^```/gm, '');

/** GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens. */
const slug = (heading: string) =>
  heading
    .trim()
    .toLowerCase()
    .replace(/[`*_]/g, '')
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');
const anchorsOf = (file: string) =>
  new Set([...prose(read(file)).matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1] ?? '')));

function links(file: string): string[] {
  return [...prose(read(file)).matchAll(/!?\[[^\]]*\]\(([^)\s]+)\)/g)].map((m) => m[1] ?? '');
}

describe('documentation', () => {
  test('every relative link of README.md and docs/*.md resolves inside the repository', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const file of DOCS) {
      for (const link of links(file)) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // https:, mailto: and the like
        checked++;
        const [path = '', anchor] = link.split('#');
        const target = path === '' ? file : normalize(join(dirname(file), decodeURIComponent(path)));
        if (relative(ROOT, join(ROOT, target)).startsWith('..')) {
          broken.push(`${file}: ${link} leaves the repository`);
        } else if (!existsSync(join(ROOT, target))) {
          broken.push(`${file}: ${link} (no ${target})`);
        } else if (anchor && statSync(join(ROOT, target)).isFile() && target.endsWith('.md')) {
          if (!anchorsOf(target).has(anchor)) broken.push(`${file}: ${link} (no heading #${anchor})`);
        }
      }
    }
    assert.deepEqual(broken, []);
    assert.ok(checked >= 20, `links were found and checked (${checked})`);
  });

  test('nothing sends a reader to a path outside the repository', () => {
    for (const file of DOCS) {
      assert.doesNotMatch(read(file), /\.\.\/shared\/|\/work\//, `${file} points outside the repository`);
    }
    assert.match(read('README.md'), /\]\(docs\/security\.md\)/, 'the README links the security model');
  });

  test('docs/security.md names, for every item 1-44, tests that exist', () => {
    const rows = new Map<number, string>();
    for (const line of read('docs/security.md').split('\n')) {
      const n = /^\| (\d+) \|/.exec(line)?.[1];
      if (n) rows.set(Number(n), line);
    }
    assert.deepEqual(
      [...rows.keys()],
      Array.from({ length: 44 }, (_, i) => i + 1),
      'one row per item, in order',
    );
    const missing: string[] = [];
    for (const [n, row] of rows) {
      const cell = row.split(' | ').at(-1) ?? '';
      // `file`: “name”, “name”; `file`: “name” — each name belongs to the file before it.
      const refs = [...cell.matchAll(/`(test\/[^`]+\.test\.ts)`: ((?:“[^”]+”(?:, )?)+)/g)];
      assert.ok(refs.length > 0, `item ${n} names a test file`);
      for (const [, file = '', names = ''] of refs) {
        if (!existsSync(join(ROOT, file))) {
          missing.push(`${n}: ${file}`);
          continue;
        }
        const source = read(file);
        for (const [, name = ''] of names.matchAll(/“([^”]+)”/g)) {
          if (!source.includes(name)) missing.push(`${n}: ${file} has no test "${name}"`);
        }
      }
    }
    assert.deepEqual(missing, []);
  });
});
