/**
 * A disk that can be filled: a small tmpfs mounted for the test (as root, or through sudo without
 * a password), or null where the machine allows neither, and the disk-full scenario fails saying
 * so (CI runs as root). Without the fault suite, test/unit/storage-failures.test.ts checks the
 * same translation with SQLite's real SQLITE_FULL.
 */
import { spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmdirSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SmallDisk {
  readonly dir: string;
  /** Writes a filler file until the disk refuses another byte. */
  fill(): void;
  /** Removes the filler. */
  free(): void;
  unmount(): void;
}

const asRoot = (args: string[]) => {
  const root = process.getuid?.() === 0;
  const r = spawnSync(root ? (args[0] ?? '') : 'sudo', root ? args.slice(1) : ['-n', ...args], {
    encoding: 'utf8',
  });
  return r.status === 0;
};

export function mountSmallDisk(megabytes: number): SmallDisk | null {
  const dir = mkdtempSync(join(tmpdir(), 'gh-disk-'));
  if (!asRoot(['mount', '-t', 'tmpfs', '-o', `size=${megabytes}m,mode=0700`, 'tmpfs', dir])) {
    rmdirSync(dir);
    return null;
  }
  const filler = join(dir, 'filler');
  return {
    dir,
    fill() {
      const fd = openSync(filler, 'a');
      try {
        // Big pieces first, then pages, then bytes, so that nothing is left.
        for (const size of [1 << 20, 4096, 1]) {
          const chunk = Buffer.alloc(size, 7);
          for (;;) {
            try {
              if (writeSync(fd, chunk) < size) break;
            } catch (err) {
              if ((err as NodeJS.ErrnoException).code === 'ENOSPC') break;
              throw err;
            }
          }
        }
      } finally {
        closeSync(fd);
      }
    },
    free: () => rmSync(filler, { force: true }),
    unmount() {
      asRoot(['umount', dir]);
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
