/**
 * `npm run start:aws-local`: Gatehouse in AWS mode on one machine, with no AWS account. It starts
 * the local stand-ins (cognito-local in this process, DynamoDB Local with Java 17, s3rver, and the
 * repository's Secrets Manager and identity-pool fakes), then the built server with
 * IDENTITY_PROVIDER=cognito, STORE=dynamodb, BLOBS=s3, SECRETS=aws pointing at them. Confirmation
 * and reset codes, which Cognito would e-mail, are printed here. Everything is temporary: stopping
 * (Ctrl-C) removes it. PORT (default 3000) is the app's port.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startFakeCognitoIdentity } from '../test/fakes/cognito-identity.ts';
import { startFakeSecretsManager } from '../test/fakes/secrets-manager.ts';
import { startCognitoLocal } from '../test/helpers/cognito-local.ts';
import { startDynamoLocal } from '../test/helpers/dynamodb-local.ts';
import { startS3rver } from '../test/helpers/s3rver.ts';

const root = resolve(import.meta.dirname, '..');
const port = process.env.PORT ?? '3000';
const say = (line: string) => process.stdout.write(`[aws-local] ${line}\n`);

// One set of credentials for every stand-in: s3rver knows only this key; the others take any.
process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

const dataDir = mkdtempSync(join(tmpdir(), 'gatehouse-aws-local-'));
say('starting cognito-local, DynamoDB Local (Java 17), s3rver, Secrets Manager and identity-pool fakes...');
// cognito-local logs each delivery more than once: print each code once.
const printed = new Set<string>();
const cognito = await startCognitoLocal({
  onCode: (to, code) => {
    if (printed.has(`${to} ${code}`)) return;
    printed.add(`${to} ${code}`);
    say(`Cognito would e-mail ${to} the code ${code}`);
  },
});
const dynamo = await startDynamoLocal();
const s3 = await startS3rver('gatehouse-local');
const region = cognito.region;
const secrets = await startFakeSecretsManager({
  region,
  secrets: [
    {
      name: 'gatehouse/local',
      secretString: JSON.stringify({ COGNITO_CLIENT_SECRET: cognito.clientSecret }),
    },
  ],
});
const identityPoolId = `${region}:00000000-0000-4000-8000-000000000001`;
const identityPool = await startFakeCognitoIdentity({
  region,
  identityPoolId,
  developerProvider: 'login.gatehouse',
});

const env = {
  ...process.env,
  PORT: port,
  APP_ORIGIN: process.env.APP_ORIGIN ?? `http://localhost:${port}`,
  DATA_DIR: dataDir,
  IDENTITY_PROVIDER: 'cognito',
  STORE: 'dynamodb',
  BLOBS: 's3',
  SECRETS: 'aws',
  AWS_REGION: region,
  COGNITO_USER_POOL_ID: cognito.poolId,
  COGNITO_CLIENT_ID: cognito.clientId,
  COGNITO_ENDPOINT: cognito.endpoint,
  COGNITO_IDENTITY_POOL_ID: identityPoolId,
  COGNITO_IDENTITY_ENDPOINT: identityPool.endpoint,
  DYNAMODB_TABLE: 'gatehouse-local',
  DYNAMODB_ENDPOINT: dynamo.endpoint,
  S3_BUCKET: s3.bucket,
  S3_ENDPOINT: s3.endpoint,
  SECRETS_ID: 'gatehouse/local',
  SECRETS_ENDPOINT: secrets.endpoint,
};
say(`Cognito   ${cognito.endpoint} (pool ${cognito.poolId})`);
say(`DynamoDB  ${dynamo.endpoint} (table gatehouse-local)`);
say(`S3        ${s3.endpoint} (bucket ${s3.bucket})`);
say(`Secrets   ${secrets.endpoint} (secret gatehouse/local)`);
const server = spawn(process.execPath, [join(root, 'dist/server.js')], { cwd: root, env, stdio: 'inherit' });

let stopping: Promise<void> | null = null;
/** Stops the server, then every stand-in; a second call waits for the first. */
async function stop(code: number): Promise<never> {
  stopping ??= (async () => {
    if (server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((r) => server.once('exit', r));
      server.kill('SIGTERM');
      await exited;
    }
    await Promise.allSettled([
      identityPool.close(),
      secrets.close(),
      s3.close(),
      dynamo.close(),
      cognito.close(),
    ]);
    rmSync(dataDir, { recursive: true, force: true });
  })();
  await stopping;
  process.exit(code);
}
server.once('exit', (code) => void stop(code ?? 1));
process.once('SIGINT', () => void stop(0));
process.once('SIGTERM', () => void stop(0));
say(`Gatehouse in AWS mode: http://localhost:${port} (Ctrl-C stops everything)`);
