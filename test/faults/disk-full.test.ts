/**
 * Issue 17, item 6, from outside: the disk fills up under a running server. Sign-up, sign-in and
 * refresh answered 500 INTERNAL (SQLite's "database or disk is full" unhandled) while the store's
 * writes answered 503. Now every write that needs space answers 507 STORAGE_FULL, reads keep
 * working, nothing half-written remains, and once space is freed everything works again.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { test } from 'node:test';
import { audit, Ledger } from './kit/audit.ts';
import {
  type Answer,
  call,
  createUser,
  downloadFile,
  outboxCode,
  PASSWORD,
  sha256,
  Tally,
  type User,
  uploadForm,
} from './kit/client.ts';
import { mountSmallDisk } from './kit/disk.ts';
import { localStoredIds, startGatehouse, tempFiles } from './kit/server.ts';

const code = (a: Answer) => (a.body as { error?: { code?: string } } | null)?.error?.code;

/** While the disk is full: each answer is a success or 507 STORAGE_FULL, never anything else. */
function fullOrDone(what: string, a: Answer, ok: number): void {
  if (a.status === ok) return;
  assert.equal(a.status, 507, `${what} on a full disk: ${a.status} ${JSON.stringify(a.body)}`);
  assert.equal(code(a), 'STORAGE_FULL');
  assert.match(String((a.body as { error: { message: string } }).error.message), /out of storage space/);
}

test('a full disk: writes answer 507 STORAGE_FULL, reads work, and all is well once space is back', async (t) => {
  const disk = mountSmallDisk(32);
  assert.ok(disk, 'a tmpfs can be mounted here (root, or sudo -n)');
  const dataDir = join(disk.dir, 'data');
  const running = await startGatehouse(dataDir);
  t.after(async () => {
    await running.stop();
    disk.unmount();
  });
  const { origin } = running;
  const tally = new Tally();
  const ledger = new Ledger();
  const a = await createUser(tally, origin, (e) => outboxCode(origin, e));
  const files = new Map<string, Buffer>();
  for (let i = 0; i < 3; i++) {
    const bytes = randomBytes(50_000 + i);
    const up = await call(origin, 'POST', '/api/files', { token: a.token, form: uploadForm(bytes) });
    assert.equal(up.status, 201);
    const id = (up.body as { file: { id: string } }).file.id;
    files.set(id, bytes);
    ledger.uploaded.set(id, { userId: a.userId, sha256: sha256(bytes), size: bytes.length });
  }

  disk.fill();
  const seen = { signup: 0, signin: 0, upload: 0 };
  // Uploads write their bytes first: each is refused whole.
  for (let i = 0; i < 3; i++) {
    const up = await call(origin, 'POST', '/api/files', {
      token: a.token,
      form: uploadForm(randomBytes(20_000)),
    });
    fullOrDone('upload', up, 201);
    if (up.status === 507) seen.upload++;
  }
  // SQLite may still find room in its write-ahead log for a while; keep writing until it cannot.
  for (let i = 0; i < 200 && (seen.signup === 0 || seen.signin === 0); i++) {
    const email = `full-${i}-${randomBytes(3).toString('hex')}@example.com`;
    const up = await call(origin, 'POST', '/api/auth/signup', { json: { email, password: PASSWORD } });
    fullOrDone('sign-up', up, 202);
    if (up.status === 507) seen.signup++;
    const signin = await call(origin, 'POST', '/api/auth/signin', {
      json: { email: a.email, password: PASSWORD },
    });
    fullOrDone('sign-in', signin, 200);
    if (signin.status === 507) seen.signin++;
    else {
      const fresh = signin.body as { refresh_token: string };
      const refreshed = await call(origin, 'POST', '/api/auth/refresh', {
        json: { refresh_token: fresh.refresh_token },
      });
      fullOrDone('refresh', refreshed, 200);
    }
  }
  assert.ok(seen.upload === 3 && seen.signup > 0 && seen.signin > 0, `507s seen: ${JSON.stringify(seen)}`);
  // Reads keep working on a full disk.
  assert.equal((await call(origin, 'GET', '/api/users/me', { token: a.token })).status, 200);
  assert.equal((await call(origin, 'GET', '/api/files', { token: a.token })).status, 200);
  for (const [id, bytes] of files) {
    const got = await downloadFile(tally, origin, a, id);
    assert.equal(got.status, 200);
    assert.ok(bytes.equals(got.body as Buffer));
  }
  assert.deepEqual(tempFiles(dataDir), [], 'a refused upload leaves no partial file');

  disk.free();
  const b: User = await createUser(tally, origin, (e) => outboxCode(origin, e));
  const bytes = randomBytes(70_000);
  const up = await call(origin, 'POST', '/api/files', { token: b.token, form: uploadForm(bytes) });
  assert.equal(up.status, 201, JSON.stringify(up.body));
  ledger.uploaded.set((up.body as { file: { id: string } }).file.id, {
    userId: b.userId,
    sha256: sha256(bytes),
    size: bytes.length,
  });
  const again = await call(origin, 'POST', '/api/auth/signin', {
    json: { email: a.email, password: PASSWORD },
  });
  a.token = (again.body as { access_token: string }).access_token;
  await audit(tally, origin, [a, b], ledger, { storedIds: localStoredIds(dataDir) });
  t.diagnostic(`507s while full: ${JSON.stringify(seen)}`);
});
