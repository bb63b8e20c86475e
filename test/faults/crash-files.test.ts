/**
 * Issue 17, items 4 and 5, from outside: a server killed with SIGKILL again and again while its
 * users upload and delete files. After each restart no partial upload is left in the blobs temp
 * folder (they survived restarts for an hour before: 124 MB in one run); at the end every
 * acknowledged upload is listed and downloads byte for byte, no deleted file is listed, no file is
 * listed without its bytes (14 were, in one run, when a delete removed the bytes first), usage is
 * the sum of the sizes, and once the collector has run no bytes are left without a record.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { audit, Ledger } from './kit/audit.ts';
import { createUser, outboxCode, Tally } from './kit/client.ts';
import { runLoad } from './kit/load.ts';
import { localStoredIds, type Running, startGatehouse, tempFiles } from './kit/server.ts';

const KILLS = 4;
const PER_LIFE = { uploads: 5, deletes: 2 };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('kill -9 mid-upload and mid-delete, four times: nothing acknowledged lost, nothing listed without bytes', async (t) => {
  const dataDir = mkdtempSync(join(tmpdir(), 'gh-crash-'));
  let running: Running & { port: number } = await startGatehouse(dataDir);
  t.after(async () => {
    await running.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });
  const tally = new Tally();
  const ledger = new Ledger();
  const users = [];
  for (let i = 0; i < 4; i++)
    users.push(await createUser(tally, running.origin, (e) => outboxCode(running.origin, e)));

  let stopped = false;
  const load = runLoad({
    origin: () => running.origin,
    users,
    tally,
    ledger,
    until: () => stopped,
    // Up to 2 MiB, so that a kill often lands while a temp file is being written.
    maxFileBytes: 2 * 1024 * 1024,
    weights: { upload: 45, delete: 30, download: 10, list: 10, me: 5, refresh: 0 },
  });
  const strays: string[][] = [];
  let partials = 0; // Partial uploads the kills left behind.
  // Each life acknowledges some uploads and deletes before its kill (however slow the machine),
  // and the kill then lands at a random moment of the load.
  const progress = async () => {
    const uploads = ledger.uploaded.size + PER_LIFE.uploads;
    const deletes = ledger.deleted.size + PER_LIFE.deletes;
    const until = Date.now() + 120_000;
    while (ledger.uploaded.size < uploads || ledger.deleted.size < deletes) {
      assert.ok(Date.now() < until, `no progress in 2 minutes: ${tally.summary()}`);
      await sleep(100);
    }
    await sleep(Math.random() * 1500);
  };
  try {
    for (let kill = 0; kill < KILLS; kill++) {
      await progress();
      await running.kill();
      partials += tempFiles(dataDir).length;
      const next = await startGatehouse(dataDir, { port: running.port });
      // The load is back as soon as the new life listens, so its own uploads may be under way
      // (named after its pid); any other temp file is a dead life's, which the start must remove.
      const own = `${next.server.child.pid}-`;
      strays.push(tempFiles(dataDir).filter((n) => !n.startsWith(own)));
      running = next;
    }
    await progress();
  } finally {
    stopped = true; // Also when a life made no progress: the load must end.
  }
  const { problems, connectionErrors } = await load;
  assert.deepEqual(problems, []);
  assert.deepEqual(
    strays,
    Array.from({ length: KILLS }, () => []),
    'partial uploads are gone at each start',
  );

  // The last life's collector removes the bytes earlier lives' kills left without a record.
  const checked = await audit(tally, running.origin, users, ledger, {
    storedIds: localStoredIds(dataDir),
    settleMs: 15_000,
  });
  assert.deepEqual(tempFiles(dataDir), []);
  assert.deepEqual(tally.serverErrors(), [], tally.summary());
  t.diagnostic(
    `${tally.total()} answers (${tally.summary()}), ${connectionErrors} cut by kills; ` +
      `${ledger.uploaded.size} uploads and ${ledger.deleted.size} deletes acknowledged, ` +
      `${ledger.uncertain.size} deletes cut off, ${partials} partial uploads left by kills; audited ${checked.files} files, ${checked.bytes} bytes`,
  );
});
