/**
 * The consistency audit every fault scenario ends with (issue 17): every acknowledged write is
 * present, nothing is listed without its bytes, no bytes are left without a record once the
 * orphan collector has run, and the usage the server reports equals the sum of the listed sizes.
 * The ledger is what the clients were told: an upload answered 201 happened, a delete answered
 * 204 happened; anything answered otherwise may or may not have, and the audit only requires that
 * whatever is there is whole.
 */
import assert from 'node:assert/strict';
import { waitFor } from '../../helpers/kit.ts';
import { type Answer, call, downloadFile, sha256, type Tally, type User } from './client.ts';

export interface Acked {
  readonly userId: string;
  readonly sha256: string;
  readonly size: number;
}

export class Ledger {
  /** Uploads answered 201, by file id. */
  readonly uploaded = new Map<string, Acked>();
  /** Deletes answered 204 (or 404 on a retry after a 503), by file id. */
  readonly deleted = new Set<string>();
  /** Writes whose answer was lost (a killed server, a 503 after the retries): either outcome is fine. */
  readonly uncertain = new Set<string>();
  live(userId: string): string[] {
    return [...this.uploaded]
      .filter(([id, f]) => f.userId === userId && !this.deleted.has(id))
      .map(([id]) => id);
  }
}

interface Listed {
  readonly id: string;
  readonly size: number;
  readonly sha256: string;
}

async function listAll(
  origin: string,
  user: User,
): Promise<{ files: Listed[]; usage: { bytes: number; count: number } }> {
  const files: Listed[] = [];
  let cursor: string | undefined;
  let usage = { bytes: -1, count: -1 };
  for (;;) {
    const a: Answer = await call(origin, 'GET', `/api/files?limit=100${cursor ? `&cursor=${cursor}` : ''}`, {
      token: user.token,
    });
    assert.equal(a.status, 200, `listing ${user.email}: ${JSON.stringify(a.body)}`);
    const body = a.body as { files: Listed[]; next_cursor?: string; usage: { bytes: number; count: number } };
    files.push(...body.files);
    usage = body.usage;
    if (!body.next_cursor) return { files, usage };
    cursor = body.next_cursor;
  }
}

export interface AuditOptions {
  /** Runs the orphan collector (a restart does, or a direct call in-process). */
  readonly collect?: () => Promise<unknown>;
  /** The file ids that have bytes in blob storage for a user (read from the disk or the bucket). */
  readonly storedIds: (userId: string) => Promise<string[]>;
  /**
   * How long stray bytes may take to go (the server's collector runs a moment after a start);
   * 0 when `collect` has already removed them.
   */
  readonly settleMs?: number;
}

/** Looks again until `check` passes or the time is up; then its last failure stands. */
async function eventually(ms: number, check: () => Promise<void>): Promise<void> {
  let last: unknown;
  const passes = async () => {
    try {
      await check();
      return true;
    } catch (err) {
      last = err;
      return false;
    }
  };
  await waitFor(passes, { what: 'the audit to hold', timeoutMs: ms, intervalMs: 250 }).catch(() => {
    throw last;
  });
}

/** Returns what it checked, for the test's diagnostics. */
export async function audit(
  tally: Tally,
  origin: string,
  users: readonly User[],
  ledger: Ledger,
  opts: AuditOptions,
): Promise<{ files: number; bytes: number }> {
  let files = 0;
  let bytes = 0;
  await opts.collect?.();
  for (const user of users) {
    const { files: listed, usage } = await listAll(origin, user);
    const ids = new Set(listed.map((f) => f.id));
    for (const id of ledger.live(user.userId)) {
      if (!ledger.uncertain.has(id))
        assert.ok(ids.has(id), `acknowledged upload ${id} of ${user.email} is listed`);
    }
    for (const f of listed) {
      assert.ok(
        !ledger.deleted.has(f.id) || ledger.uncertain.has(f.id),
        `deleted file ${f.id} is not listed`,
      );
      const got = await downloadFile(tally, origin, user, f.id);
      assert.equal(got.status, 200, `listed file ${f.id} of ${user.email} downloads`);
      assert.equal(sha256(got.body as Buffer), f.sha256, `file ${f.id}: the bytes are the recorded ones`);
      const acked = ledger.uploaded.get(f.id);
      if (acked) assert.equal(f.sha256, acked.sha256, `file ${f.id}: the bytes are the uploaded ones`);
      bytes += f.size;
    }
    assert.equal(usage.count, listed.length, `${user.email}: usage counts the listed files`);
    assert.equal(
      usage.bytes,
      listed.reduce((n, f) => n + f.size, 0),
      `${user.email}: usage is the sum of the listed sizes`,
    );
    await eventually(opts.settleMs ?? 0, async () =>
      assert.deepEqual(
        (await opts.storedIds(user.userId)).sort(),
        [...ids].sort(),
        `${user.email}: bytes in storage are exactly the listed files'`,
      ),
    );
    files += listed.length;
  }
  return { files, bytes };
}
