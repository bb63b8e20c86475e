/**
 * The soak (issue 17): the built server on a fresh data folder under minutes of mixed load from
 * many users (uploads, downloads, listings, deletes, profile reads, token refreshes; the fault
 * suite's load, test/faults/kit/load.ts), then the fault suite's consistency audit. It reports
 * the requests, every answer by status and error code, p50 and p99 latency, the server's RSS every
 * 10 s, and writes them into bench/README.md. Done means 0 answers of 500 or more, 503 included.
 *
 * Settings (environment): SOAK_SECONDS (180), SOAK_USERS (24), SOAK_NO_WRITE=1 to print only.
 */
import { cpus } from 'node:os';
import { join } from 'node:path';
import { audit, Ledger } from '../test/faults/kit/audit.ts';
import { createUser, outboxCode, Tally, type User } from '../test/faults/kit/client.ts';
import { type Action, DEFAULT_WEIGHTS, runLoad } from '../test/faults/kit/load.ts';
import { localStoredIds, startGatehouse } from '../test/faults/kit/server.ts';
import { writeIntoReadme } from './report.ts';
import { ROOT, removeDir, rssMb, tempDir } from './servers.ts';

const whole = (name: string, fallback: number): number => {
  const raw = process.env[name];
  const n = raw === undefined ? fallback : Number(raw);
  if (!Number.isInteger(n) || n < 1) {
    console.error(`${name} must be a whole number of at least 1, not ${raw}.`);
    process.exit(1);
  }
  return n;
};
const SECONDS = whole('SOAK_SECONDS', 180);
const USERS = whole('SOAK_USERS', 24);
const SAMPLE_MS = 10_000;
const LABELS: Record<Action, string> = {
  upload: 'uploads',
  delete: 'deletes',
  download: 'downloads',
  list: 'listings',
  me: 'profile reads',
  refresh: 'token refreshes',
};

const percentile = (sorted: readonly number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;

interface Sample {
  readonly second: number;
  readonly rssMb: number;
  readonly answers: number;
}

const dataDir = tempDir('gh-soak-');
const running = await startGatehouse(dataDir);
const pid = running.server.child.pid;
const tally = new Tally();
const ledger = new Ledger();
let exitCode = 0;
try {
  const users: User[] = [];
  // Four sign-ups at a time: the soak is about the load that follows, not about sign-up.
  for (let i = 0; i < USERS; i += 4) {
    const batch = Array.from({ length: Math.min(4, USERS - i) }, () =>
      createUser(tally, running.origin, (e) => outboxCode(running.origin, e)),
    );
    users.push(...(await Promise.all(batch)));
  }
  const signUpAnswers = tally.total();
  tally.counts.clear();
  tally.latencies.length = 0;

  const started = Date.now();
  const samples: Sample[] = [{ second: 0, rssMb: rssMb(pid), answers: 0 }];
  const sampler = setInterval(() => {
    samples.push({
      second: Math.round((Date.now() - started) / 1000),
      rssMb: rssMb(pid),
      answers: tally.total(),
    });
    process.stdout.write(
      `${samples.at(-1)?.second} s: ${tally.total()} answers, RSS ${rssMb(pid).toFixed(0)} MB\n`,
    );
  }, SAMPLE_MS);
  const { problems, connectionErrors } = await runLoad({
    origin: () => running.origin,
    users,
    tally,
    ledger,
    until: () => Date.now() >= started + SECONDS * 1000,
  });
  clearInterval(sampler);
  const elapsed = (Date.now() - started) / 1000;
  samples.push({ second: Math.round(elapsed), rssMb: rssMb(pid), answers: tally.total() });

  const answers = tally.total();
  const fiveXx = [...tally.counts].filter(([k]) => Number(k.slice(0, 3)) >= 500);
  const sorted = [...tally.latencies].sort((a, b) => a - b);
  // The audit's requests go to a tally of their own: the figures above are the load's.
  let audited = '';
  try {
    const r = await audit(new Tally(), running.origin, users, ledger, {
      storedIds: localStoredIds(dataDir),
      settleMs: 5000,
    });
    audited = `passed: ${r.files} files (${(r.bytes / 2 ** 20).toFixed(1)} MiB) listed, each downloaded byte-identical to what was acknowledged; usage equal to the sum of the sizes; bytes on disk exactly the listed files'`;
  } catch (err) {
    audited = `**failed**: ${(err as Error).message.split('\n')[0]}`;
    exitCode = 1;
  }
  if (fiveXx.length > 0 || problems.length > 0 || connectionErrors > 0) exitCode = 1;

  const weights = Object.values(DEFAULT_WEIGHTS).reduce((a, b) => a + b, 0);
  const mix = Object.entries(DEFAULT_WEIGHTS)
    .map(([action, w]) => `${LABELS[action as Action]} ${Math.round((100 * w) / weights)}%`)
    .join(', ');
  const md = [
    `Run ${new Date().toISOString().slice(0, 10)}: \`npm run bench:soak\`, Node ${process.version}, ` +
      `${cpus().length} cores shared with other work, ${USERS} users each running one request at a ` +
      `time (${mix}; uploads of up to 256 KiB) for ${Math.round(elapsed)} s after ${signUpAnswers} sign-up requests (not counted).`,
    '',
    '| Requests | Per second | p50 | p99 | 5xx | Contract breaches | Connection errors |',
    '|---:|---:|---:|---:|---:|---:|---:|',
    `| ${answers} | ${(answers / elapsed).toFixed(0)} | ${percentile(sorted, 0.5).toFixed(0)} ms | ` +
      `${percentile(sorted, 0.99).toFixed(0)} ms | ${fiveXx.reduce((n, [, c]) => n + c, 0)} | ` +
      `${problems.length} | ${connectionErrors} |`,
    '',
    `Answers by status and error code: ${tally.summary()}. ` +
      `${ledger.uploaded.size} uploads and ${ledger.deleted.size} deletes acknowledged.`,
    '',
    `Audit ${audited}.`,
    '',
    '| Second | Requests so far | Server RSS (MB) |',
    '|---:|---:|---:|',
    ...samples.map((x) => `| ${x.second} | ${x.answers} | ${x.rssMb.toFixed(0)} |`),
    ...(problems.length > 0 ? ['', `Contract breaches (first 5): ${problems.slice(0, 5).join('; ')}`] : []),
  ].join('\n');
  console.log(`\n${md}`);
  if (!process.env.SOAK_NO_WRITE) {
    writeIntoReadme(join(ROOT, 'bench', 'README.md'), md, '<!-- soak:start -->', '<!-- soak:end -->');
  }
} finally {
  await running.stop();
  removeDir(dataDir);
}
process.exit(exitCode);
