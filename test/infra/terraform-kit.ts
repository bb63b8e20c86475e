/**
 * What every test that runs Terraform needs: the binary, a provider mirror it installs from without
 * the registry (the machine's, $GATEHOUSE_TF_MIRROR, or the one CI fills), and a copy of
 * infra/terraform in a temporary folder, so no .terraform folder or state lands in the repository.
 * Nothing is skipped when one is missing: the error says what to install.
 */
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { requireTool } from './tools.ts';

export const TREE = 'infra/terraform';
const platform = `${process.platform}_${process.arch === 'x64' ? 'amd64' : process.arch}`;

/** A folder in unpacked mirror layout holding an AWS provider for this platform. */
export function findMirror(): string {
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

export interface TerraformSetup {
  /** The terraform command. */
  readonly terraform: string;
  /** The temporary folder; the copy of infra/terraform is its `terraform` subfolder. */
  readonly work: string;
  /** Environment for terraform: the mirror's CLI configuration, no prompts, no checkpoint calls. */
  readonly env: NodeJS.ProcessEnv;
}

/**
 * Copies infra/terraform (without local state, caches or module lock files; the environments'
 * committed lock files come along, so `init -lockfile=readonly` checks them) and writes a CLI
 * configuration that installs providers from the mirror only.
 */
export function prepareTerraform(prefix = 'gatehouse-tf-'): TerraformSetup {
  const terraform = requireTool(
    'terraform',
    process.env.TERRAFORM_BIN,
    'https://developer.hashicorp.com/terraform/install (or set TERRAFORM_BIN)',
  );
  const mirror = findMirror();
  const work = mkdtempSync(join(tmpdir(), prefix));
  cpSync(TREE, join(work, 'terraform'), {
    recursive: true,
    filter: (src) =>
      !['.terraform', 'terraform.tfstate', 'terraform.tfstate.backup'].includes(basename(src)) &&
      !(basename(src) === '.terraform.lock.hcl' && src.includes(`${TREE}/modules/`)),
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
