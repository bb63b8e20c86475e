/**
 * A user's own activity, newest first: the audit events about them that are theirs to see
 * (domain/activity.ts). The store pages the whole trail; bookkeeping is left out page by page, so
 * a page may hold fewer events than asked for (none only at the end, or after a long run of
 * bookkeeping, with a cursor to go on).
 */
import { isOwnActivity } from '../domain/activity.ts';
import type { AuditEvent, Page, Store } from '../ports/store.ts';

/** The ports and settings this module uses, and no more (a Deps is one; typecheck holds it to this). */
export type ActivityDeps = { readonly store: Pick<Store, 'audit'> };

/** Store pages read at most per request, so a long run of bookkeeping cannot make one slow. */
const MAX_PAGES = 5;

export async function listOwnActivity(
  deps: ActivityDeps,
  userId: string,
  query: { limit: number; cursor?: string },
): Promise<Page<AuditEvent>> {
  let cursor = query.cursor;
  for (let read = 1; ; read++) {
    const page = await deps.store.audit.list({
      subjectId: userId,
      limit: query.limit,
      ...(cursor ? { cursor } : {}),
    });
    const items = page.items.filter((e) => isOwnActivity(e.type));
    if (items.length > 0 || !page.nextCursor || read === MAX_PAGES) {
      return { items, nextCursor: page.nextCursor };
    }
    cursor = page.nextCursor;
  }
}
