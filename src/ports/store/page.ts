/**
 * A page of a listing, shared by the store's aggregates: newest first with an opaque cursor; a
 * cursor from one query is only valid for that query, and `nextCursor` is null on the last page.
 */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}
