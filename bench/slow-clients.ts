/**
 * `npm run bench:slow-clients`: 200 slow or idle connections against Gatehouse (dist/server.js, the
 * default timeouts unless set in the environment) while a normal client keeps asking for
 * `GET /api/users/me` with a Bearer token. Measured in one run: the normal client's p50 and p99
 * without the slow connections and with 200 open, in alternating phases (3 rounds); then when the
 * server closes each of 200 more slow connections, against the time its timeout allows.
 *
 * The slow connections, in five equal groups: a header trickle (a header line every 2 s, never the
 * end), silence (connected, nothing sent), a stalled body (`POST /api/auth/signin` declaring 1000
 * bytes, 10 sent), a stalled upload (`POST /api/files`, the first 4 KB of a 64 KB multipart body),
 * and an idle keep-alive connection (one `GET /health`, then nothing).
 *
 * Settings: BENCH_SLOW_CONNECTIONS (200), BENCH_DURATION seconds per measured phase (8),
 * BENCH_ROUNDS (3), BENCH_CLIENTS concurrent normal requests (8), BENCH_NO_WRITE=1 to leave the
 * README alone; the
 * server's own HTTP_* and UPLOAD_IDLE_TIMEOUT_SECONDS settings pass through.
 */
import { Agent, request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { cpus } from 'node:os';
import { loadConfig } from '../src/config/config.ts';
import { createSignedInUser } from './gatehouse-user.ts';
import { envNumber, publish } from './options.ts';
import {
  freePort,
  GATEHOUSE_ENTRY,
  gatehouseEnv,
  removeDir,
  sleep,
  spawnServer,
  stopServer,
  tempDir,
  waitFor200,
} from './servers.ts';

const SLOW = envNumber('BENCH_SLOW_CONNECTIONS', 200);
const DURATION_S = envNumber('BENCH_DURATION', 8);
const CLIENTS = envNumber('BENCH_CLIENTS', 8);
const ROUNDS = envNumber('BENCH_ROUNDS', 3);
/**
 * How late past its timeout a connection may close and still count as closed by it: Node looks for
 * overdue headers and bodies once a second (src/http/plugins/slow-clients.ts) and gives idle
 * keep-alive connections 1 s of grace (keepAliveTimeoutBuffer); a second more for a busy machine's
 * timers.
 */
const GRACE_MS = 2000;
const log = (line: string) => process.stdout.write(`${line}\n`);

const config = loadConfig({ ...process.env, DATA_DIR: '/unused' });
const TIMEOUT_MS = {
  headers: config.headersTimeoutSeconds * 1000,
  request: config.requestTimeoutSeconds * 1000,
  keepAlive: config.keepAliveTimeoutSeconds * 1000,
  uploadIdle: config.uploadIdleTimeoutSeconds * 1000,
};

type Kind = 'header trickle' | 'silent' | 'stalled body' | 'stalled upload' | 'idle keep-alive';
const KINDS: readonly Kind[] = [
  'header trickle',
  'silent',
  'stalled body',
  'stalled upload',
  'idle keep-alive',
];
/** Which timeout closes each kind, and from when it counts. */
const RULE: Record<Kind, { timeout: number; from: 'open' | 'last byte' | 'answer'; setting: string }> = {
  'header trickle': { timeout: TIMEOUT_MS.headers, from: 'open', setting: 'HTTP_HEADERS_TIMEOUT_SECONDS' },
  silent: { timeout: TIMEOUT_MS.headers, from: 'open', setting: 'HTTP_HEADERS_TIMEOUT_SECONDS' },
  'stalled body': { timeout: TIMEOUT_MS.request, from: 'last byte', setting: 'HTTP_REQUEST_TIMEOUT_SECONDS' },
  'stalled upload': {
    timeout: TIMEOUT_MS.uploadIdle,
    from: 'last byte',
    setting: 'UPLOAD_IDLE_TIMEOUT_SECONDS',
  },
  'idle keep-alive': {
    timeout: TIMEOUT_MS.keepAlive,
    from: 'answer',
    setting: 'HTTP_KEEP_ALIVE_TIMEOUT_SECONDS',
  },
};

interface Slow {
  readonly kind: Kind;
  /** When the timeout starts counting (ms, performance.now()). */
  start: number;
  closedAt: number | null;
  received: string;
  socket: Socket;
}

function openSlow(port: number, kind: Kind, token: string): Slow {
  const socket = connect(port, '127.0.0.1');
  const slow: Slow = { kind, start: performance.now(), closedAt: null, received: '', socket };
  socket.on('error', () => undefined);
  socket.on('close', () => {
    slow.closedAt = performance.now();
  });
  socket.on('data', (d) => {
    slow.received += d.toString('latin1');
    // The keep-alive timeout counts from the end of the answer.
    if (kind === 'idle keep-alive' && slow.received.includes('\r\n\r\n')) slow.start = performance.now();
  });
  socket.once('connect', () => {
    if (kind === 'header trickle') {
      socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\n');
      let i = 0;
      const timer = setInterval(() => {
        if (socket.destroyed) clearInterval(timer);
        else socket.write(`X-Trickle-${i++}: ${'a'.repeat(40)}\r\n`);
      }, 2000);
    } else if (kind === 'stalled body') {
      socket.write(
        'POST /api/auth/signin HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"email":"',
      );
      slow.start = performance.now();
    } else if (kind === 'stalled upload') {
      const boundary = '----benchslowclients';
      const head = `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="slow.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
      const length = head.length + 65_536 + `\r\n--${boundary}--\r\n`.length;
      socket.write(
        `POST /api/files HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${token}\r\n` +
          `Content-Type: multipart/form-data; boundary=${boundary}\r\nContent-Length: ${length}\r\n\r\n${head}`,
      );
      socket.write(Buffer.alloc(4096, 'a'));
      slow.start = performance.now();
    } else if (kind === 'idle keep-alive') {
      socket.write('GET /health HTTP/1.1\r\nHost: localhost\r\n\r\n');
    }
  });
  return slow;
}

/** The normal client: CLIENTS requests at a time for `seconds`, each latency in ms. */
async function normalClient(
  port: number,
  token: string,
  seconds: number,
): Promise<{ latencies: number[]; failures: number }> {
  const agent = new Agent({ keepAlive: true, maxSockets: CLIENTS });
  const latencies: number[] = [];
  let failures = 0;
  const until = performance.now() + seconds * 1000;
  const one = () =>
    new Promise<void>((resolve) => {
      const t0 = performance.now();
      const req = request(
        {
          host: '127.0.0.1',
          port,
          path: '/api/users/me',
          agent,
          headers: { authorization: `Bearer ${token}` },
        },
        (res) => {
          res.resume();
          res.on('end', () => {
            if (res.statusCode === 200) latencies.push(performance.now() - t0);
            else failures++;
            resolve();
          });
        },
      );
      req.on('error', () => {
        failures++;
        resolve();
      });
      req.end();
    });
  await Promise.all(
    Array.from({ length: CLIENTS }, async () => {
      while (performance.now() < until) await one();
    }),
  );
  agent.destroy();
  return { latencies, failures };
}

const quantile = (xs: number[], q: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(s.length * q))] ?? Number.NaN;
};

const port = await freePort();
const dataDir = tempDir('gh-bench-slow-');
const server = spawnServer('gatehouse', GATEHOUSE_ENTRY, port, {
  ...gatehouseEnv(port, dataDir),
  RATE_LIMIT_AUTH_PER_MINUTE: '100000',
});
/** Every latency of a list of runs of the normal client, and their failures. */
const pooled = (runs: { latencies: number[]; failures: number }[]) => ({
  latencies: runs.flatMap((r) => r.latencies),
  failures: runs.reduce((n, r) => n + r.failures, 0),
});

try {
  await waitFor200(server, '/health', performance.now());
  const { accessToken } = await createSignedInUser(`http://127.0.0.1:${port}`);
  await normalClient(port, accessToken, 2); // warm-up, discarded

  // The latency: phases without and with SLOW slow connections, alternated ROUNDS times so that the
  // machine's own ups and downs fall on both alike. Each batch is dropped by the client after its
  // phase, so the next phase without starts from none.
  const before: { latencies: number[]; failures: number }[] = [];
  const during: { latencies: number[]; failures: number }[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    log(
      `Round ${round}/${ROUNDS}: the normal client alone, then with ${SLOW} slow connections, ${DURATION_S} s each ...`,
    );
    before.push(await normalClient(port, accessToken, DURATION_S));
    const batch = Array.from({ length: SLOW }, (_, i) =>
      openSlow(port, KINDS[i % KINDS.length] as Kind, accessToken),
    );
    await sleep(300);
    during.push(await normalClient(port, accessToken, DURATION_S));
    for (const c of batch) c.socket.destroy();
    await sleep(300);
  }
  before.push(await normalClient(port, accessToken, DURATION_S));

  // The timeouts: one more batch, left for the server to close.
  const slow = Array.from({ length: SLOW }, (_, i) =>
    openSlow(port, KINDS[i % KINDS.length] as Kind, accessToken),
  );
  const openNow = () => slow.filter((c) => c.closedAt === null).length;
  const longest = Math.max(...KINDS.map((k) => RULE[k].timeout)) + GRACE_MS + 2000;
  log(`${SLOW} more slow connections, left to the server: waiting up to ${Math.round(longest / 1000)} s ...`);
  for (const t0 = performance.now(); openNow() > 0 && performance.now() - t0 < longest; ) await sleep(200);

  const row = (name: string, r: { latencies: number[]; failures: number }) =>
    `| ${name} | ${r.latencies.length} | ${r.failures} | ${quantile(r.latencies, 0.5).toFixed(2)} | ${quantile(r.latencies, 0.99).toFixed(2)} |`;
  const all = { before: pooled(before), during: pooled(during) };
  const ratio = quantile(all.during.latencies, 0.99) / quantile(all.before.latencies, 0.99);
  const perRound = during.map(
    (d, i) => quantile(d.latencies, 0.99) / quantile((before[i] as (typeof before)[number]).latencies, 0.99),
  );
  const kinds = KINDS.map((kind) => {
    const group = slow.filter((c) => c.kind === kind);
    const lives = group.map((c) => (c.closedAt === null ? Number.POSITIVE_INFINITY : c.closedAt - c.start));
    const worst = Math.max(...lives);
    const answered408 = group.filter((c) => /(^|\r\n\r\n)HTTP\/1\.1 408/.test(c.received)).length;
    return `| ${kind} | ${group.length} | \`${RULE[kind].setting}\` ${RULE[kind].timeout / 1000} s, from ${RULE[kind].from} | ${(Math.min(...lives) / 1000).toFixed(1)} | ${Number.isFinite(worst) ? (worst / 1000).toFixed(1) : 'never'} | ${answered408} | ${worst <= RULE[kind].timeout + GRACE_MS ? 'pass' : '**FAIL**'} |`;
  });
  const lines = [
    `Run of ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}: Node ${process.version}, ${cpus().length} cores; ${SLOW} slow connections, ${CLIENTS} concurrent normal requests (\`GET /api/users/me\`, Bearer), ${ROUNDS} rounds of ${DURATION_S} s without and with them.`,
    '',
    '| normal client | requests | failures | p50 ms | p99 ms |',
    '| --- | ---: | ---: | ---: | ---: |',
    row(`without slow connections (${before.length} phases)`, all.before),
    row(`with ${SLOW} slow connections open (${during.length} phases)`, all.during),
    '',
    `p99 with / without: **${ratio.toFixed(2)}x** (target: at most 2x) ${ratio <= 2 ? 'pass' : '**FAIL**'}; round by round (each with phase / the one before it): ${perRound.map((r) => `${r.toFixed(2)}x`).join(', ')}.`,
    '',
    `| slow connection | count | closed by | first closed after, s | last closed after, s | answered 408 | closed within its timeout + ${GRACE_MS / 1000} s |`,
    '| --- | ---: | --- | ---: | ---: | ---: | --- |',
    ...kinds,
  ];
  const table = lines.join('\n');
  log(table);
  for (const c of slow) c.socket.destroy();
  publish(table, 'slow-clients', log);
} finally {
  await stopServer(server);
  removeDir(dataDir);
}
