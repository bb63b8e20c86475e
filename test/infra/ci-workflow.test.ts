/**
 * Issue 7, item 5 and issue 18, items 3 and 5: .github/workflows/ci.yml, checked line by line (no
 * YAML parser is installed): actions pinned to full commit SHAs with their release in a comment, a
 * read-only token, superseded runs cancelled, the jobs the issues list, moto in every job whose tests start it,
 * and the image built, run and probed (Docker runs on GitHub's machines, not on these).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

const workflow = readFileSync('.github/workflows/ci.yml', 'utf8');
const lines = workflow.split('\n');

/** The lines of a top-level key's block, indentation kept. */
const topLevel = (key: string): string[] => {
  const start = lines.indexOf(`${key}:`);
  if (start < 0) return [];
  const end = lines.findIndex((l, i) => i > start && /^\S/.test(l));
  return lines
    .slice(start + 1, end < 0 ? undefined : end)
    .filter((l) => l.trim() && !l.trim().startsWith('#'));
};

test('every action is pinned to a full commit SHA, with its version in a comment', () => {
  const uses = lines.filter((l) => /^\s*(- )?uses:/.test(l));
  assert.ok(uses.length >= 4, 'the workflow uses actions');
  for (const line of uses) {
    assert.match(line, /uses: [\w.-]+\/[\w./-]+@[0-9a-f]{40} # v\d+(\.\d+)*$/, line.trim());
  }
});

test('the token can only read', () => {
  assert.deepEqual(topLevel('permissions'), ['  contents: read']);
  assert.doesNotMatch(workflow, /:\s*write\b|write-all/);
});

test('a new push cancels the run it supersedes', () => {
  const concurrency = topLevel('concurrency').map((l) => l.trim());
  assert.ok(
    concurrency.some((l) => /^group: .*\$\{\{ github\.ref \}\}/.test(l)),
    'grouped by ref',
  );
  assert.ok(concurrency.includes('cancel-in-progress: true'));
});

test('checkouts keep no credentials', () => {
  const checkouts = lines.filter((l) => l.includes('uses: actions/checkout@')).length;
  assert.equal((workflow.match(/persist-credentials: false/g) ?? []).length, checkouts);
});

test('the jobs typecheck, lint, run unit/contract/e2e tests, the fault suite and the Terraform checks', () => {
  for (const step of [
    'npm run typecheck',
    'npm run lint',
    'node scripts/run-tests.mjs test/unit test/contract test/http test/security',
    'apt-get install -y -qq --no-install-recommends chromium openjdk-17-jre-headless',
    'node scripts/run-tests.mjs test/e2e',
    'node scripts/run-tests.mjs test/infra',
    'npm run test:faults',
    'terraform_version: $' + '{{ env.TERRAFORM_VERSION }}',
    'GATEHOUSE_TF_MIRROR=',
    'init -backend=false -input=false -lockfile=readonly',
    'shellcheck',
  ]) {
    assert.ok(workflow.includes(step), step);
  }
  const jobs = topLevel('jobs').filter((l) => /^ {2}\S/.test(l));
  assert.deepEqual(jobs, ['  typecheck-lint:', '  test:', '  faults:', '  e2e:', '  infra:', '  image:']);
  assert.equal(
    (workflow.match(/timeout-minutes: \d+/g) ?? []).length,
    jobs.length,
    'every job has a timeout',
  );
});

/** The lines of one job, as text. */
const job = (name: string) => {
  const start = lines.indexOf(`  ${name}:`);
  const end = lines.findIndex((l, i) => i > start && /^ {2}\S/.test(l));
  return lines.slice(start, end < 0 ? undefined : end).join('\n');
};

test('every job that starts DynamoDB Local has Java 17, and no job can leave the AWS pass out', () => {
  assert.match(
    job('test'),
    /uses: actions\/setup-java@[0-9a-f]{40}[^\n]*\n\s+with:\n\s+distribution: temurin\n\s+java-version: "17"/,
  );
  assert.match(job('e2e'), /openjdk-17-jre-headless/);
  assert.doesNotMatch(workflow, /GATEHOUSE_TEST_PASSES/);
});

test('under CI the test runner refuses to run the embedded pass alone', () => {
  const run = spawnSync(process.execPath, ['scripts/run-tests.mjs', 'test/unit/plans'], {
    env: { ...process.env, CI: 'true', GATEHOUSE_TEST_PASSES: 'embedded' },
    encoding: 'utf8',
  });
  assert.equal(run.status, 1);
  assert.match(run.stderr, /CI runs the AWS pass too/);
});

/** Every test file under test/, relative to the repository (as the runner's filters match them). */
const testFiles = (readdirSync('test', { recursive: true }) as string[])
  .filter((f) => f.endsWith('.test.ts'))
  .map((f) => join('test', f));

test('every job whose tests start moto installs it first, the version these machines have', () => {
  const version = /^ {2}MOTO_VERSION: (\d+\.\d+\.\d+)$/m.exec(workflow)?.[1];
  assert.ok(version, 'MOTO_VERSION is pinned');
  const motoTests = testFiles.filter((f) => readFileSync(f, 'utf8').includes("helpers/moto.ts'"));
  assert.ok(motoTests.includes(join('test', 'infra', 'moto-apply.test.ts')), motoTests.join());
  const needing = [];
  for (const name of ['test', 'e2e', 'infra']) {
    const body = job(name);
    const run = /node scripts\/run-tests\.mjs ([^\n]+)/.exec(body);
    assert.ok(run, `the ${name} job runs tests`);
    const filters = (run[1] ?? '').trim().split(/\s+/);
    const uses = motoTests.filter((f) => filters.some((filter) => f.includes(filter)));
    if (uses.length === 0) continue;
    needing.push(name);
    const where = `the ${name} job runs ${uses.join(', ')}`;
    assert.match(body, /uses: actions\/setup-python@[0-9a-f]{40} # v\d/, where);
    assert.match(body, /python -m pip install --quiet "moto\[server\]==\$\{MOTO_VERSION\}"/, where);
    assert.ok(body.indexOf('Install moto') < body.indexOf(run[0]), `${where}: moto is installed before`);
  }
  assert.ok(needing.includes('infra'), 'the apply test runs in the infra job');
  const local = spawnSync('python3', ['-m', 'pip', 'show', 'moto'], { encoding: 'utf8' });
  assert.equal(/^Version: (.+)$/m.exec(local.stdout)?.[1], version, 'CI runs the moto these machines have');
});

test('the image job builds the image, runs it as production does and probes /health and /', () => {
  const image = job('image');
  assert.match(image, /timeout-minutes: \d+/);
  assert.match(image, /- run: scripts\/test-local\.sh --port 3000\n/);
  assert.match(image, /- if: always\(\)\n\s+run: scripts\/test-local-cleanup\.sh --image/);
  // What the script does, so the job's name stays true.
  const script = readFileSync('scripts/test-local.sh', 'utf8');
  for (const line of [
    /docker build -t "\$image" "\$root"/,
    /docker run -d --name "\$name" \\\n\s+--read-only/,
    /curl -fsS "\$base\/health"/,
    /home_status="\$\(curl -sS -o \/dev\/null -w '%\{http_code\}' "\$base\/"\)"/,
    /\[ "\$home_status" = 200 \] \|\| die/,
    /\[ "\$code" = 0 \] \|\| die "the server did not exit cleanly on SIGTERM/,
  ])
    assert.match(script, line);
  // The image runs the Node.js line CI tests, and the workflow tests the lines the package allows.
  const base = /^ARG NODE_IMAGE=node:(\d+)\./m.exec(readFileSync('Dockerfile', 'utf8'))?.[1];
  assert.ok(
    base && workflow.includes(`node: [22, ${base}]`),
    `the image's Node ${base} is in the test matrix`,
  );
});
