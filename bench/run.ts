/**
 * `npm run bench`: Gatehouse against a bare Fastify route, in one run, on this machine.
 *
 * 1. Cold start: spawn to first 200, Gatehouse and bare alternately, median of BENCH_COLD_SPAWNS.
 * 2. Throughput at 50 connections, interleaved so noise hits both alike: bare, /health, Bearer,
 *    cookie, bare again (the bare figure is the mean of the two bare runs).
 * 3. Idle RSS of both server processes after the load and a short idle.
 *
 * Prints the tables and writes them into bench/README.md between the results markers.
 * Settings: BENCH_DURATION (s, default 8), BENCH_WARMUP (s, 2), BENCH_CONNECTIONS (50),
 * BENCH_COLD_SPAWNS (5), BENCH_IDLE_MS (5000), BENCH_NO_WRITE=1 to leave the README alone.
 */
import { cpus } from 'node:os';
import { createSignedInUser } from './gatehouse-user.ts';
import { describe, type LoadResult, type LoadSettings, measure, type Scenario } from './load.ts';
import { envNumber, publish } from './options.ts';
import { renderResults } from './report.ts';
import {
  BARE_ENTRY,
  bareEnv,
  freePort,
  GATEHOUSE_ENTRY,
  gatehouseEnv,
  median,
  removeDir,
  rssMb,
  type Server,
  sleep,
  spawnServer,
  stopServer,
  tempDir,
  waitFor200,
} from './servers.ts';

const settings: LoadSettings = {
  connections: envNumber('BENCH_CONNECTIONS', 50),
  duration: envNumber('BENCH_DURATION', 8),
  warmup: envNumber('BENCH_WARMUP', 2),
};
const COLD_SPAWNS = Math.round(envNumber('BENCH_COLD_SPAWNS', 5));
const IDLE_MS = envNumber('BENCH_IDLE_MS', 5000);

const log = (line: string) => process.stdout.write(`${line}\n`);

interface Kind {
  readonly name: string;
  readonly entry: string;
  readonly readyPath: string;
  env(port: number): NodeJS.ProcessEnv;
}

async function start(kind: Kind): Promise<{ server: Server; ms: number }> {
  const port = await freePort();
  const t0 = performance.now();
  const server = spawnServer(kind.name, kind.entry, port, kind.env(port));
  const ms = await waitFor200(server, kind.readyPath, t0);
  return { server, ms };
}

async function coldStarts(gatehouse: Kind, bare: Kind) {
  const samples = { gatehouse: [] as number[], bare: [] as number[] };
  // Untimed first starts: Gatehouse creates its databases, the OS caches the files.
  for (const kind of [gatehouse, bare]) {
    const { server, ms } = await start(kind);
    log(`  first start of ${kind.name} (untimed: creates data, fills caches): ${ms.toFixed(0)} ms`);
    await stopServer(server);
  }
  for (let i = 0; i < COLD_SPAWNS; i++) {
    for (const [kind, into] of [
      [bare, samples.bare],
      [gatehouse, samples.gatehouse],
    ] as const) {
      const { server, ms } = await start(kind);
      into.push(ms);
      await stopServer(server);
      await sleep(200);
    }
    log(
      `  spawn ${i + 1}: bare ${samples.bare.at(-1)?.toFixed(0)} ms, Gatehouse ${samples.gatehouse.at(-1)?.toFixed(0)} ms`,
    );
  }
  return samples;
}

