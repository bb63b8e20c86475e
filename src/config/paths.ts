/**
 * Where the project's files are, whether the code runs from src/ (tsx, tests) or from the dist/
 * bundle (npm start, the container): the nearest folder above this module holding Gatehouse's
 * package.json. Static assets (pages, the common-password list) are read from there.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | null = null;

export function projectRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = join(dir, 'package.json');
    if (
      existsSync(pkg) &&
      (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'gatehouse'
    ) {
      root = dir;
      return dir;
    }
    const up = dirname(dir);
    if (up === dir) throw new Error('cannot find the gatehouse package folder');
    dir = up;
  }
}

/** A file shipped with the project, by its path from the project root. */
export const assetPath = (...segments: string[]): string => join(projectRoot(), ...segments);
