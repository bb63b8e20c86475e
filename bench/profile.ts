/**
 * Where does Gatehouse spend its time under load? `npx tsx bench/profile.ts [bearer|cookie|health]`
 * starts Gatehouse with `node --cpu-prof`, drives one request at 50 connections for BENCH_DURATION
 * seconds (after a warm-up), stops the server so V8 writes the profile, and prints the functions
 * and the packages with the most self time, counting only samples taken during the measured run.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { createSignedInUser } from './gatehouse-user.ts';
import { describe, measure, type Scenario } from './load.ts';
import { envNumber } from './options.ts';
import {
  freePort,
  GATEHOUSE_ENTRY,
  gatehouseEnv,
  ROOT,
  spawnServer,
  stopServer,
  tempDir,
  waitFor200,
} from './servers.ts';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const log = (line: string) => process.stdout.write(`${line}\n`);
const monotonicMicros = () => Number(process.hrtime.bigint() / 1000n);

/** Where a frame comes from: a package, a source file of this repository, node itself, or V8. */
function origin(frame: CallFrame): string {
  const { url } = frame;
  if (!url) return frame.functionName.startsWith('(') ? frame.functionName : '(native)';
  if (url.startsWith('node:')) return `node:${url.slice(5).split('/')[0]}`;
  const path = url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path)?.[1];
  if (pkg) return pkg;
  return path.startsWith(ROOT) ? relative(ROOT, path) : path;
}

function label(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)';
  // tsx hands V8 whitespace-minified code: line 1 plus a column is all a frame can say.
  return frame.url ? `${name}  ${origin(frame)}:${frame.lineNumber + 1}:${frame.columnNumber + 1}` : name;
}

function summarise(profile: CpuProfile, from: number, to: number, top: number): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const byOrigin = new Map<string, number>();
  let t = profile.startTime;
  let total = 0;
  profile.samples.forEach((id, i) => {
    const delta = profile.timeDeltas[i] ?? 0;
    t += delta;
    if (t < from || t > to) return;
    const node = byId.get(id);
    if (!node) return;
    total += delta;
    const key = label(node.callFrame);
    self.set(key, (self.get(key) ?? 0) + delta);
    const o = origin(node.callFrame);
    byOrigin.set(o, (byOrigin.get(o) ?? 0) + delta);
    // Inclusive time of this repository's and the packages' functions (each counted once per sample).
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const frame = byId.get(cur)?.callFrame;
      if (!frame?.url || frame.url.startsWith('node:')) continue;
      const k = label(frame);
      if (seen.has(k)) continue;
      seen.add(k);
      inclusive.set(k, (inclusive.get(k) ?? 0) + delta);
    }
  });
  const print = (title: string, m: Map<string, number>, n: number) => {
    log(`\n${title} (of ${(total / 1000).toFixed(0)} ms sampled during the measured run)`);
    log('| self ms | share | where |\n| ---: | ---: | --- |');
    for (const [k, us] of [...m].sort((a, b) => b[1] - a[1]).slice(0, n)) {
      log(`| ${(us / 1000).toFixed(0)} | ${((100 * us) / total).toFixed(1)}% | \`${k}\` |`);
    }
  };
  print('Self time by function', self, top);
  print('Self time by package or file', byOrigin, 15);
  print('Inclusive time of JavaScript functions (not node internals)', inclusive, top);
}

async function main(): Promise<void> {
  const which = process.argv[2] ?? 'bearer';
  const duration = envNumber('BENCH_DURATION', 8);
  const profDir = tempDir('gh-bench-prof-');
  const port = await freePort();
  const t0 = performance.now();
  const server = spawnServer('Gatehouse', GATEHOUSE_ENTRY, port, gatehouseEnv(port, join(profDir, 'data')), [
    '--cpu-prof',
    `--cpu-prof-dir=${profDir}`,
  ]);
  let window = { from: 0, to: Number.POSITIVE_INFINITY };
  try {
    await waitFor200(server, '/health', t0);
    const user = await createSignedInUser(server.origin);
    const me = `${server.origin}/api/users/me`;
    const scenarios: Record<string, Scenario> = {
      bearer: {
        name: 'GET /api/users/me (Bearer)',
        url: me,
        headers: { authorization: `Bearer ${user.accessToken}` },
      },
      cookie: { name: 'GET /api/users/me (cookie)', url: me, headers: { cookie: user.cookie } },
      health: { name: 'GET /health', url: `${server.origin}/health` },
    };
    const picked = scenarios[which];
    const scenario = picked ? { ...picked, pid: server.child.pid } : undefined;
    if (!scenario) throw new Error(`unknown scenario "${which}": bearer, cookie or health`);
    // The warm-up is measure()'s own; the window below starts after it, give or take a second.
    const from = monotonicMicros() + 2_000_000;
    const r = await measure(scenario, { connections: 50, duration, warmup: 2 });
    window = { from, to: monotonicMicros() };
    log(`Under --cpu-prof (slower than without): ${describe(r)}`);
  } finally {
    await stopServer(server);
  }
  // One profile per thread (tsx's loader hooks run on a worker thread): the main thread's id is 0.
  const files = readdirSync(profDir).filter((f) => f.endsWith('.cpuprofile'));
  const file = files.find((f) => f.includes(`.${server.child.pid}.0.`)) ?? files[0];
  if (!file)
    throw new Error(`no .cpuprofile in ${profDir}: did the server exit cleanly?\n${server.output()}`);
  const profile = JSON.parse(readFileSync(join(profDir, file), 'utf8')) as CpuProfile;
  log(`Profile: ${join(profDir, file)} (open it in Chrome DevTools or speedscope for the call tree)`);
  const inWindow = profile.samples.length > 0 && window.to > profile.startTime;
  summarise(profile, inWindow ? window.from : 0, inWindow ? window.to : Number.POSITIVE_INFINITY, 30);
}

main().catch((err) => {
  process.stderr.write(
    `Profiling failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
