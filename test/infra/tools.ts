/**
 * Locating the outside programs the infra checks run. A missing tool fails the test with a message
 * saying how to install it: nothing here is ever skipped, in CI or on a laptop.
 */
import { spawn, spawnSync } from 'node:child_process';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** The command for a tool: `override` (an environment variable's value) or `name` on PATH; throws if absent. */
export function requireTool(name: string, override: string | undefined, install: string): string {
  const command = override || name;
  const probe = spawnSync(command, ['--version'], { encoding: 'utf8' });
  if (probe.error) {
    const where = process.env.CI ? 'CI must install it' : 'install it';
    throw new Error(`${name} is missing (${command}: ${probe.error.message}); ${where}: ${install}`);
  }
  return command;
}

export function run(
  command: string,
  args: readonly string[],
  options: { cwd?: string; env?: NodeJS.ProcessEnv; input?: string } = {},
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    // A process may exit before reading its (empty) input.
    child.stdin.on('error', () => {});
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

/** Runs the tasks at most `limit` at a time; each result is available as soon as it is done. */
export function pool<T>(limit: number, tasks: ReadonlyArray<() => Promise<T>>): Promise<T>[] {
  let next = 0;
  const starts = tasks.map(() => {
    let start!: () => void;
    const gate = new Promise<void>((r) => (start = r));
    return { gate, start };
  });
  const results = tasks.map((task, i) => {
    const slot = starts[i];
    if (!slot) throw new Error('unreachable');
    return slot.gate.then(task).finally(() => starts[next++]?.start());
  });
  for (; next < Math.min(limit, tasks.length); next++) starts[next]?.start();
  return results;
}
