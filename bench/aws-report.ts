/**
 * The table `npm run bench:aws` writes: per request, the AWS calls in order (steps separated by
 * "→", calls of one step joined by "+"), their count, the steps, the client's latency, DynamoDB's
 * units and what they cost on demand per million requests.
 */

import type { AwsScenario } from './aws-scenarios.ts';
import { costPerMillion, PRICE_PER_MILLION, READ_OPERATIONS } from './aws-units.ts';
import type { Call } from './counting-proxy.ts';

interface Round {
  readonly calls: readonly Call[];
  readonly latencyMs: number;
}

/** Calls grouped into steps: a call that starts after every earlier call has ended opens a step. */
export function steps(calls: readonly Call[]): Call[][] {
  const out: Call[][] = [];
  let lastEnd = Number.NEGATIVE_INFINITY;
  for (const c of [...calls].sort((a, b) => a.start - b.start)) {
    if (c.start >= lastEnd || out.length === 0) out.push([c]);
    else out[out.length - 1]?.push(c);
    lastEnd = Math.max(lastEnd, c.end);
  }
  return out;
}

const label = (c: Call) =>
  c.service === 'dynamodb' ? c.operation : `${c.service === 'cognito' ? 'Cognito' : 'S3'} ${c.operation}`;

const pattern = (calls: readonly Call[]) =>
  steps(calls)
    .map((step) => step.map(label).sort().join(' + '))
    .join(' → ');

const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? (s[m] ?? 0) : ((s[m - 1] ?? 0) + (s[m] ?? 0)) / 2;
};
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(xs.length, 1);
const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(2).replace(/0$/, ''));

/** The most frequent value, with how many rounds had it. */
function mode(values: readonly string[]): { value: string; count: number } {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best = { value: '', count: 0 };
  for (const [value, count] of counts) if (count > best.count) best = { value, count };
  return best;
}

export function awsTable(
  results: readonly { scenario: AwsScenario; rounds: readonly Round[] }[],
  meta: { date: string; node: string; rounds: number },
): string {
  const lines = [
    `Run of ${meta.date}: Node ${meta.node}; each row ${meta.rounds} requests one at a time after 3 unmeasured, against DynamoDB Local, cognito-local and s3rver on this machine.`,
    '',
    '| request | AWS calls, in order (→ one after another, + side by side) | calls | steps | client p50 ms | read units | write units | $ per million requests | target |',
    '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
  ];
  const others: string[] = [];
  for (const { scenario, rounds } of results) {
    const patterns = rounds.map((r) => pattern(r.calls));
    const seen = mode(patterns);
    const odd = mode(patterns.filter((p) => p !== seen.value));
    if (odd.count > 0)
      others.push(`- ${scenario.name}: ${odd.value || 'none'} (${odd.count} of ${rounds.length} rounds)`);
    const counts = rounds.map((r) => r.calls.length);
    const stepCounts = rounds.map((r) => steps(r.calls).length);
    const unitsOf = (r: Round, read: boolean) =>
      r.calls
        .filter((c) => c.service === 'dynamodb' && READ_OPERATIONS.has(c.operation) === read)
        .reduce((n, c) => n + c.units, 0);
    const readUnits = mean(rounds.map((r) => unitsOf(r, true)));
    const writeUnits = mean(rounds.map((r) => unitsOf(r, false)));
    const varied = seen.count < rounds.length ? ` (${seen.count} of ${rounds.length} rounds)` : '';
    const spread = (xs: number[]) =>
      Math.min(...xs) === Math.max(...xs)
        ? String(xs[0])
        : `${fmt(mean(xs))} (${Math.min(...xs)}-${Math.max(...xs)})`;
    lines.push(
      `| ${scenario.name} | ${seen.value || 'none'}${varied} | ${spread(counts)} | ${spread(stepCounts)} | ${median(rounds.map((r) => r.latencyMs)).toFixed(1)} | ${fmt(readUnits)} | ${fmt(writeUnits)} | ${costPerMillion(readUnits, writeUnits).toFixed(3)} | ${scenario.target} |`,
    );
  }
  if (others.length > 0)
    lines.push('', 'Rounds that differed from the row (the most frequent other pattern):', '', ...others);
  lines.push(
    '',
    `Prices: DynamoDB on demand in US East (N. Virginia), $${PRICE_PER_MILLION.read} per million read units and $${PRICE_PER_MILLION.write} per million write units; Cognito and S3 requests are not priced here.`,
  );
  return lines.join('\n');
}
