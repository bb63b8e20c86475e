/**
 * The blobs port's contract (ports/blobs.ts), run unchanged against every adapter. Each test gets
 * a fresh, empty store from `make`. Bodies are generated on the fly and compared by SHA-256, so a
 * multi-megabyte round trip never sits whole in the test's memory either.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { afterEach, beforeEach, describe } from 'node:test';
import { isAppError } from '../../src/domain/errors.ts';
import type { Blobs } from '../../src/ports/blobs.ts';
import { contractCases } from '../helpers/contract-cases.ts';

export type MakeBlobs = () => Promise<{ blobs: Blobs; cleanup: () => Promise<void> }>;

const CHUNK = 64 * 1024;

/**
 * Every key under `prefix`, read two at a time through the cursor (at most ten pages), each page
 * checked to hold at most two.
 */
export async function listPaged(blobs: Blobs, prefix: string): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | undefined;
  for (let pages = 0; pages < 10; pages++) {
    const page = await blobs.list(prefix, { limit: 2, ...(cursor === undefined ? {} : { cursor }) });
    assert.ok(page.keys.length <= 2);
    seen.push(...page.keys);
    if (page.nextCursor === null) break;
    cursor = page.nextCursor;
  }
  return seen;
}

/** Deterministic pseudo-random bytes: chunk i of seed s is always the same. */
function* chunks(size: number, seed: number): Generator<Buffer> {
  for (let offset = 0; offset < size; offset += CHUNK) {
    const n = Math.min(CHUNK, size - offset);
    const buf = Buffer.alloc(n);
    for (let j = 0; j < n; j++) buf[j] = ((offset + j) * 2654435761 + seed * 40503) >>> 24;
    yield buf;
  }
}

export const generated = (size: number, seed = 1): Readable => Readable.from(chunks(size, seed));

export function sha256Of(size: number, seed = 1): string {
  const hash = createHash('sha256');
  for (const c of chunks(size, seed)) hash.update(c);
  return hash.digest('hex');
}

export async function sha256Stream(body: Readable): Promise<{ sha256: string; size: number }> {
  const hash = createHash('sha256');
  let size = 0;
  for await (const chunk of body) {
    const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk as string);
    hash.update(buf);
    size += buf.length;
  }
  return { sha256: hash.digest('hex'), size };
}

/** A source that sends `before` bytes and then fails, like an upload whose connection drops. */
export function failingAfter(before: number, message = 'connection reset by test'): Readable {
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= before) {
        this.destroy(new Error(message));
        return;
      }
      const n = Math.min(CHUNK, before - sent);
      sent += n;
      this.push(Buffer.alloc(n, 7));
    },
  });
}

const text = (s: string): Readable => Readable.from([Buffer.from(s)]);
const hasCode = (code: string) => (err: unknown) => isAppError(err) && err.code === code;

export const BAD_KEYS = [
  '../x',
  'a/../../b',
  'a/../b',
  'a/./b',
  '%2e%2e%2f',
  'a\\b',
  'a\u0000b',
  'k'.repeat(2000),
  '',
  '/a',
  'a/',
  'a//b',
];

/**
 * `exclude`: cases a peer cannot run (its runner says why and covers them elsewhere). They are not
 * registered, so never show as skipped; a name matching no case fails, so the list cannot rot.
 */
