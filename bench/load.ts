/**
 * One measured load run: a warm-up run (discarded) then the measured run, both with autocannon's
 * programmatic API in this process, at a fixed number of connections.
 */
import autocannon from 'autocannon';

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
  const r = await run(scenario, settings.connections, settings.duration);
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
  };
}

export const isValid = (r: LoadResult) => r.non2xx === 0 && r.errors === 0;

export function describe(r: LoadResult): string {
  const codes = Object.entries(r.statusCodes)
    .map(([c, n]) => `${c}: ${n}`)
    .join(', ');
  return (
    `${r.scenario}: ${r.reqPerSec.toFixed(0)} req/s, p50 ${r.p50} ms, p99 ${r.p99} ms, ` +
    `${r.total} requests, non-2xx ${r.non2xx}, errors ${r.errors} (${codes || 'no answers'})` +
    (r.warmupFailures > 0 ? `, warm-up failures ${r.warmupFailures}` : '')
  );
}
