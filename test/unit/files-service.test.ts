/**
 * services/files.ts built from small fake ports (FilesDeps: the files and audit aggregates,
 * blobs, a clock, a log, the plan table): the plan decides before the body is read, the quota
 * holds whether the user's record, the stream or the store's atomic check finds it passed, a
 * refused upload leaves no bytes, and one user cannot reach another's file.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { describe, test } from 'node:test';
import type { SubscriptionRecord } from '../../src/ports/store.ts';
import { deleteFile, type FileOwner, type FilesDeps, uploadFile } from '../../src/services/files.ts';
import {
  DAY,
  META,
  manualClock,
  memoryAudit,
  memoryBlobs,
  memoryFiles,
  PLAN_LIMITS,
  PLANS,
  profileOf,
  recordingLog,
  subscriptionOf,
  T0,
} from '../fakes/service-ports.ts';

function setup(config: FilesDeps['config'] = PLAN_LIMITS) {
  const audit = memoryAudit();
  const files = memoryFiles(audit);
  const blobs = memoryBlobs();
  const deps: FilesDeps = {
    clock: manualClock(),
    log: recordingLog(),
    plans: PLANS,
    config,
    blobs,
    store: { files, audit },
  };
  const opened: number[] = [];
  /** The request's file part: `bytes` of it, opened at most once per upload. */
  const upload =
    (bytes: Buffer, filename = 'notes.txt') =>
    async (maxBytes: number) => {
      opened.push(maxBytes);
      return { filename, stream: Readable.from([bytes]) };
    };
  return { deps, audit, files, blobs, opened, upload };
}

/** The trial's figures in PLANS: 100 bytes of quota, 40 per file; basic: 1000 and 400. */
const owner = (
  opts: { createdAt?: number; billing?: SubscriptionRecord | null; used?: number; userId?: string } = {},
): FileOwner => {
  const userId = opts.userId ?? 'u1';
  return {
    userId,
    profile: profileOf(userId, opts.createdAt ?? T0 - DAY),
    billing: opts.billing ?? null,
    usage: { bytes: opts.used ?? 0, count: opts.used ? 1 : 0 },
  };
};

const fails = (code: string) => (err: unknown) => {
  assert.equal((err as { code?: string }).code, code, String(err));
  return true;
};

describe('files service (fake ports)', () => {
  test('an upload within the plan is stored: sniffed type, hash, its audit event in the same write', async () => {
    const { deps, audit, files, blobs, upload } = setup();
    const bytes = Buffer.from('hello, files');
    const record = await uploadFile(deps, owner(), upload(bytes), META);
    assert.equal(record.size, bytes.length);
    assert.equal(record.contentType, 'text/plain');
    assert.equal(record.sha256, createHash('sha256').update(bytes).digest('hex'));
    assert.deepEqual(files.records.get(record.id), record);
    assert.deepEqual(blobs.objects.get(record.blobKey), bytes);
    assert.deepEqual(
      audit.events.map((e) => [e.type, e.subjectId, e.detail.file_id]),
      [['file.uploaded', 'u1', record.id]],
    );
  });

  test('a trial that ran out is refused PLAN_REQUIRED before the body is opened', async () => {
    const { deps, files, blobs, opened, upload } = setup();
    await assert.rejects(
      uploadFile(deps, owner({ createdAt: T0 - 15 * DAY }), upload(Buffer.from('x')), META),
      (err: Error) => fails('PLAN_REQUIRED')(err) && /trial has ended/.test(err.message),
    );
    assert.deepEqual(opened, [], 'the file part is never opened');
    assert.equal(blobs.puts, 0);
    assert.equal(files.records.size, 0);
  });

  test('an ended subscription (the free tier) is refused PLAN_REQUIRED, pointing at a paid plan', async () => {
    const { deps, opened, upload } = setup();
    const billing = subscriptionOf('u1', 'basic', 'canceled');
    await assert.rejects(
      uploadFile(deps, owner({ billing }), upload(Buffer.from('x')), META),
      (err: Error) => fails('PLAN_REQUIRED')(err) && /paid plan/.test(err.message),
    );
    assert.deepEqual(opened, []);
  });

  test('a user whose files fill the quota is refused QUOTA_EXCEEDED before the body is opened', async () => {
    const { deps, opened, blobs, upload } = setup();
    await assert.rejects(
      uploadFile(deps, owner({ used: 100 }), upload(Buffer.from('x')), META),
      fails('QUOTA_EXCEEDED'),
    );
    assert.deepEqual(opened, []);
    assert.equal(blobs.puts, 0);
  });

  test('a file larger than what is left of the quota is QUOTA_EXCEEDED, and no bytes stay', async () => {
    const { deps, files, blobs, upload } = setup();
    // 80 of 100 used: 20 left, under the 40 a file may have, so the stream stops at 20.
    await assert.rejects(
      uploadFile(deps, owner({ used: 80 }), upload(Buffer.alloc(30, 1)), META),
      fails('QUOTA_EXCEEDED'),
    );
    assert.equal(blobs.objects.size, 0);
    assert.equal(files.records.size, 0);
  });

  test("a file larger than the plan's per-file limit is FILE_TOO_LARGE; the part is opened with that limit", async () => {
    const { deps, opened, blobs, upload } = setup();
    const billing = subscriptionOf('u1', 'basic', 'active');
    await assert.rejects(
      uploadFile(deps, owner({ billing }), upload(Buffer.alloc(401, 1)), META),
      fails('FILE_TOO_LARGE'),
    );
    assert.deepEqual(opened, [400]);
    assert.equal(blobs.objects.size, 0);
  });

  test("FILE_QUOTA_BYTES replaces the plan's quota", async () => {
    const { deps, upload } = setup({ fileQuotaBytes: 10, fileMaxBytes: null });
    const billing = subscriptionOf('u1', 'basic', 'active');
    await assert.rejects(
      uploadFile(deps, owner({ billing }), upload(Buffer.alloc(11, 1)), META),
      fails('QUOTA_EXCEEDED'),
    );
  });

  test("when the store's atomic check refuses (a concurrent upload won), QUOTA_EXCEEDED and the bytes are deleted", async () => {
    const { deps, audit, files, blobs, upload } = setup();
    files.refuseNext = true;
    await assert.rejects(
      uploadFile(deps, owner(), upload(Buffer.from('hello')), META),
      fails('QUOTA_EXCEEDED'),
    );
    assert.equal(blobs.puts, 1, 'the bytes were written before the check');
    assert.equal(blobs.objects.size, 0, 'and removed after it');
    assert.deepEqual(audit.events, []);
  });

  test("another user's file is NOT_FOUND to delete, and stays", async () => {
    const { deps, files, blobs, upload } = setup();
    const record = await uploadFile(deps, owner({ userId: 'owner' }), upload(Buffer.from('mine')), META);
    await assert.rejects(deleteFile(deps, 'intruder', record.id, META), fails('NOT_FOUND'));
    assert.ok(files.records.has(record.id));
    assert.ok(blobs.objects.has(record.blobKey));
    await deleteFile(deps, 'owner', record.id, META);
    assert.equal(files.records.size, 0);
    assert.equal(blobs.objects.size, 0);
  });
});
