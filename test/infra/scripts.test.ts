/**
 * Issue 7, item 4 and issue 18 (immutable tags, promotion): the release scripts. shellcheck passes
 * on each (and on .ci/run); each has `set -euo pipefail` and prints its usage on -h/--help and on
 * wrong or missing arguments; and build-and-push.sh, run against stand-ins for aws, docker, git
 * and terraform that record their arguments, makes the calls a release, a promotion to prod and a
 * rollback need, in order, and never moves a tag. shellcheck must be installed
 * (apt-get install shellcheck): without it this file fails.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { requireTool, run } from './tools.ts';

const scripts = readdirSync('scripts')
  .filter((f) => f.endsWith('.sh'))
  .map((f) => `scripts/${f}`);

test('the release scripts exist', () => {
  for (const s of ['build-and-push.sh', 'test-local.sh', 'test-local-cleanup.sh']) {
    assert.ok(scripts.includes(`scripts/${s}`), s);
  }
});

test('shellcheck finds nothing in scripts/*.sh and .ci/run', async () => {
  const shellcheck = requireTool('shellcheck', process.env.SHELLCHECK_BIN, 'apt-get install shellcheck');
  const r = await run(shellcheck, ['--severity=style', '--external-sources', ...scripts, '.ci/run']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
});

for (const script of scripts) {
  test(`${script}: strict mode, and usage on --help and on a wrong argument`, async () => {
    const source = readFileSync(script, 'utf8');
    assert.match(source, /^#!\/usr\/bin\/env bash\n/);
    assert.match(source, /^set -euo pipefail$/m);
    const help = await run('bash', [script, '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: scripts\//);
    const wrong = await run('bash', [script, '--no-such-option']);
    assert.equal(wrong.code, 2);
    assert.match(wrong.stderr, /Unknown argument: --no-such-option[\s\S]*Usage:/);
  });
}

// Stand-ins for the outside tools: each appends its arguments to calls.log, and answers the few
// questions the script asks from files in FAKE_STATE: an image <repository name>:<tag> exists when
// the file of that name does, holding its digest; the dev service runs the tag in dev-running.
const bin = mkdtempSync(join(tmpdir(), 'gatehouse-fake-tools-'));
after(() => rmSync(bin, { recursive: true, force: true }));
// `first` runs before the call is logged: the reader of a pipe logs only once the writer is done,
// so `aws ... | docker login` is logged in its order however the two processes are scheduled.
const fake = (name: string, body: string, first = '') => {
  writeFileSync(
    join(bin, name),
    `#!/usr/bin/env bash\n${first}\necho "${name} $*" >> "$FAKE_LOG"\n${body}\n`,
  );
  chmodSync(join(bin, name), 0o755);
};
const DEV = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/gatehouse-dev';
const PROD = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/gatehouse-prod';
fake(
  'aws',
  `arg() { local want="$1"; shift; while [ $# -gt 0 ]; do [ "$1" = "$want" ] && { echo "$2"; return; }; shift; done; }
case "$1 $2" in
  "ecr get-login-password") echo password ;;
  "ecr describe-images")
    image="$FAKE_STATE/$(arg --repository-name "$@"):$(arg --image-ids "$@" | cut -d= -f2)"
    [ -e "$image" ] || exit 254
    cat "$image" ;;
  "apprunner describe-service")
    case "$*" in
      *ImageIdentifier*) echo "${DEV}:$(cat "$FAKE_STATE/dev-running")" ;;
      *) printf '{\\n    "ImageRepository": {\\n        "ImageIdentifier": "%s:0000000000aa",\\n        "ImageConfiguration": {\\n            "RuntimeEnvironmentVariables": {\\n                "STORE": "dynamodb"\\n            },\\n            "Port": "3000"\\n        },\\n        "ImageRepositoryType": "ECR"\\n    },\\n    "AutoDeploymentsEnabled": false\\n}\\n' "$(arg --service-arn "$@" | grep -q prod && echo "${PROD}" || echo "${DEV}")" ;;
    esac ;;
  "apprunner update-service")
    file="$(arg --source-configuration "$@")"
    tr -d ' \\n' < "\${file#file://}" >> "$FAKE_LOG"; echo >> "$FAKE_LOG"
    echo op-42 ;;
  "apprunner list-operations") echo SUCCEEDED ;;
  *) echo "unexpected aws call" >&2; exit 3 ;;
esac`,
);
fake(
  'docker',
  `case "$1 $2" in
  "push "*) echo sha256:new > "$FAKE_STATE/\${2##*/}" ;;
  "buildx imagetools") ref="$(echo "$*" | grep -o -- '--tag [^ ]*' | cut -d' ' -f2)"; cp "$FAKE_STATE/gatehouse-dev:\${ref##*:}" "$FAKE_STATE/\${ref##*/}" ;;
