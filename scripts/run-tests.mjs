// Runs every *.test.ts under test/ with node:test through tsx. Usage: npm test [-- path-filter...]
// Fails loudly when no test file matches, and when any test is skipped or left as todo (CI skips nothing).
//
// Whenever the run includes route or security tests (test/http, test/security) there is a second
// pass: those tests again, with the store on DynamoDB Local and the blobs on s3rver
// (test/helpers/with-aws-peers.ts starts them), so the same route tests pass with the embedded and
// the AWS adapters. Those that exercise only what every identity provider does (ANY_IDENTITY) run
// with Cognito (cognito-local) as well, so identity, store and blobs are all AWS's; the others test the built-in
// provider's own mail, codes, keys or clock, which Cognito does its own way (its adapter has its
// own contract and AWS-mode tests). The files named aws-mode* choose every adapter themselves and
// run once.
// GATEHOUSE_TEST_PASSES=embedded runs the first pass only, for a quick local run; under CI (CI is
// set, as GitHub Actions sets it) that is refused, so no CI job can leave the AWS pass out.
//
// The fault suite (test/faults: servers killed mid-write, a full disk, fault-injecting proxies in
// front of the AWS stand-ins) runs only when asked for by path, `npm run test:faults` being
// `node scripts/run-tests.mjs test/faults`: it loads the machine for minutes, and CI runs it as a
// step of its own (.ci/run). Every file in that folder is picked up; none is listed here.
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';

const filters = process.argv.slice(2);
const collect = (accept) => {
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir).sort()) {
      const p = join(dir, name);
      if (statSync(p).isDirectory()) walk(p);
      else if (name.endsWith('.test.ts') && accept(p)) files.push(p);
    }
  };
  walk('test');
  return files;
};

if (process.env.GATEHOUSE_TEST_PASSES === 'embedded' && process.env.CI) {
  console.error('GATEHOUSE_TEST_PASSES=embedded is for local runs: CI runs the AWS pass too.');
  process.exit(1);
}
const FAULTS = join('test', 'faults');
const files = collect((p) =>
  filters.length === 0 ? !p.startsWith(FAULTS) : filters.some((f) => p.includes(f)),
);
if (files.length === 0) {
  console.error(`No test files matched ${filters.join(' ') || 'test/**/*.test.ts'}`);
  process.exit(1);
}

// Test files run side by side: most of their time is spent waiting (child processes, peers,
// scrypt, a browser), and node:test's default on a 2-core machine is one file at a time.
const concurrency = Number(process.env.GATEHOUSE_TEST_CONCURRENCY ?? 3);
if (!Number.isInteger(concurrency) || concurrency < 1) {
  console.error('GATEHOUSE_TEST_CONCURRENCY must be a whole number of at least 1.');
  process.exit(1);
}

const testArgs = (list) => [
  '--import',
  'tsx',
  '--test',
  `--test-concurrency=${concurrency}`,
  '--test-reporter=spec',
  '--test-reporter-destination=stdout',
  ...list,
];

/**
 * Each failed pass's list of failing tests, with the diagnostics its tests printed about their
 * failure (lines starting "context of the failure:", see test/e2e/browser/browser-kit.ts): repeated
 * once every pass is over, so that the end of a long log, which is what CI shows, says what failed.
 */
const failures = [];
function remember(label, out) {
  const at = out.lastIndexOf('✖ failing tests:');
  if (at < 0) return;
  const context = out.split('\n').filter((line) => /^\s*ℹ context of the failure:/.test(line));
  failures.push(`--- ${label}\n${out.slice(at, at + 30_000).trim()}\n${context.join('\n').slice(0, 20_000)}`);
}

/** Runs one pass; resolves to its exit code after checking that nothing was skipped. */
function pass(label, command, env = {}) {
  return new Promise((resolve) => {
    let out = '';
    const child = spawn(process.execPath, command, {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, ...env },
    });
    child.stdout.on('data', (d) => {
      process.stdout.write(d);
      out += d.toString();
      if (out.length > 1e6) out = out.slice(-1e5);
    });
    child.on('close', (code) => {
      const skipped = Number(/ℹ skipped (\d+)/.exec(out)?.[1] ?? 0);
      const todo = Number(/ℹ todo (\d+)/.exec(out)?.[1] ?? 0);
      const passed = Number(/ℹ pass (\d+)/.exec(out)?.[1] ?? 0);
      const failed = Number(/ℹ fail (\d+)/.exec(out)?.[1] ?? 0);
      console.log(`${label}: ${passed} passed, ${failed} failed`);
      if (failed > 0 || code !== 0) remember(label, out);
      if (skipped + todo > 0) {
        console.error(`${label}: ${skipped} skipped and ${todo} todo tests: nothing may be skipped.`);
        resolve(1);
      } else if (passed === 0) {
        console.error(`${label}: no test ran.`);
        resolve(1);
      } else resolve(code ?? 1);
    });
  });
}

const ANY_IDENTITY = [
  'test/http/account-deletion.test.ts',
  'test/http/admin-user.test.ts',
  'test/http/admin.test.ts',
  'test/http/email-change.test.ts',
  'test/http/files.test.ts',
  'test/http/password-reuse.test.ts',
  'test/http/profile.test.ts',
  'test/http/session.test.ts',
  'test/security/hot-path.test.ts',
  'test/security/ownership-and-uploads.test.ts',
  'test/security/pre-registration.test.ts',
  'test/security/proxy-hops.test.ts',
  'test/security/revocation.test.ts',
  'test/security/totp-replay.test.ts',
  'test/security/webhooks.test.ts',
].map((p) => join(...p.split('/')));
const missing = ANY_IDENTITY.filter((p) => !collect((f) => f === p).length);
if (missing.length > 0) {
  console.error(`ANY_IDENTITY names files that do not exist: ${missing.join(', ')}`);
  process.exit(1);
}

// Build dist/ once before the files that start the built server run side by side; their own
// builds then find it up to date (scripts/build.mjs skips unchanged sources).
const built = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
if (built.status !== 0) {
  console.error('The build failed: the tests that run the built server cannot run.');
  process.exit(1);
}

let code = await pass('embedded adapters', testArgs(files));
const routeTests = files.filter(
  (p) =>
    (p.startsWith(join('test', 'http')) || p.startsWith(join('test', 'security'))) &&
    !basename(p).startsWith('aws-mode'),
);
if (routeTests.length > 0 && process.env.GATEHOUSE_TEST_PASSES !== 'embedded') {
  const onAws = (label, list, env = {}) =>
    pass(label, ['--import', 'tsx', 'test/helpers/with-aws-peers.ts', ...testArgs(list)], env);
  const everyAdapter = routeTests.filter((p) => ANY_IDENTITY.includes(p));
  const storeAndBlobs = routeTests.filter((p) => !ANY_IDENTITY.includes(p));
  // Each pass runs whatever the others answered: a failure in one must not hide another's.
  const results = [];
  if (everyAdapter.length > 0) {
    results.push(
      await onAws('Cognito, DynamoDB and S3 (cognito-local, DynamoDB Local, s3rver)', everyAdapter, {
        GATEHOUSE_TEST_IDENTITY: 'cognito',
      }),
    );
  }
  if (storeAndBlobs.length > 0) {
    results.push(await onAws('AWS store and blobs (DynamoDB Local, s3rver)', storeAndBlobs));
  }
  code = [code, ...results].find((c) => c !== 0) ?? 0;
}
if (failures.length > 0) {
  console.log(`\n=== What failed, repeated from the passes above\n${failures.join('\n\n')}`);
}
process.exit(code);
