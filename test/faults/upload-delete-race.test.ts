/**
 * Issue 17, item 3, from outside: uploads racing the deletion of the user's last file. Deleting
 * it emptied and removed the user's folder while the upload's mkdir and rename ran, and the
 * upload answered 503 (486 of about 22,000 uploads in a 3-minute soak). Each user here deletes
 * their only file while uploading the next, again and again; every upload must land.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { audit, Ledger } from './kit/audit.ts';
import { call, createUser, outboxCode, sha256, Tally, type User, uploadForm } from './kit/client.ts';
import { localStoredIds, startGatehouse } from './kit/server.ts';

const SECONDS = 10;

test('an upload racing the deletion of the last file always lands', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gh-race-'));
  const running = await startGatehouse(dataDir);
  t.after(async () => {
    await running.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const { origin } = running;
  const tally = new Tally();
  const ledger = new Ledger();
  const users: User[] = [];
  for (let i = 0; i < 4; i++) users.push(await createUser(tally, origin, (e) => outboxCode(origin, e)));

  const upload = async (user: User): Promise<string> => {
    const bytes = randomBytes(1 + Math.floor(Math.random() * 4096));
    const a = await call(origin, 'POST', '/api/files', { token: user.token, form: uploadForm(bytes) });
    tally.add(a);
    assert.equal(a.status, 201, `upload: ${JSON.stringify(a.body)}`);
    const id = (a.body as { file: { id: string } }).file.id;
    ledger.uploaded.set(id, { userId: user.userId, sha256: sha256(bytes), size: bytes.length });
    return id;
  };

  const until = Date.now() + SECONDS * 1000;
  let pairs = 0;
  await Promise.all(
    users.map(async (user) => {
      let last = await upload(user);
      while (Date.now() < until) {
        const [deleted, next] = await Promise.all([
          call(origin, 'DELETE', `/api/files/${last}`, { token: user.token }),
          upload(user),
        ]);
        tally.add(deleted);
        assert.equal(deleted.status, 204);
        ledger.deleted.add(last);
        last = next;
        pairs++;
      }
    }),
  );
  assert.deepEqual(tally.serverErrors([]), [], tally.summary());
  await audit(tally, origin, users, ledger, { storedIds: localStoredIds(dataDir) });
  t.diagnostic(`${pairs} deletes of a last file, each racing an upload: ${tally.summary()}`);
});