async function main(): Promise<void> {
  const cpuList = cpus();
  const cores = `${cpuList.length} cores (${cpuList[0]?.model.trim() ?? 'unknown CPU'})`;
  log(`Gatehouse benchmark: Node ${process.version}, ${cores}`);
  log(
    `${settings.connections} connections, ${settings.duration} s per run after a ${settings.warmup} s warm-up`,
  );
  const dirs: string[] = [];
  const servers: Server[] = [];
  try {
    const coldDir = tempDir('gh-bench-cold-');
    dirs.push(coldDir);
    const gatehouseCold: Kind = {
      name: 'Gatehouse',
      entry: GATEHOUSE_ENTRY,
      readyPath: '/health',
      env: (port) => gatehouseEnv(port, coldDir),
    };
    const bareKind: Kind = { name: 'bare Fastify', entry: BARE_ENTRY, readyPath: '/', env: bareEnv };

    log('\nCold start (spawn to first 200):');
    const cold = await coldStarts(gatehouseCold, bareKind);

    log('\nStarting the servers under test...');
    const loadDir = tempDir('gh-bench-load-');
    dirs.push(loadDir);
    const bare = (await start(bareKind)).server;
    servers.push(bare);
    const gatehouse = (await start({ ...gatehouseCold, env: (port) => gatehouseEnv(port, loadDir) })).server;
    servers.push(gatehouse);
    const user = await createSignedInUser(gatehouse.origin);
    log(`  signed in ${user.email} (Bearer token and session cookie both answer 200 on /api/users/me)`);
    await sleep(2000);
    const rssBeforeLoad = { gatehouse: rssMb(gatehouse.child.pid), bare: rssMb(bare.child.pid) };
    log(
      `  RSS before any load: Gatehouse ${rssBeforeLoad.gatehouse.toFixed(1)} MB, bare ${rssBeforeLoad.bare.toFixed(1)} MB`,
    );

    const me = `${gatehouse.origin}/api/users/me`;
    const plan: Scenario[] = [
      { name: 'bare Fastify GET / (first)', url: `${bare.origin}/`, pid: bare.child.pid },
      { name: 'Gatehouse GET /health', url: `${gatehouse.origin}/health`, pid: gatehouse.child.pid },
      {
        name: 'Gatehouse GET /api/users/me (Bearer)',
        url: me,
        headers: { authorization: `Bearer ${user.accessToken}` },
        pid: gatehouse.child.pid,
      },
      {
        name: 'Gatehouse GET /api/users/me (cookie)',
        url: me,
        headers: { cookie: user.cookie },
        pid: gatehouse.child.pid,
      },
      { name: 'bare Fastify GET / (last)', url: `${bare.origin}/`, pid: bare.child.pid },
    ];
    log('\nThroughput:');
    const results: LoadResult[] = [];
    for (const scenario of plan) {
      const r = await measure(scenario, settings);
      results.push(r);
      log(`  ${describe(r)}`);
    }
    const [bareFirst, health, bearer, cookie, bareLast] = results;
    if (!bareFirst || !health || !bearer || !cookie || !bareLast) throw new Error('a load run is missing');

    log(`\nIdle ${IDLE_MS / 1000} s, then reading VmRSS...`);
    await sleep(IDLE_MS);
    const rss = {
      gatehouse: rssMb(gatehouse.child.pid),
      bare: rssMb(bare.child.pid),
      idleMs: IDLE_MS,
      beforeLoad: rssBeforeLoad,
    };
    log(
      `  Gatehouse (pid ${gatehouse.child.pid}) ${rss.gatehouse.toFixed(1)} MB (peak ` +
        `${rssMb(gatehouse.child.pid, 'VmHWM').toFixed(1)} MB); bare (pid ${bare.child.pid}) ${rss.bare.toFixed(1)} MB`,
    );

    const markdown = renderResults({
      date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      node: process.version,
      cores,
      ...settings,
      bare: [bareFirst, bareLast],
      health,
      bearer,
      cookie,
      rss,
      cold,
      coldMedian: { gatehouse: median(cold.gatehouse), bare: median(cold.bare) },
    });
    log(`\n${markdown}\n`);
    publish(markdown, 'results', log);
  } finally {
    for (const s of servers) await stopServer(s);
    for (const d of dirs) removeDir(d);
  }
}

main().catch((err) => {
  process.stderr.write(
    `Benchmark failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
  );
  process.exit(1);
});
