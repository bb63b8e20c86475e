/**
 * `npm run bench:aws`: what each request costs in AWS mode, in calls to AWS. It starts the AWS
 * stand-ins (DynamoDB Local, cognito-local, s3rver) with a counting proxy in front of each
 * (counting-proxy.ts), the built server (dist/server.js) in AWS mode on them, signs a user up
 * through the API, and sends each request of the table one at a time, so every call the proxies
 * see between a request and the next belongs to it. For each request: the calls in order, grouped
 * into steps (calls that overlap in time ran side by side; a step starts when a call starts after
 * every earlier one has ended), the client's latency against the stand-ins, DynamoDB's read and
 * write units (aws-units.ts) and their on-demand cost per million requests. Steady state: each
 * request is sent a few times unmeasured first (the JWKS fetch, connection set-up).
 *
 * Writes the table into bench/README.md between the aws-results markers (BENCH_NO_WRITE=1 to only
 * print it). BENCH_AWS_ROUNDS: measured requests per row (default 12).
 */
import { randomUUID } from 'node:crypto';
import { startCognitoLocal } from '../test/helpers/cognito-local.ts';
import { startDynamoLocal } from '../test/helpers/dynamodb-local.ts';
import { startS3rver } from '../test/helpers/s3rver.ts';
import { awsTable } from './aws-report.ts';
import { type AwsScenario, awsScenarios } from './aws-scenarios.ts';
import { type Call, startCountingProxy } from './counting-proxy.ts';
import { envNumber, publish } from './options.ts';
import {
  freePort,
  gatehouseEnv,
  removeDir,
  sleep,
  spawnServer,
  stopServer,
  tempDir,
  waitFor200,
} from './servers.ts';

const ROUNDS = envNumber('BENCH_AWS_ROUNDS', 12);
const WARMUP = 3;
/** Time left after each answer for calls the request set off to finish (none should). */
const SETTLE_MS = 40;

const log = (line: string) => process.stdout.write(`[bench:aws] ${line}\n`);

process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

log('starting DynamoDB Local, s3rver and cognito-local...');
const dynamo = await startDynamoLocal();
const s3 = await startS3rver('gatehouse-bench');
const cognito = await startCognitoLocal();
const calls: Call[] = [];
const record = (c: Call) => calls.push(c);
const proxies = {
  dynamodb: await startCountingProxy('dynamodb', dynamo.endpoint, record),
  cognito: await startCountingProxy('cognito', cognito.endpoint, record),
  s3: await startCountingProxy('s3', s3.endpoint, record),
};

const port = await freePort();
const dataDir = tempDir('gh-bench-aws-');
const server = spawnServer('Gatehouse (AWS mode)', 'dist/server.js', port, {
  ...gatehouseEnv(port, dataDir),
  IDENTITY_PROVIDER: 'cognito',
  AWS_REGION: cognito.region,
  COGNITO_USER_POOL_ID: cognito.poolId,
  COGNITO_CLIENT_ID: cognito.clientId,
  COGNITO_CLIENT_SECRET: cognito.clientSecret,
  COGNITO_ENDPOINT: proxies.cognito.endpoint,
  STORE: 'dynamodb',
  DYNAMODB_TABLE: `gatehouse-bench-${randomUUID().slice(0, 8)}`,
  DYNAMODB_ENDPOINT: proxies.dynamodb.endpoint,
  BLOBS: 's3',
  S3_BUCKET: s3.bucket,
  S3_ENDPOINT: proxies.s3.endpoint,
  RATE_LIMIT_AUTH_PER_MINUTE: '100000',
});

interface Measured {
  readonly scenario: AwsScenario;
  readonly rounds: { readonly calls: Call[]; readonly latencyMs: number }[];
}

async function measure(scenario: AwsScenario): Promise<Measured> {
  const rounds: Measured['rounds'] = [];
  for (let i = 0; i < WARMUP + ROUNDS; i++) {
    const prepared = await scenario.prepare?.();
    await sleep(SETTLE_MS);
    const from = calls.length;
    const started = performance.now();
    await scenario.send(prepared);
    const latencyMs = performance.now() - started;
    await sleep(SETTLE_MS);
    await Promise.all(Object.values(proxies).map((p) => p.settled()));
    if (i >= WARMUP) rounds.push({ calls: calls.slice(from).sort((a, b) => a.start - b.start), latencyMs });
    if (scenario.pauseMs) await sleep(scenario.pauseMs);
  }
  return { scenario, rounds };
}

try {
  await waitFor200(server, '/health', performance.now(), 60_000);
  log(`server up on ${server.origin}; signing a user up through the API`);
  const scenarios = await awsScenarios(server.origin, `http://localhost:${port}`, cognito);
  const results: Measured[] = [];
  for (const scenario of scenarios) {
    log(`measuring ${scenario.name}`);
    results.push(await measure(scenario));
  }
  const markdown = awsTable(results, {
    date: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    node: process.version,
    rounds: ROUNDS,
  });
  process.stdout.write(`\n${markdown}\n`);
  publish(markdown, 'aws-results', log);
} finally {
  await stopServer(server);
  removeDir(dataDir);
  for (const p of Object.values(proxies)) await p.close();
  await cognito.close();
  await s3.close();
  await dynamo.close();
}
