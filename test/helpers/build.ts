/**
 * build(t): a Gatehouse app on a fresh temporary DATA_DIR with the embedded adapters (or, in the
 * AWS pass, the AWS ones on local peers), closed when the test ends. Overrides are environment-style settings, parsed by the real config schema.
 * Defaults keep tests fast (cheap scrypt, no rate limits) unless a test asks for the real thing.
 */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, type TestContext } from 'node:test';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { buildApp, type GatehouseApp } from '../../src/app.ts';
import { compose } from '../../src/composition.ts';
import { loadConfig } from '../../src/config/config.ts';
import { createLogger } from '../../src/http/plugins/request-log.ts';
import type { StoredMail } from '../../src/ports/dev-outbox.ts';
import type { Deps } from '../../src/services/deps.ts';
import { waitFor } from './kit.ts';
import { refuseScans } from './refuse-scans.ts';

export interface Built {
  readonly app: GatehouseApp;
  readonly deps: Deps;
  readonly dataDir: string;
  /** Every log line written so far, as written (JSON lines unless LOG_FORMAT=pretty). */
  logs(): string;
  /** Messages in the dev outbox addressed to `to`, newest first. */
  mailTo(to: string): StoredMail[];
  /** The 6-digit code of the newest message to `to` that carries one. */
  codeFor(to: string): string;
  /**
   * Runs `action` and waits (up to 5 s) for one more message to `to` (in Cognito mode, one more code
   * the pool delivered): some mail is sent after the response, so that answers do not reveal
   * whether an account exists.
   */
  expectMail<T>(to: string, action: () => Promise<T>): Promise<T>;
}

/** The kit's (kit.ts), here too because most route tests import their helpers from build.ts. */
export { waitFor };

/**
 * A clock frozen in the middle of the current minute, for tests that count requests up to a rate
 * limit: the sensitive routes' windows are the clock's minutes (ports/limits.ts), and a run that
 * straddled two would count in both.
 */
export const midMinute = (): (() => number) => {
  const frozen = Math.floor(Date.now() / 60_000) * 60_000 + 30_000;
  return () => frozen;
};

export const TEST_DEFAULTS: Record<string, string> = {
  PASSWORD_HASH_COST: '10',
  RATE_LIMIT_AUTH_PER_MINUTE: '100000',
  RATE_LIMIT_PER_MINUTE: '1000000',
  // Many tests ask for codes over and over; the budget's own tests set it low.
  MAIL_BUDGET_PER_HOUR: '1000',
  LOG_LEVEL: 'info',
};

/**
 * With GATEHOUSE_TEST_IDENTITY=cognito (part of the AWS pass, see scripts/run-tests.mjs) every app
 * signs users in through the Cognito adapter on cognito-local, started once in this process, and
 * `codeFor` reads the codes cognito-local "mails".
 */
let cognitoLocal: import('./cognito-local.ts').CognitoLocal | null = null;
if (process.env.GATEHOUSE_TEST_IDENTITY === 'cognito') after(() => cognitoLocal?.close());
async function cognitoIdentity(): Promise<Record<string, string>> {
  if (process.env.GATEHOUSE_TEST_IDENTITY !== 'cognito') return {};
  const { poolSettings, startCognitoLocal } = await import('./cognito-local.ts');
  cognitoLocal = await startCognitoLocal();
  return poolSettings(cognitoLocal);
}

/**
 * In the second test pass (GATEHOUSE_TEST_ADAPTERS=aws, see scripts/run-tests.mjs) every app gets
 * the AWS store and blobs adapters on the running peers: a table and a bucket of its own.
 */
async function awsAdapters(): Promise<Record<string, string>> {
  if (process.env.GATEHOUSE_TEST_ADAPTERS !== 'aws') return {};
  const dynamo = process.env.GATEHOUSE_TEST_DYNAMODB_ENDPOINT;
  const s3 = process.env.GATEHOUSE_TEST_S3_ENDPOINT;
  if (!dynamo || !s3)
    throw new Error(
      'GATEHOUSE_TEST_ADAPTERS=aws needs the peers: run it through test/helpers/with-aws-peers.ts',
    );
  const suffix = randomUUID().slice(0, 12);
  const bucket = `routes-${suffix}`;
  const made = await fetch(`${s3}/${bucket}`, { method: 'PUT' });
  if (made.status !== 200) throw new Error(`s3rver did not create bucket ${bucket}: ${made.status}`);
  return {
    AWS_REGION: 'us-east-1',
    STORE: 'dynamodb',
    DYNAMODB_TABLE: `gatehouse-${suffix}`,
    DYNAMODB_ENDPOINT: dynamo,
    BLOBS: 's3',
    S3_BUCKET: bucket,
    S3_ENDPOINT: s3,
  };
}

export async function build(
  t: TestContext,
  overrides: Record<string, string> = {},
  clock?: () => number,
): Promise<Built> {
  const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-test-'));
  const cognito = await cognitoIdentity();
  const config = loadConfig({
    ...TEST_DEFAULTS,
    ...(await awsAdapters()),
    ...cognito,
    DATA_DIR: dataDir,
    ...overrides,
  });
  let logText = '';
  const sink = new Writable({
    write(chunk, _enc, cb) {
      logText += chunk.toString();
      cb();
    },
  });
  // JSON lines unless a test asks for LOG_FORMAT=pretty (the sink is no terminal).
  const logger = createLogger(config.logLevel, config.logFormat, sink);
  const composition = await compose(config, logger, { ...cognito, ...overrides }, clock);
  // A test that points the app at its own cognito-local: the codes are that instance's mail.
  const pool =
    cognitoLocal ??
    (overrides.COGNITO_ENDPOINT ? await (await import('./cognito-local.ts')).runningCognitoLocal() : null);
  // On DynamoDB no request path may send a Scan: every route test on it checks that for itself.
  const dynamo = (composition.deps.store as { client?: DynamoDBClient }).client;
  const commands = dynamo ? refuseScans(dynamo) : [];
  const app = await buildApp({ deps: composition.deps, logger });
  await app.ready();
  t.after(async () => {
    await app.close();
    await composition.close();
    rmSync(dataDir, { recursive: true, force: true });
    assert.deepEqual(
      commands.filter((c) => c.startsWith('Scan')),
      [],
      'no request path may scan',
    );
  });
  const outbox = composition.deps.devOutbox;
  const mailTo = (to: string) => {
    if (!outbox) throw new Error('this app sends real mail (MAIL is not outbox): read it where it went');
    return outbox.list(1000).filter((m) => m.to === to);
  };
  return {
    app,
    deps: composition.deps,
    dataDir,
    logs: () => logText,
    mailTo,
    async expectMail(to, action) {
      // In Cognito mode the pool mails the codes itself: count its deliveries instead.
      const count = pool ? () => pool.mailCount(to) : () => mailTo(to).length;
      const before = count();
      const result = await action();
      await waitFor(() => count() > before, `mail to ${to}`);
      return result;
    },
    codeFor(to) {
      if (pool) return pool.codeFor(to);
      // The newest message with a code: notices (which carry none) may have arrived since.
      const message = mailTo(to).find(
        (m) => m.kind === 'confirmation-code' || m.kind === 'reset-code' || m.kind === 'email-change-code',
      );
      const code = message && /\b(\d{6})\b/.exec(message.text)?.[1];
      if (!code) throw new Error(`no code mailed to ${to}`);
      return code;
    },
  };
}
