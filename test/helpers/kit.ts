/**
 * The test kit: ports for child processes, waiting on a condition, and absence checks that cannot
 * pass while the bug they look for exists. Tests and benchmarks use these, never their own copies.
 *
 * Ports. "Bind 0, close, hand the number to a child" raced at concurrency 3: between the close and
 * the child's bind, another test file's bind 0 could be given the same number. An in-process
 * server listens on 0 and reads its port back (no helper needed). For a child process,
 * reservePort holds the listening socket until it is handed over (release() right before the
 * spawn), and also claims the number in a lock folder shared by every test process of the machine
 * until this process exits, so another test file's reservePort never gets it, even after the
 * release. (An unrelated bind 0 between release and the child's bind can still get it; the
 * kernel picks ports at random, and the window is the child's start-up.)
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';

export interface ReservedPort {
  readonly port: number;
  /** Closes the holding socket: call it right before the process that will bind the port starts. */
  release(): Promise<void>;
}

const LOCKS = join(tmpdir(), 'gatehouse-test-ports');
const mine = new Set<number>();
process.on('exit', () => {
  for (const port of mine) rmSync(join(LOCKS, String(port)), { force: true });
});

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
};

/** Claims `port` for this process; false when a live test process holds it. */
function claim(port: number): boolean {
  mkdirSync(LOCKS, { recursive: true });
  const file = join(LOCKS, String(port));
  for (let tries = 0; tries < 2; tries++) {
    try {
      writeFileSync(file, String(process.pid), { flag: 'wx' });
      mine.add(port);
      return true;
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(readFileSync(file, 'utf8'));
      if (owner && alive(owner)) return false;
      rmSync(file, { force: true }); // left by a process that died without its exit hook
    }
  }
  return false;
}

const listenOnZero = (host: string) =>
  new Promise<Server>((resolve, reject) => {
    const holder = createServer();
    holder.once('error', reject);
    holder.listen({ port: 0, host, exclusive: true }, () => resolve(holder));
  });

/** A port held open on `host` until released, and claimed against every other test process. */
export async function reservePort(host = '127.0.0.1'): Promise<ReservedPort> {
  for (;;) {
    const holder = await listenOnZero(host);
    const { port } = holder.address() as { port: number };
    if (!claim(port)) {
      holder.close();
      continue;
    }
    let released: Promise<void> | null = null;
    return {
      port,
      release: () => {
        released ??= new Promise<void>((done) => holder.close(() => done()));
        return released;
      },
    };
  }
}

/** A reserved port already released: for a spawn that follows at once. */
export async function freePort(host = '127.0.0.1'): Promise<number> {
  const reserved = await reservePort(host);
  await reserved.release();
  return reserved.port;
}

/** The ports test processes of this machine hold now. */
export const claimedPorts = (): number[] => readdirSync(LOCKS).map(Number);

export interface WaitOptions {
  readonly what: string;
  readonly timeoutMs?: number;
  readonly intervalMs?: number;
}

/**
 * Waits until `predicate` returns something truthy (or a promise of it) and returns it; fails
 * after `timeoutMs` (5 s) naming `what`, with the predicate's last error if it threw. The short
 * form `waitFor(predicate, what, timeoutMs?)` is the same.
 */
export async function waitFor<T>(
  predicate: () => T | Promise<T>,
  what: string | WaitOptions,
  timeoutMs?: number,
): Promise<NonNullable<T>> {
  const opts: WaitOptions = typeof what === 'string' ? { what, ...(timeoutMs ? { timeoutMs } : {}) } : what;
  const limit = opts.timeoutMs ?? 5_000;
  const deadline = Date.now() + limit;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await predicate();
      if (value) return value as NonNullable<T>;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline) {
      const why = lastError ? `: ${(lastError as Error).message ?? String(lastError)}` : '';
      throw new Error(`Timed out after ${limit} ms waiting for ${opts.what}${why}`);
    }
    await sleep(opts.intervalMs ?? 5);
  }
}

/**
 * An absence check that can fail: first waits for `marker` (something that happens after the
 * moment the unwanted thing would have happened: a later mail, a later log line, an event the
 * same pipeline delivers), then asserts `absent`. Without the marker, "nothing arrived within
 * 20 ms" also passes when the thing arrives at 21 ms.
 */
export async function expectAbsentOnceSeen(
  marker: () => unknown,
  absent: () => boolean,
  opts: { what: string; marker: string; timeoutMs?: number },
): Promise<void> {
  await waitFor(marker, { what: opts.marker, ...(opts.timeoutMs ? { timeoutMs: opts.timeoutMs } : {}) });
  if (!absent()) throw new Error(`Expected no ${opts.what}, but there was (checked after ${opts.marker})`);
}
