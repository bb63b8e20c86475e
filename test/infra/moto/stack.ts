/**
 * envs/dev on moto, driven the way an operator drives it: a temporary copy of infra/terraform with
 * this folder's provider override next to envs/dev's main.tf, `init` against the committed lock
 * file, `plan`, `apply` of everything moto implements, outputs, `destroy`. Commands fail loudly with
 * Terraform's own output.
 */
import assert from 'node:assert/strict';
import { copyFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { prepareTerraform, type TerraformSetup } from '../terraform-kit.ts';
import { type RunResult, run } from '../tools.ts';

/**
 * Resource types moto has no API for (moto 5.x): they are left out of the apply, and only they.
 * App Runner is a whole service moto lacks; SetIdentityPoolRoles is the one cognito-identity call
 * it lacks.
 */
export const MOTO_LACKS: Readonly<Record<string, string>> = {
  aws_apprunner_service: 'App Runner',
  aws_apprunner_auto_scaling_configuration_version: 'App Runner',
  aws_apprunner_vpc_connector: 'App Runner',
  aws_apprunner_custom_domain_association: 'App Runner',
  aws_cognito_identity_pool_roles_attachment: 'cognito-identity SetIdentityPoolRoles',
};

export interface PlannedChange {
  readonly address: string;
  readonly type: string;
  readonly actions: readonly string[];
}

export interface Stack {
  readonly setup: TerraformSetup;
  readonly dir: string;
  /** `-var=name=value` for each variable the stack is applied with (plan, destroy). */
  readonly varArgs: readonly string[];
  /** terraform with `args`, in envs/dev; rejects with Terraform's output unless the exit code is one of `ok`. */
  tf(args: string[], ok?: number[]): Promise<RunResult>;
  /** The planned resource changes of a saved plan. */
  changes(planFile: string): Promise<PlannedChange[]>;
  /** `terraform output -json`, values only (sensitive ones included). */
  outputs(): Promise<Record<string, unknown>>;
  /** `terraform show -json` of the state: every resource instance with its address and values. */
  state(): Promise<{ address: string; type: string; values: Record<string, unknown> }[]>;
  remove(): void;
}

const show = (what: string, r: RunResult) =>
  `${what} exited ${r.code}\n${r.stdout.slice(-6000)}\n${r.stderr.slice(-6000)}`;

export async function prepareStack(vars: Record<string, string>): Promise<Stack> {
  const setup = prepareTerraform('gatehouse-moto-');
  const dir = join(setup.work, 'terraform', 'envs', 'dev');
  for (const f of ['moto_override.tf', 'moto.tf']) copyFileSync(join('test/infra/moto', f), join(dir, f));
  // What moto does not keep of the user pool (see the file).
  copyFileSync(
    join('test/infra/moto', 'identity_moto_override.tf'),
    join(setup.work, 'terraform', 'modules', 'identity', 'moto_override.tf'),
  );
  const varArgs = Object.entries(vars).map(([k, v]) => `-var=${k}=${v}`);
  const tf = async (args: string[], ok = [0]) => {
    const r = await run(setup.terraform, [...args, '-no-color'], { cwd: dir, env: setup.env });
    assert.ok(ok.includes(r.code ?? -1), show(`terraform ${args.join(' ')}`, r));
    return r;
  };
  const json = async (args: string[]) => JSON.parse((await tf(args)).stdout) as Record<string, unknown>;
  return {
    setup,
    dir,
    varArgs,
    tf,
    async changes(planFile) {
      const plan = (await json(['show', '-json', planFile])) as {
        resource_changes?: { address: string; type: string; mode: string; change: { actions: string[] } }[];
      };
      return (plan.resource_changes ?? [])
        .filter((c) => c.mode === 'managed')
        .map((c) => ({ address: c.address, type: c.type, actions: c.change.actions }));
    },
    async outputs() {
      const out = (await json(['output', '-json'])) as Record<string, { value: unknown }>;
      return Object.fromEntries(Object.entries(out).map(([k, v]) => [k, v.value]));
    },
    async state() {
      type Module = {
        resources?: { address: string; type: string; values: Record<string, unknown> }[];
        child_modules?: Module[];
      };
      const state = (await json(['show', '-json'])) as { values?: { root_module?: Module } };
      const walk = (
        m: Module | undefined,
      ): { address: string; type: string; values: Record<string, unknown> }[] =>
        m ? [...(m.resources ?? []), ...(m.child_modules ?? []).flatMap(walk)] : [];
      return walk(state.values?.root_module);
    },
    remove: () => rmSync(setup.work, { recursive: true, force: true }),
  };
}

/** True when `to` can be reached from `from` along the edges of `terraform graph`'s DOT output. */
export function reaches(dot: string, from: string, to: string): boolean {
  const edges = new Map<string, string[]>();
  for (const m of dot.matchAll(/"([^"]+)" -> "([^"]+)"/g)) {
    const [, a = '', b = ''] = m;
    edges.set(a, [...(edges.get(a) ?? []), b]);
  }
  const seen = new Set<string>();
  const queue = [...edges.keys()].filter((n) => n.includes(from));
  while (queue.length > 0) {
    const n = queue.shift() ?? '';
    if (n.includes(to)) return true;
    if (seen.has(n)) continue;
    seen.add(n);
    queue.push(...(edges.get(n) ?? []));
  }
  return false;
}
