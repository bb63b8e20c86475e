/**
 * One measured load run: a warm-up run (discarded) then the measured run, both with autocannon's
 * programmatic API in this process, at a fixed number of connections.
 */
import autocannon from 'autocannon';
import { cpuSeconds } from './servers.ts';

export interface LoadSettings {
  readonly connections: number;
  /** Seconds of the measured run. */
  readonly duration: number;
  /** Seconds of the discarded warm-up run before it. */
  readonly warmup: number;
}

export interface Scenario {
  readonly name: string;
  readonly url: string;
  readonly headers?: Record<string, string>;
  /** The server process, whose CPU time is read around the measured run. */
  readonly pid?: number | undefined;
}

export interface LoadResult {
  readonly scenario: string;
  readonly reqPerSec: number;
  readonly p50: number;
  readonly p99: number;
  readonly non2xx: number;
  /** Socket errors and timeouts. */
  readonly errors: number;
  readonly total: number;
  readonly statusCodes: Record<string, number>;
  /** Non-2xx answers or errors during the warm-up (reported, not counted in the table). */
  readonly warmupFailures: number;
  /** Server CPU time per completed request, microseconds (all threads, user + system). */
  readonly serverCpuUsPerReq: number;
  /** Server CPU use during the run, percent of one core. */
  readonly serverCpuPct: number;
  /** The load generator's (this process's) CPU use during the run, percent of one core. */
  readonly clientCpuPct: number;
}

const run = (scenario: Scenario, connections: number, duration: number) =>
  autocannon({
    url: scenario.url,
    connections,
    duration,
    timeout: 10,
    ...(scenario.headers ? { headers: scenario.headers } : {}),
  });

export async function measure(scenario: Scenario, settings: LoadSettings): Promise<LoadResult> {
  const warm = await run(scenario, settings.connections, settings.warmup);
  const serverBefore = scenario.pid === undefined ? Number.NaN : cpuSeconds(scenario.pid);
  const clientBefore = process.cpuUsage();
  const t0 = performance.now();
  const r = await run(scenario, settings.connections, settings.duration);
  const seconds = (performance.now() - t0) / 1000;
  const client = process.cpuUsage(clientBefore);
  const serverCpu = scenario.pid === undefined ? Number.NaN : cpuSeconds(scenario.pid) - serverBefore;
  const statusCodes: Record<string, number> = {};
  for (const [code, stat] of Object.entries(r.statusCodeStats)) statusCodes[code] = stat.count;
  return {
    scenario: scenario.name,
    reqPerSec: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    total: r.requests.total,
    statusCodes,
    warmupFailures: warm.non2xx + warm.errors + warm.timeouts,
    serverCpuUsPerReq: (serverCpu * 1e6) / Math.max(1, r.requests.total),
    serverCpuPct: (100 * serverCpu) / seconds,
    clientCpuPct: (client.user + client.system) / 1e4 / seconds,
  };
}

export const isValid = (r: LoadResult) => r.non2xx === 0 && r.errors === 0;

export function describe(r: LoadResult): string {
  const codes = Object.entries(r.statusCodes)
    .map(([c, n]) => `${c}: ${n}`)
    .join(', ');
  return (
    `${r.scenario}: ${r.reqPerSec.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ` +
    `${r.total} requests, non-2xx ${r.non2xx}, errors ${r.errors} (${codes || 'no answers'}); ` +
    `server CPU ${r.serverCpuUsPerReq.toFixed(0)} µs/request (${r.serverCpuPct.toFixed(0)}% of a core), ` +
    `load generator ${r.clientCpuPct.toFixed(0)}% of a core` +
    (r.warmupFailures > 0 ? `, warm-up failures ${r.warmupFailures}` : '')
  );
}
