/**
 * cognito-local, AWS's Cognito user-pool API stand-in, started in-process for one test file.
 *
 * cognito-local keeps its state in ./.cognito, resolved against the working directory on every
 * access, and reads PORT and HOST once when first loaded: so the process changes into a temporary
 * folder for good, then loads it. One instance per process; a second call returns the first.
 *
 * The pool uses the email as its sign-in name, and its tokens carry the real pool's issuer
 * (https://cognito-idp.<region>.amazonaws.com/<pool>), so the adapter's default issuer is what is
 * tested; the keys come from `jwksUri`. Codes are random and read from cognito-local's
 * "Confirmation Code Delivery" log lines.
 *
 * `endpoint` is a proxy in front of cognito-local (test/helpers/cognito-local-proxy.ts) that records
 * every call (`calls`) and makes the pool behave as Cognito documents where cognito-local does not:
 * the operations it lacks (global sign-out, provider links) answered as Cognito would, refresh
 * tokens revoked by a global sign-out, refreshed tokens keeping the sign-in's auth_time, a TOTP
 * code accepted once, and password-less (Hosted UI) users. What happens inside Cognito beyond that
 * (whom a Hosted UI sign-in lands in) tests play through the Hosted UI stand-in, and the exact
 * requests and errors are covered in test/unit/identity.cognito-*.test.ts.
 */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  CognitoIdentityProviderClient,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import pino from 'pino';
import { createPoolProxy, type StubbedOperation } from './cognito-local-proxy.ts';
import { reservePort } from './kit.ts';

export type { StubbedOperation } from './cognito-local-proxy.ts';

export const COGNITO_LOCAL_POOL = 'us-east-1_TestPool1';
export const COGNITO_LOCAL_REGION = 'us-east-1';

export interface CognitoLocal {
  readonly endpoint: string;
  readonly poolId: string;
  readonly region: string;
  readonly clientId: string;
  readonly clientSecret: string;
  readonly jwksUri: string;
  /** The newest code delivered to `email`; throws when none was. */
  codeFor(email: string): string;
  /** How many codes were delivered to `email`. */
  mailCount(email: string): number;
  /** Usernames of every AdminUserGlobalSignOut call, oldest first. */
  readonly globalSignOuts: readonly string[];
  /** Every call that reached the pool, oldest first: the operation and the request body. */
  readonly calls: readonly { operation: string; body: Record<string, unknown> }[];
  /** The next call of `operation` (one the proxy answers itself) fails with this Cognito error. */
  failNext(operation: StubbedOperation, type: string, message: string): void;
  /** From now on the user with this sub is shown as a Hosted UI sign-in makes it (no password). */
  external(sub: string): void;
  close(): Promise<void>;
}

let running: Promise<CognitoLocal> | null = null;

/** `onCode` sees every code cognito-local "mails" (start:aws-local prints them). */
export function startCognitoLocal(
  opts: { onCode?: (to: string, code: string) => void } = {},
): Promise<CognitoLocal> {
  running ??= start(opts.onCode);
  return running;
}

/** The app's settings for the user pool on `local` (IDENTITY_PROVIDER=cognito). */
export const poolSettings = (local: CognitoLocal): Record<string, string> => ({
  IDENTITY_PROVIDER: 'cognito',
  AWS_REGION: local.region,
  COGNITO_USER_POOL_ID: local.poolId,
  COGNITO_CLIENT_ID: local.clientId,
  COGNITO_ENDPOINT: local.endpoint,
  COGNITO_CLIENT_SECRET: local.clientSecret,
});

/** The instance this process started, if any (an app built on it reads its codes from it). */
export const runningCognitoLocal = (): Promise<CognitoLocal> | null => running;

