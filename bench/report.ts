/**
 * The results as markdown: a throughput table (ratios to the bare Fastify route), a resources
 * table (idle RSS, cold start), and the block written into bench/README.md between its markers.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { isValid, type LoadResult } from './load.ts';

export const TARGETS = {
  bearerRatio: 0.6,
  cookieRatio: 0.5,
  idleRssMb: 120,
  coldStartRatio: 2,
} as const;

export interface Results {
  readonly date: string;
  readonly node: string;
  readonly cores: string;
  readonly connections: number;
  readonly duration: number;
  readonly warmup: number;
  readonly bare: readonly LoadResult[];
  readonly health: LoadResult;
  readonly bearer: LoadResult;
  readonly cookie: LoadResult;
  readonly rss: {
    readonly gatehouse: number;
    readonly bare: number;
    readonly idleMs: number;
    /** After start and the sign-up requests, before any load (for information). */
    readonly beforeLoad: { readonly gatehouse: number; readonly bare: number };
  };
  readonly cold: { readonly gatehouse: readonly number[]; readonly bare: readonly number[] };
  readonly coldMedian: { readonly gatehouse: number; readonly bare: number };
}

const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const f0 = (n: number) => n.toFixed(0);
const f1 = (n: number) => n.toFixed(1);
const f2 = (n: number) => n.toFixed(2);
const verdict = (ok: boolean) => (ok ? 'pass' : '**FAIL**');

const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;

function throughputTable(r: Results): string[] {
  const bareMean = mean(r.bare.map((b) => b.reqPerSec));
  const bareValid = r.bare.every(isValid);
  const bareCpu = mean(r.bare.map((b) => b.serverCpuUsPerReq));
  const lines = [
    row([
      'scenario',
      'req/s',
      'ratio to bare',
      'p50 ms',
      'p99 ms',
      'non-2xx',
      'server CPU µs/req',
      'CPU % server / load gen.',
      'target',
      'pass/fail',
    ]),
    row(['---', '---:', '---:', '---:', '---:', '---:', '---:', '---:', '---', '---']),
  ];
  r.bare.forEach((b, i) => {
    const label = `bare Fastify \`GET /\`, run ${i + 1} of ${r.bare.length}`;
    const status = isValid(b) ? '' : 'invalid';
    lines.push(
      row([
        label,
        f0(b.reqPerSec),
        f2(b.reqPerSec / bareMean),
        f0(b.p50),
        f0(b.p99),
        nonOk(b),
        f1(b.serverCpuUsPerReq),
        cpu(b),
        '',
        status,
      ]),
    );
  });
  lines.push(
    row([
      '**bare Fastify, mean** (the denominator)',
      `**${f0(bareMean)}**`,
      '1.00',
      f1(mean(r.bare.map((b) => b.p50))),
      f1(mean(r.bare.map((b) => b.p99))),
      String(r.bare.reduce((a, b) => a + b.non2xx, 0)),
      f1(mean(r.bare.map((b) => b.serverCpuUsPerReq))),
      '',
      '',
      bareValid ? '' : 'invalid',
    ]),
  );
  const gate = (label: string, x: LoadResult, target: number | null) => {
    const ratio = x.reqPerSec / bareMean;
    const status = !isValid(x) || !bareValid ? 'invalid' : target === null ? '' : verdict(ratio >= target);
    lines.push(
      row([
        label,
        f0(x.reqPerSec),
        f2(ratio),
        f0(x.p50),
        f0(x.p99),
        nonOk(x),
        `${f1(x.serverCpuUsPerReq)} (${f1(x.serverCpuUsPerReq / bareCpu)}x)`,
        cpu(x),
        target === null ? '' : `>= ${target}x`,
        status,
      ]),
    );
  };
  gate('Gatehouse `GET /health`', r.health, null);
  gate('Gatehouse `GET /api/users/me`, Bearer token', r.bearer, TARGETS.bearerRatio);
  gate('Gatehouse `GET /api/users/me`, session cookie', r.cookie, TARGETS.cookieRatio);
  return lines;
}

const cpu = (x: LoadResult) => `${f0(x.serverCpuPct)} / ${f0(x.clientCpuPct)}`;
const nonOk = (x: LoadResult) => (x.errors > 0 ? `${x.non2xx} (+${x.errors} errors)` : String(x.non2xx));

function resourceTable(r: Results): string[] {
  const coldRatio = r.coldMedian.gatehouse / r.coldMedian.bare;
  return [
    row(['measure', 'Gatehouse', 'bare Fastify', 'ratio', 'target', 'pass/fail']),
    row(['---', '---:', '---:', '---:', '---', '---']),
    row([
      `idle RSS, MB (VmRSS after the load runs and ${r.rss.idleMs / 1000} s idle)`,
      f1(r.rss.gatehouse),
      f1(r.rss.bare),
      f2(r.rss.gatehouse / r.rss.bare),
      `< ${TARGETS.idleRssMb} MB`,
      verdict(r.rss.gatehouse < TARGETS.idleRssMb),
    ]),
    row([
      'RSS before any load, MB (after start and sign-up; for information)',
      f1(r.rss.beforeLoad.gatehouse),
      f1(r.rss.beforeLoad.bare),
      f2(r.rss.beforeLoad.gatehouse / r.rss.beforeLoad.bare),
      '',
      '',
    ]),
    row([
      `cold start, ms (spawn to first 200, median of ${r.cold.gatehouse.length})`,
      f0(r.coldMedian.gatehouse),
      f0(r.coldMedian.bare),
      f2(coldRatio),
      `<= ${TARGETS.coldStartRatio}x bare`,
      verdict(coldRatio <= TARGETS.coldStartRatio),
    ]),
  ];
}

export function renderResults(r: Results): string {
  const samples = (xs: readonly number[]) => xs.map((x) => f0(x)).join(', ');
  const invalid = [...r.bare, r.health, r.bearer, r.cookie].filter((x) => !isValid(x));
  return [
    `Run of ${r.date}: Node ${r.node}, ${r.cores}; ${r.connections} connections, ` +
      `${r.duration} s per measured run after a ${r.warmup} s warm-up.`,
    '',
    ...throughputTable(r),
    '',
    ...resourceTable(r),
    '',
    `Cold start samples (ms, in spawn order): Gatehouse ${samples(r.cold.gatehouse)}; ` +
      `bare Fastify ${samples(r.cold.bare)}.`,
    '',
    invalid.length === 0
      ? 'Every measured run answered 2xx only (non-2xx 0, no socket errors or timeouts).'
      : `**Invalid runs** (non-2xx answers or errors): ${invalid.map((x) => x.scenario).join(', ')}.`,
  ].join('\n');
}

export const START = '<!-- results:start -->';
export const END = '<!-- results:end -->';

/** Replaces what is between the markers of `readmePath` (appends the markers when missing). */
export function writeIntoReadme(readmePath: string, markdown: string, start = START, end = END): void {
  let text = readFileSync(readmePath, 'utf8');
  const block = `${start}\n${markdown}\n${end}`;
  const s = text.indexOf(start);
  const e = text.indexOf(end);
  text = s >= 0 && e > s ? text.slice(0, s) + block + text.slice(e + end.length) : `${text}\n${block}\n`;
  writeFileSync(readmePath, text);
}
