// Runs every *.test.ts under test/ with node:test through tsx. Usage: npm test [-- path-filter...]
// Fails loudly when no test file matches, and when any test is skipped or left as todo (CI skips nothing).
import { spawn } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const filters = process.argv.slice(2);
const files = [];
const walk = (dir) => {
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.ts') && (filters.length === 0 || filters.some((f) => p.includes(f))))
      files.push(p);
  }
};
walk('test');
if (files.length === 0) {
  console.error(`No test files matched ${filters.join(' ') || 'test/**/*.test.ts'}`);
  process.exit(1);
}
const args = [
  '--import',
  'tsx',
  '--test',
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  ...files,
];
let out = '';
const child = spawn(process.execPath, args, {
  stdio: ['ignore', 'pipe', 'inherit'],
  env: { ...process.env },
});
child.stdout.on('data', (d) => {
  process.stdout.write(d);
  out += d.toString();
  if (out.length > 1e6) out = out.slice(-1e5);
});
child.on('close', (code) => {
  const skipped = Number(/ℹ skipped (\d+)/.exec(out)?.[1] ?? 0);
  const todo = Number(/ℹ todo (\d+)/.exec(out)?.[1] ?? 0);
  const pass = Number(/ℹ pass (\d+)/.exec(out)?.[1] ?? 0);
  const fail = Number(/ℹ fail (\d+)/.exec(out)?.[1] ?? 0);
  console.log(`${pass} passed, ${fail} failed`);
  if (skipped + todo > 0) {
    console.error(`${skipped} skipped and ${todo} todo tests: nothing may be skipped.`);
    process.exit(1);
  }
  if (pass === 0) {
    console.error('No test ran.');
    process.exit(1);
  }
  process.exit(code ?? 1);
});
