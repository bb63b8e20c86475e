/**
 * Issue 18: the service's IAM policy grants exactly what the adapters call, no more and no less.
 * The actions come from the adapters' sources (the SDK command classes they import) and from the
 * lists in infra/terraform/modules/app/variables.tf; a call added without its permission, or a
 * permission left behind by a removed call, fails here with the list to fix.
 */
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { TREE } from './terraform-kit.ts';

/**
 * Cognito operations that IAM does not authorize: the user's own token or the app client does
 * (sign-up, sign-in, codes, TOTP enrolment, token revocation, the user's own email change, the
 * user's own passkeys). Every other operation the Cognito
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
  'StartWebAuthnRegistration',
  'CompleteWebAuthnRegistration',
  'ListWebAuthnCredentials',
  'DeleteWebAuthnCredential',
]);

/** The `XCommand` class names the TypeScript files under `dir` use, as X. */
const commandsSent = (dir: string, except: RegExp = /^$/): Set<string> =>
  new Set(
    sourceFiles(dir, except).flatMap((f) =>
      [...readFileSync(join(dir, f), 'utf8').matchAll(/\b([A-Z][A-Za-z]+)Command\b/g)].map((m) => m[1] ?? ''),
    ),
  );

/** The TypeScript files under `dir`, relative to it, but those whose path matches `except`. */
const sourceFiles = (dir: string, except: RegExp = /^$/): string[] =>
  readdirSync(dir, { recursive: true, encoding: 'utf8' }).filter((f) => f.endsWith('.ts') && !except.test(f));

/** The actions of a list variable's default in modules/app/variables.tf, without the service prefix. */
const allowedActions = (variable: string, service: string): Set<string> => {
  const variables = readFileSync(join(TREE, 'modules/app/variables.tf'), 'utf8');
  const block =
    new RegExp(`variable "${variable}" \\{[\\s\\S]*?default = \\[([\\s\\S]*?)\\]`).exec(variables)?.[1] ?? '';
  return new Set([...block.matchAll(new RegExp(`"${service}:([A-Za-z]+)"`, 'g'))].map((m) => m[1] ?? ''));
};

test("the service's IAM policy allows exactly the Cognito admin operations the adapter sends", () => {
  const sent = commandsSent('src/adapters/identity/cognito');
  const allowed = allowedActions('user_pool_actions', 'cognito-idp');
  assert.ok(sent.has('AdminLinkProviderForUser') && sent.has('InitiateAuth'), 'the adapter was read');
  const missing = [...sent].filter((op) => !PUBLIC_COGNITO_OPERATIONS.has(op) && !allowed.has(op));
  assert.deepEqual(missing, [], 'add these to user_pool_actions in infra/terraform/modules/app');
  const unused = [...allowed].filter((op) => !sent.has(op));
  assert.deepEqual(unused, [], 'the adapter never sends these: remove them from user_pool_actions');
});

/**
 * The DynamoDB store's calls, as IAM names them: the document client's commands are the item
 * operations. CreateTable, DescribeTable and UpdateTimeToLive appear only in table.ts, which the
 * composition runs against DynamoDB Local alone (DYNAMODB_ENDPOINT); on AWS the table is Terraform's.
 */
const DYNAMODB_ACTIONS: Record<string, string> = {
  Get: 'GetItem',
  Put: 'PutItem',
  Update: 'UpdateItem',
  Delete: 'DeleteItem',
  Query: 'Query',
  Scan: 'Scan',
  BatchGet: 'BatchGetItem',
  BatchWrite: 'BatchWriteItem',
  TransactGet: 'TransactGetItems',
  TransactWrite: 'TransactWriteItems',
  ExecuteStatement: 'PartiQLSelect',
};
const LOCAL_ONLY_DYNAMODB = new Set(['CreateTable', 'DescribeTable', 'UpdateTimeToLive']);

test("the service's IAM policy allows exactly the DynamoDB actions the store sends", () => {
  const dir = 'src/adapters/store/dynamodb';
  // The layout migrations run from `npm run migrate:dynamodb` with an operator's credentials
  // (docs/dynamodb.md), never in the service: their Scan is not the service's.
  const operatorOnly = /^migrations\//;
  const sent = commandsSent(dir, operatorOnly);
  const local = readFileSync(join(dir, 'table.ts'), 'utf8');
  for (const op of LOCAL_ONLY_DYNAMODB) {
    if (!sent.has(op)) continue;
    const elsewhere = sourceFiles(dir, operatorOnly).filter(
      (f) => f !== 'table.ts' && readFileSync(join(dir, f), 'utf8').includes(`${op}Command`),
    );
    assert.ok(local.includes(`${op}Command`) && elsewhere.length === 0, `${op} only in table.ts`);
    sent.delete(op);
  }
  const actions = [...sent].map((op) => DYNAMODB_ACTIONS[op] ?? `${op.replace(/Item$/, '')}Item`);
  assert.ok(actions.includes('TransactWriteItems') && actions.includes('Query'), 'the adapter was read');
  const allowed = allowedActions('table_actions', 'dynamodb');
  assert.deepEqual(
    actions.filter((a) => !allowed.has(a)),
    [],
    'add these to table_actions in infra/terraform/modules/app',
  );
  assert.deepEqual(
    [...allowed].filter((a) => !actions.includes(a)),
    [],
    'the store never sends these: remove them from table_actions',
  );
});
