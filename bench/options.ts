/**
 * What every benchmark script reads from its environment and how it publishes: numeric BENCH_*
 * settings (a wrong value stops the script naming the variable, rather than measuring with NaN),
 * and its table written between its markers in bench/README.md unless BENCH_NO_WRITE=1.
 */
import { join } from 'node:path';
import { writeIntoReadme } from './report.ts';
import { ROOT } from './servers.ts';

/** A positive number from the environment variable `name`, or `fallback` when it is unset or empty. */
export const envNumber = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const n = raw === undefined || raw === '' ? fallback : Number(raw);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`${name} must be a positive number (got "${raw}")`);
  return n;
};

/** Writes `markdown` between `<!-- {section}:start -->` and `<!-- {section}:end -->` of bench/README.md. */
export function publish(markdown: string, section: string, log: (line: string) => void): void {
  if (process.env.BENCH_NO_WRITE === '1') {
    log('BENCH_NO_WRITE=1: bench/README.md left as it was.');
    return;
  }
  writeIntoReadme(
    join(ROOT, 'bench', 'README.md'),
    markdown,
    `<!-- ${section}:start -->`,
    `<!-- ${section}:end -->`,
  );
  log('Results written into bench/README.md.');
}
