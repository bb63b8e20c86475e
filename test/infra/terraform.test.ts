/**
 * Issue 7, item 3: the Terraform under infra/terraform, checked offline. For every module and
 * environment, in a temporary copy of the tree (so no .terraform folder or lock file lands in the
 * repo): `terraform init -backend=false` against a local provider mirror, `validate`, and
 * `terraform test` (mocked AWS provider); then `fmt -check` over the tree, and static rules on the
 * .tf files: the provider constraint, no secret values, sensitive outputs, documented modules.
 * A missing terraform binary or mirror fails every test here, locally and in CI.
 */
import assert from 'node:assert/strict';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { after, test } from 'node:test';
import { pool, type RunResult, requireTool, run } from './tools.ts';

const TREE = 'infra/terraform';
const ROOTS = [
  ...readdirSync(join(TREE, 'modules')).map((m) => `modules/${m}`),
  ...readdirSync(join(TREE, 'envs')).map((e) => `envs/${e}`),
].sort();
const platform = `${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`;

/** A folder in unpacked mirror layout holding an AWS provider for this platform. */
function findMirror(): string {
  const tfrc = readFileSync(join(TREE, 'offline.tfrc'), 'utf8');
  const candidates = [
    process.env.GATEHOUSE_TF_MIRROR,
    /path\s*=\s*"([^"]+)"/.exec(tfrc)?.[1],
    join(homedir(), '.terraform.d', 'plugins'),
    join(homedir(), '.local', 'share', 'terraform', 'plugins'),
    '/usr/local/share/terraform/plugins',
    '/usr/share/terraform/plugins',
  ].filter((c): c is string => Boolean(c));
  for (const dir of candidates) {
    const aws = join(dir, 'registry.terraform.io', 'hashicorp', 'aws');
    if (existsSync(aws) && readdirSync(aws).some((v) => existsSync(join(aws, v, platform)))) return dir;
  }
  throw new Error(
    `No hashicorp/aws provider mirror for ${platform} in ${candidates.join(', ')}. Point GATEHOUSE_TF_MIRROR at a folder holding registry.terraform.io/hashicorp/aws/<version>/${platform}/ (a plugin cache filled by one online \`terraform init\` is one).`,
  );
}

interface Setup {
  terraform: string;
  work: string;
  env: NodeJS.ProcessEnv;
}

function prepare(): Setup {
  const terraform = requireTool(
    'terraform',
    process.env.TERRAFORM_BIN,
    'https://developer.hashicorp.com/terraform/install (or set TERRAFORM_BIN)',
  );
  const mirror = findMirror();
  const work = mkdtempSync(join(tmpdir(), 'gatehouse-tf-'));
  cpSync(TREE, join(work, 'terraform'), {
    recursive: true,
    filter: (src) => !['.terraform', '.terraform.lock.hcl', 'terraform.tfstate'].includes(basename(src)),
  });
  const cliConfig = join(work, 'offline.tfrc');
  writeFileSync(
    cliConfig,
    `provider_installation {\n  filesystem_mirror {\n    path    = ${JSON.stringify(mirror)}\n    include = ["registry.terraform.io/*/*"]\n  }\n}\n`,
  );
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
  };
  delete env.TF_PLUGIN_CACHE_DIR;
  return { terraform, work, env };
}

let setup: Setup | Error;
try {
  setup = prepare();
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
      (await tf('init', ['init', '-backend=false', '-input=false'])) ??
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
    assert.doesNotMatch(
      source,
      /aws_secretsmanager_secret_version|secret_string/,
      `${file}: secret values are set with the CLI`,
    );
    for (const kind of ['variable', 'output'] as const) {
      for (const b of blocks(source, kind)) {
        // Names and ARNs of secrets are not secret; their values are.
        if (!/secret|password/i.test(b.name) || /_(arn|id|name)$/.test(b.name)) continue;
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

/**
 * Cognito operations that IAM does not authorize: the user's own token or the app client does
 * (sign-up, sign-in, codes, TOTP enrolment, token revocation, the user's own email change). Every other operation the Cognito
 * adapter sends needs the service's IAM policy.
 */
const PUBLIC_COGNITO_OPERATIONS = new Set([
  'SignUp',
  'ConfirmSignUp',
  'ResendConfirmationCode',
  'ForgotPassword',
  'ConfirmForgotPassword',
  'InitiateAuth',
  'RespondToAuthChallenge',
  'RevokeToken',
  'AssociateSoftwareToken',
  'VerifySoftwareToken',
  'SetUserMFAPreference',
  'UpdateUserAttributes',
  'VerifyUserAttribute',
]);

test("the service's IAM policy allows every Cognito admin operation the adapter sends", () => {
  const dir = 'src/adapters/identity/cognito';
  const sent = new Set(
    readdirSync(dir)
      .filter((f) => f.endsWith('.ts'))
      .flatMap((f) => [...readFileSync(join(dir, f), 'utf8').matchAll(/\b([A-Z][A-Za-z]+)Command\b/g)])
      .map((m) => m[1] ?? ''),
  );
  const variables = readFileSync(join(TREE, 'modules/app/variables.tf'), 'utf8');
  const block = /variable "user_pool_actions" \{[\s\S]*?default = \[([\s\S]*?)\]/.exec(variables)?.[1] ?? '';
  const allowed = new Set([...block.matchAll(/"cognito-idp:([A-Za-z]+)"/g)].map((m) => m[1]));
  assert.ok(sent.has('AdminLinkProviderForUser') && sent.has('InitiateAuth'), 'the adapter was read');
  const missing = [...sent].filter((op) => !PUBLIC_COGNITO_OPERATIONS.has(op) && !allowed.has(op));
  assert.deepEqual(missing, [], 'add these to user_pool_actions in infra/terraform/modules/app');
  for (const op of ['AdminLinkProviderForUser', 'AdminDisableProviderForUser', 'AdminDeleteUser'])
    assert.ok(allowed.has(op), op);
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
