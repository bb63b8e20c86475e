/**
 * `npm run bench:transfer`: a 100 MB upload and download through Gatehouse (`POST /api/files`,
 * multipart, hashed, sniffed, quota-checked; `GET /api/files/:id`) against the bare server piping
 * the same bytes to and from one file, in one run. Reports MB/s, the ratio to bare, and the peak
 * RSS of each server process during the transfer (VmRSS sampled every 20 ms, and VmHWM).
 * Settings: BENCH_TRANSFER_MB (default 100), BENCH_TRANSFER_RUNS (3, the median is reported),
 * BENCH_NO_WRITE=1 to leave the README alone.
 */
import { request } from 'node:http';
import { cpus } from 'node:os';
import { createSignedInUser } from './gatehouse-user.ts';
import { envNumber, publish } from './options.ts';
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
  spawnServer,
  stopServer,
  tempDir,
  waitFor200,
} from './servers.ts';

const MB = 1024 * 1024;
const SIZE_MB = envNumber('BENCH_TRANSFER_MB', 100);
const RUNS = envNumber('BENCH_TRANSFER_RUNS', 3);
const log = (line: string) => process.stdout.write(`${line}\n`);

interface Transfer {
  readonly seconds: number;
  readonly peakRssMb: number;
  readonly status: number;
  readonly body: string;
}

/** Runs one HTTP exchange while sampling the server's RSS; the body is sent as `chunks` x 1 MiB. */
function exchange(
  server: Server,
  opts: {
    method: string;
    path: string;
    headers: Record<string, string | number>;
    head?: Buffer;
    tail?: Buffer;
  },
): Promise<Transfer> {
  const chunk = Buffer.alloc(MB, 0x5a);
  let peak = rssMb(server.child.pid);
  const sampler = setInterval(() => {
    peak = Math.max(peak, rssMb(server.child.pid));
  }, 20);
  const t0 = performance.now();
  return new Promise<Transfer>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server.port, ...opts }, (res) => {
      const keep: Buffer[] = [];
      let kept = 0;
      res.on('data', (d: Buffer) => {
        if (kept < 4096) keep.push(d.subarray(0, 4096 - kept));
        kept += d.length;
      });
      res.on('end', () => {
        clearInterval(sampler);
        peak = Math.max(peak, rssMb(server.child.pid));
        const body = Buffer.concat(keep).toString();
        resolve({
          seconds: (performance.now() - t0) / 1000,
          peakRssMb: peak,
          status: res.statusCode ?? 0,
          body: kept > 4096 ? String(kept) : body,
        });
      });
    });
    req.on('error', (err) => {
      clearInterval(sampler);
      reject(err);
    });
    if (opts.method === 'GET') {
      req.end();
      return;
    }
    if (opts.head) req.write(opts.head);
    let sent = 0;
    const pump = () => {
      while (sent < SIZE_MB) {
        sent++;
        if (!req.write(chunk)) {
          req.once('drain', pump);
          return;
        }
      }
      req.end(opts.tail);
    };
    pump();
  });
}

/** RUNS uploads then downloads on a started server; the callbacks say how, per server. */
async function runs(
  server: Server,
  upload: () => Promise<{ transfer: Transfer; downloadPath: string }>,
  downloadHeaders: Record<string, string>,
) {
  const up: Transfer[] = [];
  const down: Transfer[] = [];
  const idleRss = rssMb(server.child.pid);
  for (let i = 0; i < RUNS; i++) {
    const { transfer, downloadPath } = await upload();
    up.push(transfer);
    const d = await exchange(server, { method: 'GET', path: downloadPath, headers: downloadHeaders });
    if (d.status !== 200 || d.body !== String(SIZE_MB * MB)) {
      throw new Error(`${server.name} download answered ${d.status}, ${d.body} bytes`);
    }
    down.push(d);
  }
  return { up, down, idleRss, hwm: rssMb(server.child.pid, 'VmHWM') };
}

