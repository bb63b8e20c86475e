/**
 * Gatehouse as a child process for the crash scenarios: the built server (dist/server.js, which
 * scripts/run-tests.mjs builds first) with npm start's flags, on a data folder the test owns, so
 * it can be killed with SIGKILL mid-write and started again on the same folder.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  freePort,
  GATEHOUSE_ENTRY,
  gatehouseEnv,
  type Server,
  spawnServer,
  stopServer,
  waitFor200,
} from '../../../bench/servers.ts';

export interface Running {
  readonly origin: string;
  readonly server: Server;
  /** SIGKILL, as a crash or the OOM killer would: no shutdown hook runs. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

/** Cheap hashes and no rate limits: the scenarios are about storage, not brute force. */
export const FAULT_ENV: Record<string, string> = {
  PASSWORD_HASH_COST: '10',
  RATE_LIMIT_AUTH_PER_MINUTE: '10000000',
};

/**
 * Starts a server on `dataDir`; `port` to come back where a killed one was (its tokens name the
 * origin, APP_ORIGIN, as their issuer, so a restart elsewhere would void them).
 */
export async function startGatehouse(
  dataDir: string,
  opts: { port?: number; env?: Record<string, string> } = {},
): Promise<Running & { port: number }> {
  const port = opts.port ?? (await freePort());
  const server = spawnServer('gatehouse', GATEHOUSE_ENTRY, port, {
    ...gatehouseEnv(port, dataDir),
    ...FAULT_ENV,
    ...opts.env,
  });
  await waitFor200(server, '/health', performance.now(), 60_000, 50);
  return {
    origin: server.origin,
    port,
    server,
    async kill() {
      if (server.child.exitCode !== null || server.child.signalCode !== null) return;
      const exited = new Promise((r) => server.child.once('exit', r));
      server.child.kill('SIGKILL');
      await exited;
    },
    stop: () => stopServer(server),
  };
}

/** The ids of the files whose bytes are in a local data folder for a user. */
export function localStoredIds(dataDir: string): (userId: string) => Promise<string[]> {
  return async (userId) => {
    try {
      return readdirSync(join(dataDir, 'blobs', 'files', userId))
        .filter((n) => n.endsWith('~blob'))
        .map((n) => n.slice(0, -'~blob'.length));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
  };
}

/** What is left in the blobs temp folder (partial uploads). */
export function tempFiles(dataDir: string): string[] {
  try {
    return readdirSync(join(dataDir, 'blobs', '.tmp'));
  } catch {
    return [];
  }
}