async function start(onCode?: (to: string, code: string) => void): Promise<CognitoLocal> {
  const dir = mkdtempSync(join(tmpdir(), 'gh-cognito-local-'));
  process.chdir(dir);
  mkdirSync('.cognito/db', { recursive: true });
  writeFileSync(
    `.cognito/db/${COGNITO_LOCAL_POOL}.json`,
    JSON.stringify({
      Users: {},
      Options: {
        Id: COGNITO_LOCAL_POOL,
        UsernameAttributes: ['email'],
        AutoVerifiedAttributes: ['email'],
        // As the Terraform pool: a changed address waits for its code (cognito-local honours this).
        UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
      },
    }),
  );
  writeFileSync(
    '.cognito/config.json',
    JSON.stringify({
      TokenConfig: { IssuerDomain: `https://cognito-idp.${COGNITO_LOCAL_REGION}.amazonaws.com` },
    }),
  );
  // Held until cognito-local binds it (below), so no other test process is given it meanwhile.
  const reserved = await reservePort();
  const { port } = reserved;
  process.env.PORT = String(port);
  process.env.HOST = '127.0.0.1';
  // Admin calls are signed; cognito-local accepts any credentials.
  process.env.AWS_ACCESS_KEY_ID ??= 'local';
  process.env.AWS_SECRET_ACCESS_KEY ??= 'local';

  const deliveries: { to: string; code: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.includes('Confirmation Code Delivery')) continue;
        const msg = String((JSON.parse(line) as { msg?: unknown }).msg ?? '');
        const to = /Destination:\s+(\S+)/.exec(msg)?.[1];
        const code = /Code:\s+(\d{6})/.exec(msg)?.[1];
        if (to && code) {
          deliveries.push({ to, code });
          onCode?.(to, code);
        }
      }
      done();
    },
  });

  const require = createRequire(import.meta.url);
  const { createDefaultServer } = require('cognito-local') as {
    createDefaultServer(logger: unknown): Promise<{ start(): Promise<Server> }>;
  };
  const starting = await createDefaultServer(pino({ level: 'info' }, sink));
  await reserved.release();
  const server = await starting.start();
  const pool = createPoolProxy(`http://127.0.0.1:${port}`);
  const proxy = pool.server;
  await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
  const proxyPort = (proxy.address() as { port: number }).port;
  const endpoint = `http://127.0.0.1:${proxyPort}`;

  const admin = new CognitoIdentityProviderClient({ region: COGNITO_LOCAL_REGION, endpoint });
  const appClient = await admin.send(
    new CreateUserPoolClientCommand({
      UserPoolId: COGNITO_LOCAL_POOL,
      ClientName: 'gatehouse',
      GenerateSecret: true,
    }),
  );
  for (const GroupName of ['admin', 'user'])
    await admin.send(new CreateGroupCommand({ UserPoolId: COGNITO_LOCAL_POOL, GroupName }));
  admin.destroy();
  const clientId = appClient.UserPoolClient?.ClientId ?? '';
  const clientSecret = appClient.UserPoolClient?.ClientSecret ?? '';
  assert.ok(clientId && clientSecret, 'cognito-local created the app client with a secret');

  return {
    endpoint,
    poolId: COGNITO_LOCAL_POOL,
    region: COGNITO_LOCAL_REGION,
    clientId,
    clientSecret,
    jwksUri: `${endpoint}/${COGNITO_LOCAL_POOL}/.well-known/jwks.json`,
    codeFor(email) {
      const last = deliveries.filter((d) => d.to === email).at(-1);
      if (!last) throw new Error(`no code delivered to ${email}`);
      return last.code;
    },
    mailCount: (email) => deliveries.filter((d) => d.to === email).length,
    globalSignOuts: pool.globalSignOuts,
    calls: pool.calls,
    failNext: pool.failNext,
    external: pool.external,
    async close() {
      proxy.closeAllConnections();
      await new Promise((resolve) => proxy.close(resolve));
      await new Promise((resolve) => server.close(resolve));
      process.chdir(tmpdir());
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
