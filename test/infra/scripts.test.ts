/**
 * Issue 7, item 4: the release scripts. shellcheck passes on each (and on .ci/run); each has
 * `set -euo pipefail` and prints its usage on -h/--help and on wrong or missing arguments; and
 * build-and-push.sh, run against stand-ins for aws, docker, git and terraform that record their
 * arguments, makes the calls a release and a rollback need, in order. shellcheck must be installed
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
// questions the script asks (does the image exist, which digest does a tag point at).
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
fake(
  'aws',
  `case "$1 $2" in
  "ecr get-login-password") echo password ;;
  "ecr describe-images")
    case "$*" in
      *imageTag=dev* | *imageTag=prod*) echo sha256:old ;;
      *imageTag=0123456789ab*) [ -e "$FAKE_STATE/pushed" ] || exit 254; echo sha256:new ;;
      *imageTag=feedfacecafe*) echo sha256:older ;;
      *) exit 254 ;;
    esac ;;
  "ecr batch-get-image") case "$*" in *MediaType*) echo application/vnd.oci.image.manifest.v1+json ;; *) echo '{"schemaVersion":2}' ;; esac ;;
  "ecr put-image") ;;
  "apprunner start-deployment") echo op-42 ;;
  *) echo "unexpected aws call" >&2; exit 3 ;;
esac`,
);
fake(
  'docker',
  `case "$1" in push) touch "$FAKE_STATE/pushed" ;; esac`,
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
  *"output -raw ecr_repository_url"*) echo 123456789012.dkr.ecr.eu-west-1.amazonaws.com/gatehouse-dev ;;
  *"output -raw service_arn"*) echo arn:aws:apprunner:eu-west-1:123456789012:service/gatehouse-dev/abc ;;
esac`,
);

async function release(args: string[], extraEnv: Record<string, string> = {}) {
  const state = mkdtempSync(join(bin, 'state-'));
  const log = join(state, 'calls.log');
  writeFileSync(log, '');
  const env = {
    PATH: `${bin}:/usr/bin:/bin`,
    HOME: state,
    FAKE_LOG: log,
    FAKE_STATE: state,
    ...extraEnv,
  };
  const r = await run('bash', ['scripts/build-and-push.sh', ...args], { env });
  return { ...r, calls: readFileSync(log, 'utf8').trim().split('\n').filter(Boolean) };
}

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

test('build-and-push.sh releases: build, push under the git SHA, move the env tag, deploy', async () => {
  const r = await release(['--env', 'dev']);
  assert.equal(r.code, 0, r.stderr);
  const repo = '123456789012.dkr.ecr.eu-west-1.amazonaws.com/gatehouse-dev';
  const step = (pattern: RegExp) => {
    const i = r.calls.findIndex((c) => pattern.test(c));
    assert.ok(i >= 0, `expected a call matching ${pattern} in:\n${r.calls.join('\n')}`);
    return i;
  };
  // `aws ecr get-login-password | docker login`: both ends of one pipe start together, so either
  // may log first; the pair as a whole comes between the lookup and the build.
  const login = [
    step(/^aws ecr get-login-password --region eu-west-1$/),
    step(/^docker login --username AWS --password-stdin 123456789012\.dkr\.ecr\.eu-west-1\.amazonaws\.com$/),
  ];
  const order = [
    step(/^terraform -chdir=\S+\/infra\/terraform\/envs\/dev output -raw ecr_repository_url$/),
    Math.min(...login),
    Math.max(...login),
    step(new RegExp(`^docker build --platform linux/amd64 .*-t ${repo}:0123456789ab `)),
    step(new RegExp(`^docker push ${repo}:0123456789ab$`)),
    step(/^aws ecr put-image --region eu-west-1 --repository-name gatehouse-dev --image-tag dev /),
    step(
      /^aws apprunner start-deployment --region eu-west-1 --service-arn arn:aws:apprunner:eu-west-1:123456789012:service\/gatehouse-dev\/abc /,
    ),
  ];
  assert.deepEqual(
    order,
    [...order].sort((a, b) => a - b),
    'calls happen in this order',
  );
  assert.match(r.stdout, /started \(operation op-42\)/);
});

test('build-and-push.sh --tag rolls back without building', async () => {
  const r = await release(['--env', 'prod', '--tag', 'feedfacecafe'], {
    ECR_REPOSITORY_URL: '123456789012.dkr.ecr.us-east-1.amazonaws.com/gatehouse-prod',
    APP_RUNNER_SERVICE_ARN: 'arn:aws:apprunner:us-east-1:123456789012:service/gatehouse-prod/def',
  });
  assert.equal(r.code, 0, r.stderr);
  assert.ok(!r.calls.some((c) => c.startsWith('docker ') || c.startsWith('terraform ')), r.calls.join('\n'));
  assert.ok(r.calls.some((c) => /^aws ecr put-image .*--image-tag prod /.test(c)));
  assert.ok(r.calls.some((c) => c.startsWith('aws apprunner start-deployment')));
  assert.match(r.stdout, /now points at feedfacecafe \(sha256:older; was sha256:old\)/);
});

test('build-and-push.sh --no-deploy pushes before the service exists', async () => {
  const r = await release(['--env', 'dev', '--no-deploy']);
  assert.equal(r.code, 0, r.stderr);
  assert.ok(r.calls.some((c) => /^aws ecr put-image .*--image-tag dev /.test(c)));
  assert.ok(
    !r.calls.some((c) => c.includes('service_arn') || c.startsWith('aws apprunner')),
    r.calls.join('\n'),
  );
});

test('build-and-push.sh refuses to tag uncommitted changes with a commit SHA', async () => {
  const r = await release(['--env', 'dev'], { FAKE_DIRTY: '1' });
  assert.equal(r.code, 1);
  assert.match(r.stderr, /uncommitted changes/);
  assert.ok(!r.calls.some((c) => c.startsWith('docker ')));
});
