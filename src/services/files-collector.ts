/**
 * The orphan collector: file bytes that no record points at are removed. They are what a crash or
 * a failure leaves behind by design (files.ts writes bytes before the record and deletes
 * the record before the bytes), and nobody can list or download them; they only take space.
 *
 * A blob is an orphan only when its record is missing AND it was written before the cutoff: an
 * upload writes its bytes a moment before its record, and a record write that timed out may still
 * land, so bytes younger than GRACE_MS are left alone. At start, when the blob store is this
 * process's alone (the local folder), every blob written before the start is complete and no
 * upload of an earlier life can still finish, so the cutoff is the start itself.
 */

import type { Blobs } from '../ports/blobs.ts';
import type { Store } from '../ports/store.ts';
import type { Deps } from './deps.ts';
import { FILE_ID } from './files.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type FilesCollectorDeps = Pick<Deps, 'clock' | 'log'> & {
  readonly blobs: Pick<Blobs, 'delete' | 'exclusive' | 'list'>;
  readonly store: Pick<Store, 'files'>;
};

/** Longer than any upload or store write can take, so no live one is ever mistaken for an orphan. */
export const GRACE_MS = 60 * 60 * 1000;
/** How often a running server looks again. */
export const COLLECT_EVERY_MS = 60 * 60 * 1000;

const FILE_KEY = /^files\/([^/]+)\/([^/]+)$/;

/** Removes the bytes of files that have no record and were written before `cutoff` (epoch ms). */
export async function collectOrphanFiles(
  deps: FilesCollectorDeps,
  cutoff: number,
): Promise<{ checked: number; removed: number }> {
  let checked = 0;
  let removed = 0;
  let cursor: string | undefined;
  do {
    const page = await deps.blobs.list('files/', {
      limit: 500,
      modifiedBefore: cutoff,
      ...(cursor === undefined ? {} : { cursor }),
    });
    for (const key of page.keys) {
      const [, userId, id] = FILE_KEY.exec(key) ?? [];
      // Anything else under files/ is not a file's bytes as this code writes them: not ours to judge.
      if (!userId || !id || !FILE_ID.test(id)) continue;
      checked++;
      const record = await deps.store.files.get(userId, id);
      if (record?.blobKey === key) continue;
      await deps.blobs.delete(key);
      removed++;
    }
    cursor = page.nextCursor ?? undefined;
  } while (cursor !== undefined);
  return { checked, removed };
}

/**
 * Runs the collector soon after start and then every COLLECT_EVERY_MS, in the background (a
 * failure is logged and tried again next time). `stop` ends the schedule.
 */
export function scheduleOrphanCollection(deps: FilesCollectorDeps, startedAt: number): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let first = true;
  const run = async () => {
    const cutoff = first && deps.blobs.exclusive ? startedAt : deps.clock() - GRACE_MS;
    first = false;
    try {
      const { checked, removed } = await collectOrphanFiles(deps, cutoff);
      if (removed > 0) deps.log.info({ checked, removed }, 'removed file bytes that had no record');
    } catch (err) {
      deps.log.warn({ err }, 'the orphan collector failed; it runs again later');
    }
    timer = setTimeout(() => void run(), COLLECT_EVERY_MS);
    timer.unref();
  };
  // A few seconds after start: the first requests matter more than garbage.
  timer = setTimeout(() => void run(), 2000);
  timer.unref();
  return {
    stop: () => clearTimeout(timer),
  };
}
