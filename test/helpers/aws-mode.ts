/**
 * Every AWS peer a test file needs to run the app in AWS mode, started once per file: cognito-local
 * (in-process), DynamoDB Local (Java 17), s3rver, and the Secrets Manager fake holding the
 * app-client secret, as a deployment reads it. `settings()` are the environment-style settings that
 * select every AWS adapter on them, exactly as a deployment does (a fresh table each call).
 */
import { randomUUID } from 'node:crypto';
import { startFakeSecretsManager } from '../fakes/secrets-manager.ts';
import { type CognitoLocal, startCognitoLocal } from './cognito-local.ts';
import { type DynamoLocal, startDynamoLocal } from './dynamodb-local.ts';
import { type LocalS3, startS3rver } from './s3rver.ts';

export interface AwsPeers {
  readonly cognito: CognitoLocal;
  readonly s3: LocalS3;
  readonly dynamo: DynamoLocal;
  readonly secretsEndpoint: string;
  settings(extra?: Record<string, string>): Record<string, string>;
  close(): Promise<void>;
}

export const AWS_SECRET_ID = 'gatehouse/app';

export async function startAwsPeers(bucket: string): Promise<AwsPeers> {
  // The SDK's default credential chain, as on AWS: s3rver knows only this key (and checks no
  // signature); cognito-local and the fakes take any.
  process.env.AWS_ACCESS_KEY_ID = 'S3RVER';
  process.env.AWS_SECRET_ACCESS_KEY = 'S3RVER';
  // A peer that fails to start (DynamoDB Local took over 60 s on a loaded machine) must not leave
  // the others running: their child processes kept the test file alive after its failure, for ever.
  const started: { close(): Promise<void> }[] = [];
  const start = async <T extends { close(): Promise<void> }>(peer: Promise<T>): Promise<T> => {
    try {
      const p = await peer;
      started.push(p);
      return p;
    } catch (err) {
      for (const p of started.reverse()) await p.close().catch(() => undefined);
      throw err;
    }
  };
  const cognito = await start(startCognitoLocal());
  const s3 = await start(startS3rver(bucket));
  const dynamo = await start(startDynamoLocal());
  // The app-client secret reaches the app as it would on AWS: from one Secrets Manager secret.
  const secrets = await start(
    startFakeSecretsManager({
      region: cognito.region,
      secrets: [
        {
          name: AWS_SECRET_ID,
          secretString: JSON.stringify({ COGNITO_CLIENT_SECRET: cognito.clientSecret }),
        },
      ],
    }),
  );
  return {
    cognito,
    s3,
    dynamo,
    secretsEndpoint: secrets.endpoint,
    settings: (extra = {}) => ({
      IDENTITY_PROVIDER: 'cognito',
      AWS_REGION: cognito.region,
      COGNITO_USER_POOL_ID: cognito.poolId,
      COGNITO_CLIENT_ID: cognito.clientId,
      COGNITO_ENDPOINT: cognito.endpoint,
      SECRETS: 'aws',
      SECRETS_ID: AWS_SECRET_ID,
      SECRETS_ENDPOINT: secrets.endpoint,
      STORE: 'dynamodb',
      // A table per app: the composition creates it on DynamoDB Local, as Terraform does on AWS.
      DYNAMODB_TABLE: `gatehouse-${randomUUID().slice(0, 8)}`,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      BLOBS: 's3',
      S3_BUCKET: s3.bucket,
      S3_ENDPOINT: s3.endpoint,
      ...extra,
    }),
    async close() {
      await dynamo.close();
      await s3.close();
      await secrets.close();
      await cognito.close();
    },
  };
}