export function blobsContract(
  name: string,
  make: MakeBlobs,
  options: { readonly exclude?: readonly string[] } = {},
): void {
  const { test, checkExclusions } = contractCases(options.exclude);
  describe(`blobs contract: ${name}`, () => {
    let blobs: Blobs;
    let cleanup: () => Promise<void>;
    beforeEach(async () => {
      ({ blobs, cleanup } = await make());
    });
    afterEach(async () => {
      await cleanup();
    });

    const readText = async (key: string): Promise<string | null> => {
      const got = await blobs.get(key);
      if (!got) return null;
      const parts: Buffer[] = [];
      for await (const c of got.body) parts.push(Buffer.from(c as Buffer));
      return Buffer.concat(parts).toString('utf8');
    };

    test('ping resolves on working storage', async () => {
      await blobs.ping();
    });

    test('a multi-megabyte stream round-trips byte for byte', async () => {
      const size = 5 * 1024 * 1024 + 123;
      const info = await blobs.put('files/u1/big.bin', generated(size, 3), {
        contentType: 'application/octet-stream',
      });
      assert.deepEqual(info, { key: 'files/u1/big.bin', size, contentType: 'application/octet-stream' });
      const got = await blobs.get('files/u1/big.bin');
      assert.ok(got);
      assert.deepEqual(got.info, info);
      assert.deepEqual(await sha256Stream(got.body), { sha256: sha256Of(size, 3), size });
    });

    test('put and get stream: 128 MiB pass through without being held in memory', async () => {
      const size = 128 * 1024 * 1024;
      const MiB = 1024 * 1024;
      const base = process.memoryUsage().arrayBuffers;
      let peak = base;
      // Fresh 1 MiB chunks, so an adapter that kept them (or joined them) would hold all 128.
      const source = Readable.from(
        (function* () {
          for (let i = 0; i < size / MiB; i++) {
            peak = Math.max(peak, process.memoryUsage().arrayBuffers);
            yield Buffer.alloc(MiB, i);
          }
        })(),
      );
      await blobs.put('files/u1/huge.bin', source, { contentType: 'application/octet-stream' });
      const got = await blobs.get('files/u1/huge.bin');
      assert.ok(got);
      let read = 0;
      for await (const c of got.body) {
        read += (c as Buffer).length;
        peak = Math.max(peak, process.memoryUsage().arrayBuffers);
      }
      assert.equal(read, size);
      const grew = (peak - base) / MiB;
      assert.ok(grew < 96, `external memory grew by ${grew.toFixed(0)} MiB while streaming 128 MiB`);
    });

    test('head and get keep the content type; an empty body is a blob of size 0', async () => {
      await blobs.put('photos/u1', text('<svg/>'), { contentType: 'image/svg+xml' });
      assert.deepEqual(await blobs.head('photos/u1'), {
        key: 'photos/u1',
        size: 6,
        contentType: 'image/svg+xml',
      });
      const got = await blobs.get('photos/u1');
      // A body the caller will not read must be destroyed, or its file handle stays open.
      got?.body.destroy();
      assert.equal(got?.info.contentType, 'image/svg+xml');
      await blobs.put('empty', Readable.from([]), { contentType: 'text/plain' });
      assert.deepEqual(await blobs.head('empty'), { key: 'empty', size: 0, contentType: 'text/plain' });
      assert.equal(await readText('empty'), '');
    });

    test('get and head of a missing key are null', async () => {
      assert.equal(await blobs.get('nothing/here'), null);
      assert.equal(await blobs.head('nothing/here'), null);
    });

    test('a completed put replaces the previous blob and its content type', async () => {
      await blobs.put('doc', text('version one'), { contentType: 'text/plain' });
      await blobs.put('doc', text('v2'), { contentType: 'text/markdown' });
      assert.equal(await readText('doc'), 'v2');
      assert.deepEqual(await blobs.head('doc'), { key: 'doc', size: 2, contentType: 'text/markdown' });
    });

    test('delete removes the blob; deleting a missing key succeeds', async () => {
      await blobs.put('a/b', text('x'), { contentType: 'text/plain' });
      await blobs.delete('a/b');
      assert.equal(await blobs.head('a/b'), null);
      assert.equal(await blobs.get('a/b'), null);
      await blobs.delete('a/b');
      await blobs.delete('never/was');
    });

    test('a key and keys below it can coexist', async () => {
      await blobs.put('a', text('top'), { contentType: 'text/plain' });
      await blobs.put('a/b', text('below'), { contentType: 'text/plain' });
      assert.equal(await readText('a'), 'top');
      assert.equal(await readText('a/b'), 'below');
      await blobs.delete('a');
      assert.equal(await readText('a/b'), 'below');
    });

    test('list returns keys under a prefix, in key order, paged without duplicates or gaps', async () => {
      const keys = ['p/b/w', 'p/a/y', 'p/ab/z', 'p/a', 'p/a/x', 'q/a/x', 'p/a/sub/deep.txt'];
      for (const k of keys) await blobs.put(k, text(k), { contentType: 'text/plain' });
      assert.deepEqual((await blobs.list('p/a/')).keys, ['p/a/sub/deep.txt', 'p/a/x', 'p/a/y']);
      assert.deepEqual((await blobs.list('p/a')).keys, [
        'p/a',
        'p/a/sub/deep.txt',
        'p/a/x',
        'p/a/y',
        'p/ab/z',
      ]);
      assert.deepEqual((await blobs.list('nothing/')).keys, []);
      assert.deepEqual((await blobs.list('')).keys, [...keys].sort());

      assert.deepEqual(await listPaged(blobs, 'p/'), keys.filter((k) => k.startsWith('p/')).sort());
    });

    test('list with modifiedBefore leaves out younger blobs; its pages still lead through all', async () => {
      // Whole seconds apart: S3 dates objects to the second.
      const pause = () => new Promise((r) => setTimeout(r, 1100));
      for (const k of ['old/a', 'old/c', 'old/e']) await blobs.put(k, text(k), { contentType: 'text/plain' });
      await pause();
      const between = Date.now();
      await pause();
      for (const k of ['old/b', 'old/d']) await blobs.put(k, text(k), { contentType: 'text/plain' });
      assert.deepEqual((await blobs.list('old/', { modifiedBefore: between })).keys, [
        'old/a',
        'old/c',
        'old/e',
      ]);
      assert.deepEqual((await blobs.list('old/', { modifiedBefore: between - 60_000 })).keys, []);
      assert.equal((await blobs.list('old/', { modifiedBefore: Date.now() + 60_000 })).keys.length, 5);
      const seen: string[] = [];
      let cursor: string | undefined;
      for (let pages = 0; pages < 10; pages++) {
        const page = await blobs.list('old/', {
          limit: 2,
          modifiedBefore: between,
          ...(cursor === undefined ? {} : { cursor }),
        });
        seen.push(...page.keys);
        if (page.nextCursor === null) break;
        cursor = page.nextCursor;
      }
      assert.deepEqual(seen, ['old/a', 'old/c', 'old/e']);
    });

    test('keys outside the pattern are refused with BAD_REQUEST by every method', async () => {
      for (const key of BAD_KEYS) {
        const label = JSON.stringify(key.slice(0, 20));
        await assert.rejects(
          blobs.put(key, text('x'), { contentType: 'text/plain' }),
          hasCode('BAD_REQUEST'),
          label,
        );
        await assert.rejects(blobs.get(key), hasCode('BAD_REQUEST'), label);
        await assert.rejects(blobs.head(key), hasCode('BAD_REQUEST'), label);
        await assert.rejects(blobs.delete(key), hasCode('BAD_REQUEST'), label);
      }
      assert.deepEqual((await blobs.list('')).keys, []);
    });

    test('more than maxBytes is PAYLOAD_TOO_LARGE and stores nothing; exactly maxBytes is fine', async () => {
      await assert.rejects(
        blobs.put('up/big', generated(3 * CHUNK + 1), {
          contentType: 'application/octet-stream',
          maxBytes: 3 * CHUNK,
        }),
        hasCode('PAYLOAD_TOO_LARGE'),
      );
      assert.equal(await blobs.head('up/big'), null);
      assert.deepEqual((await blobs.list('up/')).keys, []);
      const info = await blobs.put('up/fits', generated(3 * CHUNK), {
        contentType: 'application/octet-stream',
        maxBytes: 3 * CHUNK,
      });
      assert.equal(info.size, 3 * CHUNK);
    });

    test('a source that fails half-way rejects and stores nothing', async () => {
      await assert.rejects(
        blobs.put('up/broken', failingAfter(2 * 1024 * 1024), { contentType: 'application/octet-stream' }),
        /connection reset by test/,
      );
      assert.equal(await blobs.head('up/broken'), null);
      assert.equal(await blobs.get('up/broken'), null);
      assert.deepEqual((await blobs.list('')).keys, []);
    });

    test('a failed replacement leaves the previous blob intact', async () => {
      await blobs.put('doc', text('the original'), { contentType: 'text/plain' });
      await assert.rejects(blobs.put('doc', failingAfter(CHUNK * 2), { contentType: 'image/png' }));
      await assert.rejects(
        blobs.put('doc', generated(CHUNK * 2), { contentType: 'image/png', maxBytes: CHUNK }),
        hasCode('PAYLOAD_TOO_LARGE'),
      );
      assert.equal(await readText('doc'), 'the original');
      assert.deepEqual(await blobs.head('doc'), { key: 'doc', size: 12, contentType: 'text/plain' });
    });

    checkExclusions();
  });
}
