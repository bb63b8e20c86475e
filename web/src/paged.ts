/**
 * A list the server pages with next_cursor: the first page when `key` (the filter) changes, then
 * "show more" appends the next one. `fetch` asks for one page; `key` says when to start over.
 */
import { useCallback, useState } from 'react';
import { messageOf } from './ui.tsx';

export function usePaged<T>(
  fetch: (cursor?: string) => Promise<{ items: T[]; next?: string | undefined }>,
  key: string,
) {
  const [items, setItems] = useState<T[] | null>(null);
  const [next, setNext] = useState<string | undefined>();
  const [error, setError] = useState<string | null>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: the key is the filter's identity.
  const reload = useCallback(async () => {
    try {
      const page = await fetch();
      setItems(page.items);
      setNext(page.next);
      setError(null);
    } catch (err) {
      setError(messageOf(err));
    }
  }, [key]);
  const more = async () => {
    if (!next) return;
    try {
      const page = await fetch(next);
      setItems((all) => [...(all ?? []), ...page.items]);
      setNext(page.next);
    } catch (err) {
      setError(messageOf(err));
    }
  };
  return { items, next, error, setError, reload, more };
}
