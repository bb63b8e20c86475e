/**
 * Issue 7, item 6: docs/deploy.md stays true to the code it walks through: every terraform output it
 * reads exists in the environments, every script it runs exists and accepts the flags it is given,
 * every variable it sets is declared, and it covers the steps the issue asks for.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';

const doc = readFileSync('docs/deploy.md', 'utf8');

test('the terraform outputs and variables it uses exist in both environments', () => {
  const outputs = [...doc.matchAll(/terraform(?: -chdir=\S+)? output (?:-raw )?(\w+)/g)].map((m) => m[1]);
  const variables = [...doc.matchAll(/^(?:echo ['"])?(\w+) = /gm), ...doc.matchAll(/-var (\w+)=/g)].map(
    (m) => m[1],
  );
  assert.ok(outputs.length >= 5 && variables.length >= 3);
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

test('it covers the path from a fresh account to a running service, and back', () => {
  for (const heading of [
    'Bootstrap the Terraform state bucket',
    'Set the secret',
    'First deployment',
    'Custom domain',
    'Rolling back',
    'What the idle stack costs',
  ]) {
    assert.match(doc, new RegExp(`^##.*${heading}`, 'm'), heading);
  }
  assert.match(doc, /terraform apply -target=module\.stack\.module\.registry/);
  assert.match(doc, /aws secretsmanager put-secret-value/);
  assert.match(doc, /\*\*Total, idle\*\*/);
});
