/**
 * A list the server pages with next_cursor, read a page at a time: Newer and Older move between
 * pages (the cursors of the pages seen are kept, so Newer goes back without asking for more), and a
 * new `key` (the filter) starts again at the first page. An answer that arrives after a newer
 * question is dropped; when a page cannot be read, the last one read stays on screen with the error.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { messageOf } from './ui.tsx';

export interface PageOf<T> {
  readonly items: T[];
  readonly next?: string | undefined;
}

export function useCursorPages<T>(fetch: (cursor?: string) => Promise<PageOf<T>>, key: string) {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  const [page, setPage] = useState<PageOf<T> | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const asked = useRef(0);
  const fetchRef = useRef(fetch);
  fetchRef.current = fetch;

  const read = useCallback(async (cursor: string | undefined) => {
    const n = ++asked.current;
    setLoading(true);
    try {
      const answer = await fetchRef.current(cursor);
      if (n !== asked.current) return;
      setPage(answer);
      setError(null);
    } catch (err) {
      if (n === asked.current) setError(messageOf(err));
    } finally {
      if (n === asked.current) setLoading(false);
    }
  }, []);

  // biome-ignore lint/correctness/useExhaustiveDependencies: the key is the filter's identity.
  useEffect(() => {
    setCursors([undefined]);
    void read(undefined);
  }, [key, read]);

  const at = cursors.length - 1;
  return {
    items: page?.items ?? null,
    /** 1 for the newest page. */
    number: at + 1,
    hasOlder: Boolean(page?.next),
    hasNewer: at > 0,
    loading,
    error,
    older: () => {
      if (!page?.next) return;
      setCursors([...cursors, page.next]);
      void read(page.next);
    },
    newer: () => {
      if (at === 0) return;
      const back = cursors.slice(0, -1);
      setCursors(back);
      void read(back.at(-1));
    },
    reload: () => read(cursors.at(-1)),
  };
}
