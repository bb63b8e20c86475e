/**
 * A quick look while tuning: server CPU per request for /health, Bearer and cookie on the built
 * server (dist/server.js), without the full run. `npx tsx bench/quick.ts` (BENCH_DURATION seconds each).
 */
import { createSignedInUser } from './gatehouse-user.ts';
import { measure } from './load.ts';
import { envNumber } from './options.ts';
import {
  freePort,
  GATEHOUSE_ENTRY,
  gatehouseEnv,
  removeDir,
  spawnServer,
  stopServer,
  tempDir,
  waitFor200,
} from './servers.ts';

const duration = envNumber('BENCH_DURATION', 3);
const port = await freePort();
const dir = tempDir('gh-quick-');
const server = spawnServer('Gatehouse', GATEHOUSE_ENTRY, port, gatehouseEnv(port, dir));
await waitFor200(server, '/health', performance.now());
const creds = await createSignedInUser(server.origin);
const settings = { connections: 50, duration, warmup: 1 };
for (const [name, path, headers] of [
  ['health', '/health', undefined],
  ['bearer', '/api/users/me', { authorization: `Bearer ${creds.accessToken}` }],
  ['cookie', '/api/users/me', { cookie: creds.cookie }],
] as const) {
  const r = await measure({ name, url: `${server.origin}${path}`, headers, pid: server.child.pid }, settings);
  console.log(
    `${name.padEnd(7)} ${Math.round(r.reqPerSec)} req/s  ${r.serverCpuUsPerReq.toFixed(1)} µs/req  non-2xx ${r.non2xx}`,
  );
}
await stopServer(server);
removeDir(dir);