async function gatehouseRuns() {
  const dir = tempDir('gh-transfer-');
  const port = await freePort();
  const env = {
    ...gatehouseEnv(port, dir),
    FILE_MAX_BYTES: String((SIZE_MB + 1) * MB),
    FILE_QUOTA_BYTES: String(100 * SIZE_MB * MB),
  };
  const server = spawnServer('gatehouse', GATEHOUSE_ENTRY, port, env);
  try {
    await waitFor200(server, '/health', performance.now());
    const user = await createSignedInUser(server.origin);
    const auth = { authorization: `Bearer ${user.accessToken}` };
    const boundary = 'benchboundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="bench.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`,
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    return await runs(
      server,
      async () => {
        const transfer = await exchange(server, {
          method: 'POST',
          path: '/api/files',
          headers: {
            ...auth,
            'content-type': `multipart/form-data; boundary=${boundary}`,
            'content-length': head.length + SIZE_MB * MB + tail.length,
          },
          head,
          tail,
        });
        if (transfer.status !== 201) throw new Error(`upload answered ${transfer.status}: ${transfer.body}`);
        const id = (JSON.parse(transfer.body) as { file: { id: string } }).file.id;
        return { transfer, downloadPath: `/api/files/${id}` };
      },
      auth,
    );
  } finally {
    await stopServer(server);
    removeDir(dir);
  }
}

async function bareRuns() {
  const dir = tempDir('bare-transfer-');
  const port = await freePort();
  const server = spawnServer('bare', BARE_ENTRY, port, { ...bareEnv(port), BARE_UPLOAD_DIR: dir });
  try {
    await waitFor200(server, '/', performance.now());
    return await runs(
      server,
      async () => {
        const transfer = await exchange(server, {
          method: 'POST',
          path: '/upload',
          headers: { 'content-type': 'application/octet-stream', 'content-length': SIZE_MB * MB },
        });
        if (transfer.status !== 200) throw new Error(`bare upload answered ${transfer.status}`);
        return { transfer, downloadPath: '/download' };
      },
      {},
    );
  } finally {
    await stopServer(server);
    removeDir(dir);
  }
}

const mbps = (xs: Transfer[]) => SIZE_MB / median(xs.map((x) => x.seconds));
const peak = (xs: Transfer[]) => Math.max(...xs.map((x) => x.peakRssMb));

log(`Transfer benchmark: ${SIZE_MB} MB, ${RUNS} runs each (median reported)`);
const gh = await gatehouseRuns();
const bare = await bareRuns();
const rows = [
  ['upload', gh.up, bare.up, gh.idleRss, bare.idleRss],
  ['download', gh.down, bare.down, gh.idleRss, bare.idleRss],
] as const;
const lines = [
  `Run of ${new Date().toISOString().replace(/\.\d+Z$/, 'Z')}: Node ${process.version}, ${cpus().length} cores; ${SIZE_MB} MB per transfer over loopback, median of ${RUNS}.`,
  '',
  '| transfer | Gatehouse MB/s | bare MB/s | ratio | Gatehouse RSS before -> peak, MB | bare RSS before -> peak, MB | target | pass/fail |',
  '| --- | ---: | ---: | ---: | ---: | ---: | --- | --- |',
  ...rows.map(([name, g, b, gi, bi]) => {
    const grew = peak(g) - gi;
    return `| ${SIZE_MB} MB ${name} | ${mbps(g).toFixed(0)} | ${mbps(b).toFixed(0)} | ${(mbps(g) / mbps(b)).toFixed(2)} | ${gi.toFixed(0)} -> ${peak(g).toFixed(0)} (+${grew.toFixed(0)}) | ${bi.toFixed(0)} -> ${peak(b).toFixed(0)} | RSS +< 64 MB | ${grew < 64 ? 'pass' : '**FAIL**'} |`;
  }),
  '',
  `Peak VmHWM over the whole run: Gatehouse ${gh.hwm.toFixed(0)} MB, bare ${bare.hwm.toFixed(0)} MB.`,
];
const table = lines.join('\n');
log(table);
publish(table, 'transfer', log);
