/**
 * s3rver (a local S3 API on the filesystem) in a child process on a free port, with one bucket, for
 * the S3 blobs adapter's tests and `npm run start:aws-local`. It runs with Node's legacy OpenSSL
 * provider because it encrypts its continuation tokens with DES. Known limits (LOCAL-PEERS.md): it
 * does not check signatures, answers AbortMultipartUpload with MethodNotAllowed, and lists a key
 * after the keys below it. A failure to start throws with its output; nothing is skipped.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface LocalS3 {
  readonly endpoint: string;
  readonly bucket: string;
  readonly region: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  readonly directory: string;
  close(): Promise<void>;
}

const MAIN = join(dirname(fileURLToPath(import.meta.url)), 's3rver-main.cjs');

export async function startS3rver(bucket = 'gatehouse-test', dir?: string): Promise<LocalS3> {
  const directory = dir ?? mkdtempSync(join(tmpdir(), 'gh-s3rver-'));
  const child = spawn(process.execPath, ['--openssl-legacy-provider', MAIN, directory, bucket], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`s3rver did not start in 15 s:\n${output}`)), 15_000);
    child.stdout?.on('data', (d: Buffer) => {
      output += d.toString();
      const ready = /ready (\d+)/.exec(output);
      if (ready) {
        clearTimeout(timer);
        resolve(Number(ready[1]));
      }
    });
    child.stderr?.on('data', (d: Buffer) => (output += d.toString()));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`s3rver exited (${code}) before it was ready:\n${output}`));
    });
  });
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    region: 'us-east-1',
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    directory,
    async close() {
      if (child.exitCode === null) {
        const exited = new Promise((resolve) => child.once('exit', resolve));
        child.kill('SIGTERM');
        await exited;
      }
      if (!dir) rmSync(directory, { recursive: true, force: true });
    },
  };
}
