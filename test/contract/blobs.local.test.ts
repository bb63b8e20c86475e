/**
 * The blobs contract against the local-folder adapter, plus what only it can be checked for: no
 * temp file outlives a failed upload, nothing is written outside the root, permissions are
 * owner-only, blobs survive re-creation, temp files of a dead process are swept at start, and an
 * upload racing the removal of its folder still lands.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fsp, { mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe, test } from 'node:test';
import { createLocalBlobs } from '../../src/adapters/blobs/local/local-blobs.ts';
import { isAppError } from '../../src/domain/errors.ts';
import {
  BAD_KEYS,
  blobsContract,
  failingAfter,
  generated,
  sha256Of,
  sha256Stream,
} from './blobs.contract.ts';

blobsContract('local folder', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'gatehouse-blobs-'));
  return {
    blobs: createLocalBlobs(join(dir, 'blobs')),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

/** Every path under dir, relative, files and folders. */
async function tree(dir: string): Promise<string[]> {
  return (await readdir(dir, { recursive: true })).map(String).sort();
}

describe('local blobs on disk', () => {
  let outer: string;
  let root: string;
  beforeEach(async () => {
    outer = await mkdtemp(join(tmpdir(), 'gatehouse-blobs-'));
    root = join(outer, 'blobs');
  });
  afterEach(async () => {
    await rm(outer, { recursive: true, force: true });
  });

  test('failed uploads leave no temp file and no partial blob', async () => {
    const blobs = createLocalBlobs(root);
    await assert.rejects(blobs.put('up/a', failingAfter(1024 * 1024), { contentType: 'text/plain' }));
    await assert.rejects(
      blobs.put('up/b', generated(1024 * 1024), { contentType: 'text/plain', maxBytes: 1000 }),
      (e: unknown) => isAppError(e) && e.code === 'PAYLOAD_TOO_LARGE',
    );
    assert.deepEqual(await readdir(join(root, '.tmp')), []);
    assert.deepEqual(await tree(root), ['.tmp']);
  });

  test('a successful upload leaves no temp file either', async () => {
    const blobs = createLocalBlobs(root);
    await blobs.put('a/b/c', generated(100_000), { contentType: 'text/plain' });
    assert.deepEqual(await readdir(join(root, '.tmp')), []);
  });

  test('refused keys touch nothing, inside or outside the root', async () => {
    const blobs = createLocalBlobs(root);
    for (const key of BAD_KEYS) {
      await assert.rejects(blobs.put(key, Readable.from([Buffer.from('x')]), { contentType: 'text/plain' }));
    }
    assert.deepEqual(await tree(outer), ['blobs', 'blobs/.tmp']);
  });

  test('files are 0600 and folders 0700', async () => {
    const blobs = createLocalBlobs(root);
    await blobs.put('users/u1/photo', generated(10), { contentType: 'image/png' });
    for (const rel of await tree(root)) {
      const s = await stat(join(root, rel));
      assert.equal(s.mode & 0o777, s.isDirectory() ? 0o700 : 0o600, rel);
    }
    assert.equal((await stat(root)).mode & 0o777, 0o700);
  });

  test('blobs survive re-creation of the adapter on the same folder', async () => {
    await createLocalBlobs(root).put('keep/me', generated(200_000, 9), { contentType: 'application/pdf' });
    const again = createLocalBlobs(root);
    const got = await again.get('keep/me');
    assert.ok(got);
    assert.equal(got.info.contentType, 'application/pdf');
    assert.equal((await sha256Stream(got.body)).sha256, sha256Of(200_000, 9));
    assert.deepEqual((await again.list('')).keys, ['keep/me']);
  });

  test('stray files in the folder are never listed as blobs', async () => {
    const blobs = createLocalBlobs(root);
    await blobs.put('real', generated(1), { contentType: 'text/plain' });
    await writeFile(join(root, 'stray.txt'), 'x');
    await writeFile(join(root, '.tmp', 'upload.part'), 'x');
    assert.deepEqual((await blobs.list('')).keys, ['real']);
  });

  test('deleting the last blob of a folder removes the emptied folders', async () => {
    const blobs = createLocalBlobs(root);
    await blobs.put('x/y/z', generated(1), { contentType: 'text/plain' });
    await blobs.put('x/w', generated(1), { contentType: 'text/plain' });
    await blobs.delete('x/y/z');
    assert.deepEqual(await tree(root), ['.tmp', 'x', 'x/w~blob']);
    await blobs.put('x/y/z', generated(1), { contentType: 'text/plain' });
    assert.equal((await blobs.head('x/y/z'))?.size, 1);
  });

  test('at start, temp files of a process that is gone are removed however young (issue 17, item 5)', async () => {
    createLocalBlobs(root);
    const dead = spawnSync(process.execPath, ['-e', '0']).pid;
    assert.ok(dead);
    const tmp = join(root, '.tmp');
    // A crash mid-upload: a dead writer's part file, a second ago.
    await writeFile(join(tmp, `${dead}-crashed.part`), Buffer.alloc(64 * 1024));
    // Our own pid: a previous life of this server (a container restarts with the same pid).
    await writeFile(join(tmp, `${process.pid}-previous-life.part`), 'x');
    // Named before temp files carried their writer's pid.
    await writeFile(join(tmp, 'unnamed.part'), 'x');
    // Another running process's upload (a second server on the folder) is left to it...
    await writeFile(join(tmp, `${process.ppid}-live.part`), 'x');
    // ...unless an hour old: then its pid was reused by something else.
    const abandoned = join(tmp, `${process.ppid}-abandoned.part`);
    await writeFile(abandoned, 'x');
    const twoHoursAgo = new Date(Date.now() - 2 * 3600 * 1000);
    await utimes(abandoned, twoHoursAgo, twoHoursAgo);
    createLocalBlobs(root);
    assert.deepEqual(await readdir(tmp), [`${process.ppid}-live.part`]);
  });

  test("an upload racing the deletion of its folder's last blob lands (issue 17, item 3)", async (t) => {
    const blobs = createLocalBlobs(root);
    await blobs.put('files/u1/last', generated(10), { contentType: 'text/plain' });
    // The race, made certain: every time the upload is about to rename its temp file into
    // files/u1/, a delete in that folder runs to its end first (removing the last blob, then the
    // folders it left empty), as a concurrent DELETE can.
    const realRename = fsp.rename;
    let deletes = 0;
    fsp.rename = async (from, to) => {
      if (String(to).includes(join('files', 'u1'))) {
        await blobs.delete(deletes === 0 ? 'files/u1/last' : 'files/u1/gone');
        deletes++;
      }
      return realRename(from, to);
    };
    syncBuiltinESMExports();
    t.after(() => {
      fsp.rename = realRename;
      syncBuiltinESMExports();
    });
    await blobs.put('files/u1/new', generated(10, 2), { contentType: 'text/plain' });
    assert.ok(deletes > 0, 'the delete ran inside the upload');
    assert.equal(await blobs.head('files/u1/last'), null);
    assert.equal((await blobs.head('files/u1/new'))?.size, 10);
  });
});