esac`,
  '[ "$1" = login ] && cat > /dev/null',
);
fake(
  'git',
  `case "$*" in
  *"status --porcelain"*) [ -z "\${FAKE_DIRTY:-}" ] || echo " M src/app.ts" ;;
  *"rev-parse --short=12 HEAD"*) echo 0123456789ab ;;
  *"rev-parse HEAD"*) echo 0123456789abcdef0123456789abcdef01234567 ;;
esac`,
);
fake(
  'terraform',
  `case "$*" in
  *envs/dev*"output -raw ecr_repository_url"*) echo ${DEV} ;;
  *envs/prod*"output -raw ecr_repository_url"*) echo ${PROD} ;;
  *envs/dev*"output -raw service_arn"*) echo arn:aws:apprunner:eu-west-1:123456789012:service/gatehouse-dev/abc ;;
  *envs/prod*"output -raw service_arn"*) echo arn:aws:apprunner:eu-west-1:123456789012:service/gatehouse-prod/def ;;
esac`,
);

/** Runs the script against the stand-ins; `images` are the images already in ECR (name:tag -> digest). */
async function release(
  args: string[],
  extraEnv: Record<string, string> = {},
  images: Record<string, string> = {},
) {
  const state = mkdtempSync(join(bin, 'state-'));
  const log = join(state, 'calls.log');
  writeFileSync(log, '');
  writeFileSync(join(state, 'dev-running'), 'feedfacecafe');
  for (const [image, digest] of Object.entries(images)) writeFileSync(join(state, image), `${digest}\n`);
  const env = {
    PATH: `${bin}:/usr/bin:/bin`,
    HOME: state,
    FAKE_LOG: log,
    FAKE_STATE: state,
    ...extraEnv,
  };
  const r = await run('bash', ['scripts/build-and-push.sh', ...args], { env });
  const calls = readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);
  const step = (pattern: RegExp) => {
    const i = calls.findIndex((c) => pattern.test(c));
    assert.ok(i >= 0, `expected a call matching ${pattern} in:\n${calls.join('\n')}`);
    return i;
  };
  return { ...r, calls, step };
}

/** The source configuration the service was updated with (logged by the aws stand-in), parsed. */
const deployed = (calls: string[]) => {
  const i = calls.findIndex((c) => c.startsWith('aws apprunner update-service'));
  return JSON.parse(calls[i + 1] ?? 'null') as {
    ImageRepository: { ImageIdentifier: string; ImageConfiguration: { RuntimeEnvironmentVariables: object } };
  };
};

test('build-and-push.sh without --env prints its usage and stops', async () => {
  const r = await release([]);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /Missing --env[\s\S]*Usage:/);
  assert.deepEqual(r.calls, []);
  const bad = await release(['--env', 'staging']);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /dev or prod/);
});

test('build-and-push.sh names a missing tool instead of failing halfway', async () => {
  const r = await run('/bin/bash', ['scripts/build-and-push.sh', '--env', 'dev'], {
    env: { PATH: '/nonexistent' },
  });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /aws not found on PATH/);
});

test('dev: build, push under the git SHA, point the service at that image', async () => {
  const r = await release(['--env', 'dev', '--wait']);
  assert.equal(r.code, 0, r.stderr);
  // `aws ecr get-login-password | docker login`: both ends of one pipe start together, so either
  // may log first; the pair as a whole comes between the lookup and the build.
  const login = [
    r.step(/^aws ecr get-login-password --region eu-west-1$/),
    r.step(
      /^docker login --username AWS --password-stdin 123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com$/,
    ),
  ];
  const order = [
    r.step(/^terraform -chdir=\S+\/infra\/terraform\/envs\/dev output -raw ecr_repository_url$/),
    Math.min(...login),
    Math.max(...login),
    r.step(new RegExp(`^docker build --platform linux/amd64 .*-t ${DEV}:0123456789ab `)),
    r.step(new RegExp(`^docker push ${DEV}:0123456789ab$`)),
    r.step(
      /^aws apprunner update-service --region eu-west-1 --service-arn arn:aws:apprunner:eu-west-1:123456789012:service\/gatehouse-dev\/abc /,
    ),
  ];
  assert.deepEqual(
    order,
    [...order].sort((a, b) => a - b),
    'calls happen in this order',
  );
  assert.ok(!r.calls.some((c) => c.startsWith('aws ecr put-image')), 'no tag is ever moved');
  const config = deployed(r.calls);
  assert.equal(config.ImageRepository.ImageIdentifier, `${DEV}:0123456789ab`);
  assert.deepEqual(config.ImageRepository.ImageConfiguration.RuntimeEnvironmentVariables, {
    STORE: 'dynamodb',
  });
  assert.match(r.stdout, /started \(operation op-42\)[\s\S]*Deployment succeeded/);
});

test('dev: an image already in ECR is not rebuilt', async () => {
  const r = await release(['--env', 'dev'], {}, { 'gatehouse-dev:0123456789ab': 'sha256:old' });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.calls.some((c) => c.startsWith('docker ')), r.calls.join('\n'));
  assert.equal(deployed(r.calls).ImageRepository.ImageIdentifier, `${DEV}:0123456789ab`);
});

test('--tag rolls back to an image in the repository, building nothing', async () => {
  const r = await release(
    ['--env', 'dev', '--tag', 'feedfacecafe'],
    {
      ECR_REPOSITORY_URL: DEV,
      APP_RUNNER_SERVICE_ARN: 'arn:aws:apprunner:eu-west-1:123456789012:service/gatehouse-dev/abc',
    },
    { 'gatehouse-dev:feedfacecafe': 'sha256:older' },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.calls.some((c) => c.startsWith('docker ') || c.startsWith('terraform ')), r.calls.join('\n'));
  assert.equal(deployed(r.calls).ImageRepository.ImageIdentifier, `${DEV}:feedfacecafe`);
  const missing = await release(['--env', 'dev', '--tag', 'deadbeef0000']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no image .*gatehouse-dev:deadbeef0000 in ECR/);
});

test('prod: the image dev runs is promoted by digest, never rebuilt, then deployed', async () => {
  const r = await release(['--env', 'prod'], {}, { 'gatehouse-dev:feedfacecafe': 'sha256:tested' });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.calls.some((c) => /^docker (build|push) /.test(c)), 'nothing is built for prod');
  const order = [
    r.step(
      /^aws apprunner describe-service .*gatehouse-dev\/abc --query Service\.SourceConfiguration\.ImageRepository\.ImageIdentifier/,
    ),
    r.step(new RegExp(`^docker buildx imagetools create --tag ${PROD}:feedfacecafe ${DEV}@sha256:tested$`)),
    r.step(/^aws apprunner update-service --region eu-west-1 --service-arn \S+gatehouse-prod\/def /),
  ];
  assert.deepEqual(
    order,
    [...order].sort((a, b) => a - b),
    'calls happen in this order',
  );
  assert.equal(deployed(r.calls).ImageRepository.ImageIdentifier, `${PROD}:feedfacecafe`);
  assert.match(
    r.stdout,
    /Promoted .*gatehouse-dev:feedfacecafe to .*gatehouse-prod:feedfacecafe \(sha256:tested\)/,
  );
});

test('prod: a tag already in prod is deployed as it is (rollback)', async () => {
  const r = await release(
    ['--env', 'prod', '--tag', 'feedfacecafe'],
    {},
    { 'gatehouse-prod:feedfacecafe': 'sha256:x' },
  );
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.calls.some((c) => c.startsWith('docker ')), r.calls.join('\n'));
  assert.equal(deployed(r.calls).ImageRepository.ImageIdentifier, `${PROD}:feedfacecafe`);
});

test('--no-deploy pushes before the service exists', async () => {
  const r = await release(['--env', 'dev', '--no-deploy']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.calls.some((c) => c.startsWith(`docker push ${DEV}:0123456789ab`)));
  assert.ok(
    !r.calls.some((c) => c.includes('service_arn') || c.startsWith('aws apprunner')),
    r.calls.join('\n'),
  );
  assert.match(r.stdout, /Tag: 0123456789ab/);
});

test('build-and-push.sh refuses to tag uncommitted changes with a commit SHA', async () => {
  const r = await release(['--env', 'dev'], { FAKE_DIRTY: '1' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /uncommitted changes/);
  assert.ok(!r.calls.some((c) => c.startsWith('docker ')));
});
