/**
 * Starts DynamoDB Local and s3rver once, then runs the node command given after this script's name
 * with GATEHOUSE_TEST_ADAPTERS=aws and the peers' endpoints in its environment (test/helpers/build.ts
 * then builds every app on STORE=dynamodb and BLOBS=s3, and with GATEHOUSE_TEST_IDENTITY=cognito on
 * cognito-local as well), and stops the peers when it ends. Used by scripts/run-tests.mjs for the
 * second pass of the route tests.
 */
import { spawn } from 'node:child_process';
import { startDynamoLocal } from './dynamodb-local.ts';
import { startS3rver } from './s3rver.ts';

const args = process.argv.slice(2);
const dynamo = await startDynamoLocal();
const s3 = await startS3rver('gatehouse-routes');
console.log(`AWS peers: DynamoDB Local at ${dynamo.endpoint}, s3rver at ${s3.endpoint}`);
const child = spawn(process.execPath, args, {
  stdio: 'inherit',
  env: {
    ...process.env,
    GATEHOUSE_TEST_ADAPTERS: 'aws',
    GATEHOUSE_TEST_DYNAMODB_ENDPOINT: dynamo.endpoint,
    GATEHOUSE_TEST_S3_ENDPOINT: s3.endpoint,
    // s3rver knows only this key (and checks no signature); DynamoDB Local takes any.
    AWS_ACCESS_KEY_ID: 'S3RVER',
    AWS_SECRET_ACCESS_KEY: 'S3RVER',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
  },
});
const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
await s3.close();
await dynamo.close();
process.exit(code);
