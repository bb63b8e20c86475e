/**
 * Child processes for the benchmark: Gatehouse and the bare Fastify server, each compiled by
 * `npm run build` (esbuild) and spawned as `node dist/<entry>.js`, exactly as `npm start` runs
 * Gatehouse, so both are plain JavaScript and the child's pid is the server's own (the RSS reading
 * needs that). Every child this module starts is tracked and stopped on exit.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const GATEHOUSE_ENTRY = 'dist/server.js';
/**
 * Node's flags for Gatehouse, as `npm start` and the Dockerfile's CMD give them (a test keeps the
 * three equal). The young generation capped at 2 x 8 MB: under load V8 grew it to 2 x 16 MB and
 * kept it when idle, 15 MB of idle RSS for no measurable throughput. No Maglev (V8's mid-tier
 * compiler, between the interpreter and TurboFan): its compilation memory stayed in the malloc
 * arenas of V8's worker threads after the load, 11-14 MB of idle RSS, while a signed-in request
 * cost the same CPU once TurboFan had compiled the hot path (bench/README.md, Memory).
 */
export const GATEHOUSE_NODE_ARGS: readonly string[] = ['--max-semi-space-size=8', '--no-maglev'];
/** `BENCH_NODE_ARGS`: more flags for Gatehouse, to try one out (with BENCH_NO_WRITE=1; not a results run). */
const TRIAL_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
export const BARE_ENTRY = 'dist/bare-server.js';

export interface Server {
  readonly name: string;
  readonly port: number;
  readonly origin: string;
  readonly child: ChildProcess;
  /** Everything the child wrote, for error messages. */
  output(): string;
}

const live = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The test kit's port helper (test/helpers/kit.ts): one definition for the tests and the benchmarks. */
export { freePort } from '../test/helpers/kit.ts';

export const tempDir = (prefix: string) => mkdtempSync(join(tmpdir(), prefix));
export const removeDir = (dir: string) => rmSync(dir, { recursive: true, force: true });

/** Gatehouse's environment: request logging off (LOG_LEVEL=warn), the rate limit far above the load. */
export function gatehouseEnv(port: number, dataDir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    PORT: String(port),
    APP_ORIGIN: `http://localhost:${port}`,
    DATA_DIR: dataDir,
    LOG_LEVEL: 'warn',
    RATE_LIMIT_PER_MINUTE: '100000000',
  };
}

export const bareEnv = (port: number): NodeJS.ProcessEnv => ({ ...process.env, PORT: String(port) });

export function spawnServer(
  name: string,
  entry: string,
  port: number,
  env: NodeJS.ProcessEnv,
  nodeArgs: readonly string[] = [],
): Server {
  const flags = entry === GATEHOUSE_ENTRY ? [...GATEHOUSE_NODE_ARGS, ...TRIAL_ARGS, ...nodeArgs] : nodeArgs;
  const child = spawn(process.execPath, [...flags, entry], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  live.add(child);
  child.once('exit', () => live.delete(child));
  let out = '';
  const keep = (d: Buffer) => {
    out = (out + d.toString()).slice(-8000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return { name, port, origin: `http://127.0.0.1:${port}`, child, output: () => out };
}

/** One GET with a fresh connection; resolves to the status, or 0 when nothing answers yet. */
export function probe(port: number, path: string): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      res.resume();
      res.once('end', () => resolve(res.statusCode ?? 0));
    });
    req.once('error', () => resolve(0));
    req.setTimeout(2000, () => req.destroy());
    req.end();
  });
}

/** Polls until `path` answers 200; returns the milliseconds since `since` (a performance.now()). */
export async function waitFor200(
  server: Server,
  path: string,
  since: number,
  timeoutMs = 30_000,
  pollMs = 2,
): Promise<number> {
  for (;;) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(`${server.name} exited before answering ${path}:\n${server.output()}`);
    }
    if ((await probe(server.port, path)) === 200) return performance.now() - since;
    if (performance.now() - since > timeoutMs) {
      throw new Error(
        `${server.name} did not answer 200 on ${path} within ${timeoutMs} ms:\n${server.output()}`,
      );
    }
    await sleep(pollMs);
  }
}

/** SIGTERM, then SIGKILL if the child has not exited after `graceMs`. */
export async function stopServer(server: Server, graceMs = 5000): Promise<void> {
  const { child } = server;
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Resident set size of a process in MB (VmRSS of /proc/<pid>/status; Linux only). */
export function rssMb(pid: number | undefined, field: 'VmRSS' | 'VmHWM' = 'VmRSS'): number {
  if (pid === undefined) throw new Error('no pid');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1];
  if (kb === undefined) throw new Error(`${field} not found in /proc/${pid}/status`);
  return Number(kb) / 1024;
}

/** CPU seconds (user + system, all threads) a process has used so far, from /proc/<pid>/stat. */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) throw new Error('no pid');
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces: state is field 3.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]); // utime (14) and stime (15)
  return ticks / CLOCK_TICKS;
}

// USER_HZ: 100 on every Linux the benchmark is meant for; getconf says for sure.
const CLOCK_TICKS = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  const hi = s[mid] ?? Number.NaN;
  return s.length % 2 === 1 ? hi : ((s[mid - 1] ?? Number.NaN) + hi) / 2;
};
