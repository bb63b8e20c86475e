/**
 * moto (an AWS emulator, Python) as a peer for tests: `moto_server` started on a free loopback
 * port, one process and one in-memory AWS account per call, stopped by `stop()`. moto is not an
 * npm package: it comes from the machine's Python (`python3 -m pip install 'moto[server]'`; the
 * machines of this project have it in the pyenv Python, and .ci/run checks it). When it is
 * missing, `startMoto` throws, naming what to install: a test that needs moto fails, never skips.
 *
 *   const moto = await startMoto();   // or startMoto({ env: { MOTO_RECORDER_FILEPATH: file } })
 *   moto.endpoint                     // http://127.0.0.1:<port>, for any AWS SDK client
 *   await moto.state()                // what moto holds, per service (the mail tests read SES's)
 *   await moto.enforceIam(true)       // check every later request against IAM
 *   await moto.stop()
 *
 * What moto does differently from AWS is listed in /work/shared/LOCAL-PEERS.md (and, for what the
 * infra tests meet, in test/infra/moto-apply.test.ts).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { freePort, waitFor } from './kit.ts';

export interface Moto {
  /** http://127.0.0.1:<port>, the endpoint of every service. */
  readonly endpoint: string;
  readonly port: number;
  /** Turns IAM enforcement on (true: every later request is checked) or off. */
  enforceIam(on: boolean): Promise<void>;
  /** GET /moto-api/data.json: moto's models and their instances, e.g. state().ses.RawMessage (what was sent). */
  state(): Promise<Record<string, Record<string, Record<string, unknown>[]>>>;
  stop(): Promise<void>;
}

/** The moto_server command: MOTO_SERVER_BIN, else moto_server on PATH; throws if it does not run. */
export function motoCommand(): string {
  const command = process.env.MOTO_SERVER_BIN || 'moto_server';
  const probe = spawnSync(command, ['--help'], { encoding: 'utf8', timeout: 30_000 });
  if (probe.error || probe.status !== 0) {
    const why = probe.error?.message ?? (probe.stderr || probe.stdout).trim().split('\n').at(-1);
    throw new Error(
      `moto is missing (${command}: ${why}). Install it into the Python on PATH: python3 -m pip install 'moto[server]>=5.1' (or set MOTO_SERVER_BIN to a moto_server).`,
    );
  }
  return command;
}

export interface StartMotoOptions {
  /** Extra environment for the moto process (MOTO_RECORDER_FILEPATH, for instance). */
  readonly env?: Record<string, string>;
  /** How long to wait for it to answer; 30 s by default (a cold Python start on a busy machine). */
  readonly timeoutMs?: number;
}

export async function startMoto(opts: StartMotoOptions = {}): Promise<Moto> {
  const command = motoCommand();
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(command, ['-H', '127.0.0.1', '-p', String(port)], {
    env: { ...process.env, ...opts.env },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d) => {
    stderr = (stderr + d).slice(-4000);
  });
  const started = await waitFor(
    async () => {
      if (child.exitCode !== null) return 'exited';
      const up = await fetch(`${endpoint}/moto-api/reset-auth`, { method: 'POST', body: '1000000000' }).then(
        (r) => r.ok,
        () => false,
      );
      return up && 'up';
    },
    { what: `moto_server to answer on ${endpoint}`, timeoutMs: opts.timeoutMs ?? 30_000, intervalMs: 200 },
  ).catch((err: Error) => {
    child.kill('SIGKILL');
    throw new Error(`${err.message}\n${stderr}`);
  });
  if (started === 'exited') throw new Error(`moto_server exited (${child.exitCode}):\n${stderr}`);
  return {
    endpoint,
    port,
    // moto checks credentials and policies once its count of unchecked requests is used up:
    // 0 checks from now on, a huge count stops checking.
    async enforceIam(on) {
      const r = await fetch(`${endpoint}/moto-api/reset-auth`, {
        method: 'POST',
        body: on ? '0' : '1000000000',
      });
      if (!r.ok) throw new Error(`moto reset-auth answered ${r.status}`);
    },
    async state() {
      const r = await fetch(`${endpoint}/moto-api/data.json`);
      if (!r.ok) throw new Error(`moto's /moto-api/data.json answered ${r.status}`);
      return (await r.json()) as Record<string, Record<string, Record<string, unknown>[]>>;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        const force = setTimeout(() => child.kill('SIGKILL'), 5000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}
