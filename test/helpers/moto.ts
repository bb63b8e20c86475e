/**
 * moto, the AWS emulator (a Python program installed on these machines: `moto_server`), for tests
 * that need an AWS service cognito-local, DynamoDB Local and s3rver do not cover (SES, ...).
 *
 *   const moto = await startMoto();   // a fresh moto_server on a free loopback port
 *   moto.endpoint                     // http://127.0.0.1:<port>, for any AWS SDK client
 *   await moto.state()                // GET /moto-api/data.json: what moto holds, per service
 *   await moto.stop()
 *
 * Every service shares the one server; credentials can be anything. A missing moto fails loudly,
 * saying what to install, rather than skipping.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { freePort } from './cognito-local.ts';

export interface Moto {
  readonly endpoint: string;
  /** moto's models and their instances, e.g. state().ses.RawMessage: the raw messages sent. */
  state(): Promise<Record<string, Record<string, Record<string, unknown>[]>>>;
  stop(): Promise<void>;
}

const MISSING =
  'moto_server was not found: install moto with its server (pip install "moto[server]", Python 3.9 or later) so that moto_server is on the PATH';

export async function startMoto(timeoutMs = 30_000): Promise<Moto> {
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  let output = '';
  const child: ChildProcess = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.on('data', (d) => (output = (output + d).slice(-4000)));
  child.stderr?.on('data', (d) => (output = (output + d).slice(-4000)));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failed = new Promise<never>((_, reject) => {
    child.once('error', (err: NodeJS.ErrnoException) =>
      reject(err.code === 'ENOENT' ? new Error(MISSING) : err),
    );
    void exited.then(() => reject(new Error(`moto_server exited before it was ready:\n${output}`)));
  });
  failed.catch(() => undefined);

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
    await exited;
    clearTimeout(killer);
  };

  const until = Date.now() + timeoutMs;
  for (;;) {
    const ready = await Promise.race([
      fetch(`${endpoint}/moto-api/reset`, { method: 'POST' }).then(
        (r) => r.ok,
        () => false,
      ),
      failed,
    ]);
    if (ready) break;
    if (Date.now() > until) {
      await stop();
      throw new Error(`moto_server did not answer within ${timeoutMs} ms:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  return {
    endpoint,
    async state() {
      const res = await fetch(`${endpoint}/moto-api/data.json`);
      if (!res.ok) throw new Error(`moto's /moto-api/data.json answered ${res.status}`);
      return (await res.json()) as Record<string, Record<string, Record<string, unknown>[]>>;
    },
    stop,
  };
}
