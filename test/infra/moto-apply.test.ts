/**
 * Issue 18, items 2 to 4: envs/dev as it is applied to a fresh account, on moto (an AWS emulator,
 * test/helpers/moto.ts). Through a provider override kept with this test (test/infra/moto), one
 * apply creates everything moto implements (MOTO_LACKS names what it leaves out), a second plan
 * shows no changes, the secret has its value before anything that reads it, the app in AWS mode
 * runs a user's whole journey on the stack's own outputs, the instance role's S3 statements allow
 * every S3 call of that journey and nothing else tried (under moto's IAM enforcement), and destroy
 * removes it all. About 2.5 minutes, most of it the provider waiting for the bucket's lifecycle
 * rules to settle (as it does on AWS).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import {
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteBucketPolicyCommand,
  DeleteObjectCommand,
  ListObjectVersionsCommand,
  PutObjectCommand,
} from '@aws-sdk/client-s3';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { startServer } from '../e2e/browser/browser-kit.ts';
import { freePort } from '../helpers/kit.ts';
import { type Moto, startMoto } from '../helpers/moto.ts';
import { cognitoClient, journey } from './moto/journey.ts';
import { attempt, type S3Call, s3CallsOf, s3Client } from './moto/least-privilege.ts';
import { MOTO_LACKS, prepareStack, reaches, type Stack } from './moto/stack.ts';

const REGION = 'us-east-1';
// Generous, for a shared machine under load; a hung Terraform or moto fails the test with a name.
const LONG = { timeout: 15 * 60_000 };
const ROOT_KEYS = { accessKeyId: 'test', secretAccessKey: 'test' };
// The app's own key (moto accepts any while IAM enforcement is off), so the recording tells its
// calls from the test's.
const APP_KEYS = { accessKeyId: 'gatehouse-app', secretAccessKey: 'gatehouse-app' };
const OTHER_BUCKET = 'gatehouse-moto-not-ours';
// What moto lacks, in envs/dev with its defaults (App Runner's own egress: no VPC connector).
const LEFT_OUT = [
  'module.stack.module.app.aws_apprunner_auto_scaling_configuration_version.this',
  'module.stack.module.app.aws_apprunner_service.this',
  'module.stack.module.identity.aws_cognito_identity_pool_roles_attachment.this',
];

let moto: Moto;
let stack: Stack;
let targets: string[] = [];
let outputs: Record<string, unknown> = {};
let applied = false;
const work = mkdtempSync(join(tmpdir(), 'gatehouse-moto-run-'));
const recording = join(work, 'recording.jsonl');

before(async () => {
  moto = await startMoto({ env: { MOTO_RECORDER_FILEPATH: recording } });
  stack = await prepareStack({
    moto_endpoint: moto.endpoint,
    region: REGION,
    image_tag: '0123456789ab',
    ses_identity: 'gatehouse.test',
    mail_from: 'Gatehouse <no-reply@gatehouse.test>',
  });
  await stack.tf(['init', '-input=false', '-lockfile=readonly']);
});

after(async () => {
  if (applied)
    await stack.tf(['destroy', '-auto-approve', '-input=false', ...stack.varArgs]).catch(() => undefined);
  stack?.remove();
  await moto?.stop();
  rmSync(work, { recursive: true, force: true });
});

const output = <T>(name: string) => outputs[name] as T;

test(
  'one apply of envs/dev creates everything moto implements, leaving out only what it lacks',
  LONG,
  async () => {
    await stack.tf(['plan', '-input=false', '-out=first.tfplan', ...stack.varArgs]);
    const changes = await stack.changes('first.tfplan');
    assert.ok(changes.length >= 25, `${changes.length} resources planned`);
    assert.ok(
      changes.every((c) => c.actions.join() === 'create'),
      'a fresh account: everything is new',
    );
    const lacking = changes.filter((c) => c.type in MOTO_LACKS).map((c) => c.address);
    assert.deepEqual(lacking.sort(), LEFT_OUT, 'only these are left out, each named in MOTO_LACKS');
    targets = changes.filter((c) => !(c.type in MOTO_LACKS)).map((c) => `-target=${c.address}`);
    applied = true;
    await stack.tf(['apply', '-input=false', '-auto-approve', ...targets, ...stack.varArgs]);
    // A targeted apply leaves the outputs that depend on no target unset; a refresh-only apply
    // evaluates them all (and would show drift, of which there is none).
    await stack.tf(['apply', '-refresh-only', '-input=false', '-auto-approve', ...stack.varArgs]);
    outputs = await stack.outputs();
    assert.match(output<string>('user_pool_id'), /^us-east-1_/);
    assert.equal(output<number>('nat_gateway_count'), 0);
    const types = new Set((await stack.state()).map((r) => r.type));
    for (const t of ['aws_vpc', 'aws_nat_gateway', 'aws_eip'])
      assert.ok(!types.has(t), `dev uses App Runner's own egress: no ${t}`);
  },
);

test('a second plan shows no changes', LONG, async () => {
  const r = await stack.tf(
    ['plan', '-input=false', '-detailed-exitcode', ...targets, ...stack.varArgs],
    [0, 2],
  );
  assert.equal(r.code, 0, `exit code 2 means changes:\n${r.stdout.slice(-4000)}`);
  assert.match(r.stdout, /No changes\. Your infrastructure matches the configuration\./);
});

test(
  'the secret has its value before the service starts, and the value is in no state or .tf file',
  LONG,
  async () => {
    const secrets = new SecretsManagerClient({
      region: REGION,
      endpoint: moto.endpoint,
      credentials: ROOT_KEYS,
    });
    const value = await secrets.send(new GetSecretValueCommand({ SecretId: output<string>('secret_id') }));
    const clientSecret = output<string>('client_secret');
    assert.deepEqual(JSON.parse(value.SecretString ?? '{}'), { COGNITO_CLIENT_SECRET: clientSecret });
    const graph = (await stack.tf(['graph'])).stdout;
    assert.ok(
      reaches(
        graph,
        'module.stack.module.app.aws_apprunner_service.this',
        'aws_secretsmanager_secret_version.initial',
      ),
      'the App Runner service waits for the secret version',
    );
    const version = (await stack.state()).find((r) => r.type === 'aws_secretsmanager_secret_version');
    assert.ok(version, 'the secret version is in the state');
    assert.ok(
      !JSON.stringify(version.values).includes(clientSecret),
      'write-only: the value is not in the state',
    );
  },
);

test("the app in AWS mode on the stack's outputs: sign-up to account deletion", LONG, async () => {
  const s3 = s3Client(moto.endpoint, ROOT_KEYS);
  const bucket = output<string>('bucket_name');
  // moto applies the bucket's TLS-only policy to plain-http calls too: removed in the emulator,
  // never in the module (the second plan above saw it in place).
  await s3.send(new DeleteBucketPolicyCommand({ Bucket: bucket }));
  const env = output<Record<string, string>>('app_environment');
  assert.equal(env.MAIL, 'ses', 'the mail settings come from the stack');
  assert.equal(env.MAIL_FROM, 'Gatehouse <no-reply@gatehouse.test>');
  await fetch(`${moto.endpoint}/moto-api/recorder/start-recording`, { method: 'POST' });
  const app = await startServer(await freePort(), {
    ...env,
    // MAIL=ses from the stack: the app mails through moto's SES (AWS_ENDPOINT_URL_SESV2).
    AWS_ENDPOINT_URL_SESV2: moto.endpoint,
    AWS_ACCESS_KEY_ID: APP_KEYS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: APP_KEYS.secretAccessKey,
    COGNITO_ENDPOINT: moto.endpoint,
    COGNITO_IDENTITY_ENDPOINT: moto.endpoint,
    DYNAMODB_ENDPOINT: moto.endpoint,
    S3_ENDPOINT: moto.endpoint,
    SECRETS_ENDPOINT: moto.endpoint,
  });
  try {
    await journey({
      origin: app.origin,
      cognito: cognitoClient(moto.endpoint, REGION),
      userPoolId: output<string>('user_pool_id'),
      s3,
      bucket,
    });
    // A send never fails the user's action, so the journey alone would not see SES refuse the
    // stack's identity or role: the account-deletion notice must have reached moto's SES.
    const sent = async () => ((await moto.state()).ses?.RawMessage ?? []).length;
    for (let i = 0; i < 100 && (await sent()) === 0; i++) await new Promise((r) => setTimeout(r, 100));
    assert.ok((await sent()) > 0, "the app's mail reached SES from the stack's identity");
  } finally {
    await fetch(`${moto.endpoint}/moto-api/recorder/stop-recording`, { method: 'POST' });
    await app.stop();
  }
});

test(
  "the instance role's S3 statements allow every S3 call of the journey and nothing else tried",
  LONG,
  async () => {
    const bucket = output<string>('bucket_name');
    const calls = s3CallsOf(readFileSync(recording, 'utf8'), APP_KEYS.accessKeyId);
    const actions = new Set(calls.map((c) => c.action));
    for (const a of ['s3:ListBucket', 's3:PutObject', 's3:GetObject', 's3:DeleteObject'])
      assert.ok(actions.has(a as never), `the journey made a ${a} call`);
    assert.ok(
      calls.every((c) => c.bucket === bucket),
      'the app touched its own bucket only',
    );

    const state = await stack.state();
    const role = state.find((r) => r.address === 'module.stack.module.app.aws_iam_role_policy.instance');
    const s3Statements = (policy: string) =>
      (JSON.parse(policy) as { Statement: { Action: string[] }[] }).Statement.filter((s) =>
        s.Action.some((a) => a.startsWith('s3:')),
      );
    assert.deepEqual(
      s3Statements(output<string>('s3_probe_policy')),
      s3Statements(String(role?.values.policy)),
      "the probe user holds exactly the role's S3 statements, as IAM has them",
    );

    const root = s3Client(moto.endpoint, ROOT_KEYS);
    await root.send(new CreateBucketCommand({ Bucket: OTHER_BUCKET }));
    await root.send(new PutObjectCommand({ Bucket: OTHER_BUCKET, Key: 'files/x', Body: 'not ours' }));
    await root.send(new PutObjectCommand({ Bucket: bucket, Key: 'config/settings.json', Body: '{}' }));
    const key = output<{ id: string; secret: string }>('s3_probe_key');
    const probe = s3Client(moto.endpoint, { accessKeyId: key.id, secretAccessKey: key.secret });
    await moto.enforceIam(true);
    try {
      const verdicts = [];
      for (const call of calls)
        verdicts.push(`${call.action} ${call.bucket}/${call.key ?? ''}: ${await attempt(probe, call)}`);
      assert.deepEqual(
        verdicts.filter((v) => !v.endsWith(': allowed')),
        [],
        verdicts.join('\n'),
      );
      const outside: S3Call[] = [
        { action: 's3:ListBucket', bucket: OTHER_BUCKET },
        { action: 's3:GetObject', bucket: OTHER_BUCKET, key: 'files/x' },
        { action: 's3:PutObject', bucket: OTHER_BUCKET, key: 'files/x' },
        { action: 's3:DeleteObject', bucket: OTHER_BUCKET, key: 'files/x' },
        { action: 's3:DeleteObject', bucket, key: 'config/settings.json' },
        { action: 's3:GetObject', bucket, key: 'config/settings.json' },
        { action: 's3:PutObject', bucket, key: 'config/settings.json' },
      ];
      for (const call of outside)
        assert.equal(await attempt(probe, call), 'denied', `${call.action} ${call.bucket}/${call.key ?? ''}`);
    } finally {
      await moto.enforceIam(false);
    }
    // Leave the buckets as the app would: versions removed one by one (moto's DeleteObjects on a
    // versioned bucket fails, which the provider's force_destroy uses).
    for (const b of [bucket, OTHER_BUCKET]) {
      const versions = await root.send(new ListObjectVersionsCommand({ Bucket: b }));
      for (const v of [...(versions.Versions ?? []), ...(versions.DeleteMarkers ?? [])])
        await root.send(new DeleteObjectCommand({ Bucket: b, Key: v.Key, VersionId: v.VersionId }));
    }
    await root.send(new DeleteBucketCommand({ Bucket: OTHER_BUCKET }));
  },
);

test('destroy removes the whole stack', LONG, async () => {
  await stack.tf(['destroy', '-auto-approve', '-input=false', ...stack.varArgs]);
  applied = false;
  assert.deepEqual(await stack.state(), [], 'nothing left in the state');
  const secrets = new SecretsManagerClient({
    region: REGION,
    endpoint: moto.endpoint,
    credentials: ROOT_KEYS,
  });
  await assert.rejects(
    secrets.send(new GetSecretValueCommand({ SecretId: output<string>('secret_id') })),
    /ResourceNotFound|can't find|deleted/i,
    'the secret is gone at once (no recovery window in dev), so dev can be re-created today',
  );
});
