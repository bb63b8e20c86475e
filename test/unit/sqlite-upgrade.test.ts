/**
 * Every SQLite file goes through the one migration runner (src/adapters/shared/sqlite-migrations.ts).
 * The files the previous release made (test/fixtures/previous-release, SQL dumps written by its
 * make.ts) open with this release's adapters: their data reads back, their version is the latest,
 * and their schema is exactly a new file's. The runner itself: a failing step leaves the file as
 * it was, and a file from a newer release is refused with a message naming it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { openSimulatorDb } from '../../src/adapters/billing/simulator/simulator-db.ts';
import { createBuiltinIdentity } from '../../src/adapters/identity/builtin/builtin-identity.ts';
import { IDENTITY_MIGRATIONS } from '../../src/adapters/identity/builtin/schema.ts';
import { migrate } from '../../src/adapters/shared/sqlite-migrations.ts';
import { createSqliteStore, SCHEMA_VERSION } from '../../src/adapters/store/sqlite/sqlite-store.ts';
import { PREVIOUS, restoreSql, schemaShape } from '../helpers/sqlite-dump.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`../fixtures/previous-release/${name}.sql`, import.meta.url), 'utf8');

function tempDir(t: { after(fn: () => void): void }): string {
  const dir = mkdtempSync(join(tmpdir(), 'gh-upgrade-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The previous release's file `name` at dir/name.db, and a new file made by this release. */
function previousAndNew(dir: string, name: string) {
  const previous = join(dir, `${name}.db`);
  restoreSql((f) => new Database(f), previous, fixture(name));
  return { previous, fresh: join(dir, `new-${name}.db`) };
}

function inspect(file: string) {
  const db = new Database(file, { readonly: true });
  try {
    return { version: Number(db.pragma('user_version', { simple: true })), shape: schemaShape(db) };
  } finally {
    db.close();
  }
}

const identityOptions = (file: string) => ({
  file,
  issuer: 'http://localhost:3000',
  clientId: 'gatehouse',
  mail: { send: async () => undefined },
  mailContext: { serviceName: 'Gatehouse', appOrigin: 'http://localhost:3000' },
  hashCost: 10,
  accessTokenTtl: 3600,
  refreshTokenTtl: 30 * 24 * 3600,
  refreshIdleTtl: 7 * 24 * 3600,
});

test("the previous release's identity.db (unversioned) upgrades: its user signs in, the schema is a new file's", async (t) => {
  const dir = tempDir(t);
  const { previous, fresh } = previousAndNew(dir, 'identity');
  assert.equal(inspect(previous).version, 0, 'the fixture is from before versioning');
  const identity = createBuiltinIdentity(identityOptions(previous));
  const signedIn = await identity.initiateAuth(PREVIOUS.email, PREVIOUS.password);
  assert.equal(signedIn.kind, 'tokens');
  await identity.close();
  await createBuiltinIdentity(identityOptions(fresh)).close();
  const upgraded = inspect(previous);
  assert.equal(upgraded.version, IDENTITY_MIGRATIONS.steps.length);
  assert.deepEqual(upgraded.shape, inspect(fresh).shape);
});

test("the previous release's store file upgrades: its profile and revocation mark read back", async (t) => {
  const dir = tempDir(t);
  const { previous, fresh } = previousAndNew(dir, 'gatehouse');
  const raw = new Database(previous, { readonly: true });
  const userId = raw.prepare<[], { user_id: string }>('SELECT user_id FROM profiles').get()?.user_id;
  raw.close();
  assert.ok(userId);
  const store = createSqliteStore(previous);
  assert.equal((await store.profiles.get(userId))?.email, PREVIOUS.email);
  assert.ok((await store.revocations.get(userId)) !== null);
  await store.close();
  await createSqliteStore(fresh).close();
  const upgraded = inspect(previous);
  assert.equal(upgraded.version, SCHEMA_VERSION);
  assert.deepEqual(upgraded.shape, inspect(fresh).shape);
});

test("the previous release's billing simulator file upgrades: its customer reads back", async (t) => {
  const dir = tempDir(t);
  const { previous, fresh } = previousAndNew(dir, 'billing-simulator');
  const sim = openSimulatorDb(previous);
  assert.equal(sim.customer.get(PREVIOUS.customerId)?.email, PREVIOUS.email);
  sim.db.close();
  openSimulatorDb(fresh).db.close();
  assert.deepEqual(inspect(previous).shape, inspect(fresh).shape);
  assert.equal(inspect(previous).version, inspect(fresh).version);
});

test('the runner: a failing step leaves the file as it was; a newer file is refused by name', () => {
  const db = new Database(':memory:');
  const steps = ['CREATE TABLE a (x)', 'CREATE TABLE b (x); CREATE TABLE oops ('];
  assert.throws(() => migrate(db, { label: 'test.db', steps }), /syntax error|incomplete input/);
  assert.equal(db.pragma('user_version', { simple: true }), 0);
  assert.equal(
    db.prepare<[], { n: number }>("SELECT count(*) AS n FROM sqlite_master WHERE name IN ('a', 'b')").get()
      ?.n,
    0,
  );
  assert.equal(migrate(db, { label: 'test.db', steps: steps.slice(0, 1) }), 0);
  assert.equal(db.pragma('user_version', { simple: true }), 1);
  assert.throws(
    () => migrate(db, { label: 'test.db', steps: [] }),
    /^Error: test\.db is at schema version 1, newer than this Gatehouse understands \(0\)/,
  );
  db.close();
});
