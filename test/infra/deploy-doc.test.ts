/**
 * Issue 7, item 6 and issue 18, item 6: docs/deploy.md stays true to the code it walks through:
 * every terraform output it reads exists in the environments, every script it runs exists and
 * accepts the flags it is given, every variable it sets is declared; its steps come in the order
 * a fresh account needs (no service before its image and its secret, no manual secret step before
 * the service); and its cost table adds up, for each egress choice.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const doc = readFileSync('docs/deploy.md', 'utf8');

test('the terraform outputs and variables it uses exist in both environments', () => {
  const outputs = [...doc.matchAll(/terraform(?: -chdir=\S+)? output (?:-raw )?(\w+)/g)].map((m) => m[1]);
  const variables = [
    ...doc.matchAll(/^(?:# )?(?:echo ['"])?(\w+) += /gm),
    ...doc.matchAll(/-var (\w+)=/g),
    ...doc.matchAll(/echo "(\w+) = \\"/g),
  ].map((m) => m[1]);
  assert.ok(outputs.length >= 5 && variables.length >= 8);
  for (const env of ['dev', 'prod']) {
    const declared = readFileSync(`infra/terraform/envs/${env}/outputs.tf`, 'utf8');
    for (const o of outputs) assert.match(declared, new RegExp(`^output "${o}"`, 'm'), `${env} output ${o}`);
    const vars = readFileSync(`infra/terraform/envs/${env}/variables.tf`, 'utf8');
    const backend = readFileSync(`infra/terraform/envs/${env}/backend.hcl.example`, 'utf8');
    for (const v of variables) {
      assert.ok(
        new RegExp(`^variable "${v}"`, 'm').test(vars) || new RegExp(`^${v} `, 'm').test(backend),
        `${env} declares ${v}`,
      );
    }
  }
});

test('the scripts it runs exist and accept the flags it passes', () => {
  const calls = [...doc.matchAll(/(scripts\/[\w-]+\.sh)([^\n#]*)/g)];
  assert.ok(calls.length >= 5);
  for (const [, script = '', rest = ''] of calls) {
    assert.ok(existsSync(script), script);
    const source = readFileSync(script, 'utf8');
    for (const flag of rest.match(/--[\w-]+/g) ?? [])
      assert.ok(source.includes(`${flag})`), `${script} ${flag}`);
  }
});

/** The numbered steps, in order: [heading, body]. */
const steps = [...doc.matchAll(/^## (\d+)\. (.+)\n([\s\S]*?)(?=^## )/gm)].map((m) => ({
  n: Number(m[1]),
  title: m[2] ?? '',
  body: m[3] ?? '',
}));
const stepOf = (pattern: RegExp) => {
  const s = steps.find((x) => pattern.test(x.body));
  assert.ok(s, `a step runs ${pattern}`);
  return s.n;
};

test('it covers the path from a fresh account to a running service, and back', () => {
  assert.deepEqual(
    steps.map((s) => s.n),
    steps.map((_, i) => i + 1),
    'steps are numbered in order',
  );
  for (const heading of [
    'Bootstrap the Terraform state bucket',
    'Create the registry and push the first image',
    'Create everything else, in one apply',
    'More secrets',
    'Mail through SES',
    'Releasing',
    'Custom domain',
    'Rolling back',
    'Tearing down and re-creating',
  ]) {
    assert.ok(
      steps.some((s) => s.title.startsWith(heading)),
      heading,
    );
  }
  assert.match(doc, /^## What the idle stack costs$/m);
  assert.doesNotMatch(
    doc,
    /needs issue 6|until they exist the app refuses/,
    'no stale banner about AWS mode',
  );
});

test('the order a fresh account needs: image, then one apply with the secret in it, then /ready', () => {
  const registry = stepOf(/terraform apply -target=module\.stack\.module\.registry/);
  const push = stepOf(/scripts\/build-and-push\.sh --env dev --no-deploy/);
  const tag = stepOf(/image_tag = /);
  const apply = steps.find((s) => /^terraform apply +#/m.test(s.body))?.n ?? 0;
  assert.ok(
    registry <= push && push <= tag && tag < apply,
    `registry ${registry}, push ${push}, tag ${tag}, apply ${apply}`,
  );
  const ready = stepOf(/\/ready"\)?/);
  assert.equal(ready, apply, 'the full apply is checked with /ready right away');
  // The secret's value comes within that apply: no manual put before it.
  const put = stepOf(/aws secretsmanager put-secret-value/);
  assert.ok(put > apply, 'adding secrets by hand comes after the service runs, and is optional');
  assert.match(steps.find((s) => s.n === apply)?.body ?? '', /COGNITO_CLIENT_SECRET/);
  const destroy = stepOf(/^terraform destroy/m);
  assert.match(steps.find((s) => s.n === destroy)?.body ?? '', /same day[\s\S]*step 4[\s\S]*step 5/);
});

test('the idle cost table adds up, for each egress choice', () => {
  const table = doc.slice(doc.indexOf('## What the idle stack costs'));
  const rows = [...table.matchAll(/^\| ([^|\n]+) \|[^|\n]*\|(( [^|\n]+ \|){3})$/gm)].map((m) => ({
    item: m[1]?.trim() ?? '',
    cells: (m[2] ?? '')
      .split('|')
      .map((c) => c.trim())
      .filter(Boolean),
  }));
  const header = /^\| Item \| Assumption \| (.+) \|$/m.exec(table)?.[1]?.split(' | ') ?? [];
  assert.deepEqual(header, ['dev, default egress', 'dev, vpc egress', 'prod, vpc egress']);
  const money = (c: string) => Number(/\$(\d+(?:\.\d+)?)/.exec(c)?.[1] ?? Number.NaN);
  const total = rows.find((r) => r.item === '**Total, idle**');
  assert.ok(total, 'a total row');
  const items = rows.filter((r) => r !== total && r.item !== 'Item' && !r.item.startsWith('---'));
  assert.ok(items.length >= 8);
  for (let col = 0; col < 3; col++) {
    const sum = items.reduce((s, r) => s + money(r.cells[col] ?? ''), 0);
    assert.ok(Math.abs(sum - money(total.cells[col] ?? '')) < 0.005, `column ${header[col]}: ${sum}`);
  }
  const nat = items.find((r) => r.item === 'NAT gateway');
  assert.equal(money(nat?.cells[0] ?? ''), 0, 'the default egress has no NAT gateway');
});
