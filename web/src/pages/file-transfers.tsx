/**
 * Uploads on the files page, shown as rows at the top of the file list itself: each chosen or
 * dropped file gets a row with its own progress bar, waits its turn (one upload at a time, so the
 * bar of each is honest), and can be canceled. Once stored it becomes an ordinary row of the list
 * (it says "Uploaded" until the list has been read again); one that fails keeps its row with the
 * reason, a Retry (the same file again) and a Remove. Files the quota or the size limit cannot
 * take are refused before a byte is sent; the server checks again.
 */
import { useCallback, useRef, useState } from 'react';
import { type Files, type StoredFile, upload } from '../api.ts';
import { formatBytes, messageOf } from '../ui.tsx';

interface Transfer {
  readonly key: string;
  readonly name: string;
  readonly size: number;
  readonly progress: number;
  readonly state: 'waiting' | 'sending' | 'done' | 'failed' | 'canceled';
  readonly error?: string;
}

/** `reload` reads the list again; the page calls clearDone once it has a fresh list. */
export function useTransfers(usage: Files['usage'] | null, reload: () => Promise<void>) {
  const [list, setList] = useState<Transfer[]>([]);
  const files = useRef(new Map<string, File>());
  const aborts = useRef(new Map<string, AbortController>());
  const queue = useRef(Promise.resolve());
  // Bytes already promised to earlier files of this batch, for the quota pre-check.
  const reserved = useRef(0);

  const update = useCallback(
    (key: string, change: Partial<Transfer>) =>
      setList((all) => all.map((t) => (t.key === key ? { ...t, ...change } : t))),
    [],
  );
  const drop = useCallback((key: string) => {
    files.current.delete(key);
    setList((all) => all.filter((t) => t.key !== key));
  }, []);

  const refusalOf = (file: File): string | null => {
    if (!usage) return null;
    if (file.size > usage.file_max_bytes)
      return `Larger than the ${formatBytes(usage.file_max_bytes)} limit of your plan.`;
    const free = usage.quota_bytes - usage.bytes - reserved.current;
    return file.size > free ? `Not enough space left (${formatBytes(Math.max(0, free))} free).` : null;
  };

  /** Queues the file's upload under `key` (a new row, or a failed one tried again). */
  const start = (key: string, file: File) => {
    const refusal = refusalOf(file);
    if (refusal) return update(key, { state: 'failed', error: refusal, progress: 0 });
    update(key, { state: 'waiting', progress: 0 });
    reserved.current += file.size;
    const abort = new AbortController();
    aborts.current.set(key, abort);
    queue.current = queue.current.then(async () => {
      try {
        if (abort.signal.aborted) return;
        update(key, { state: 'sending' });
        await upload<{ file: StoredFile }>(
          '/api/files',
          'POST',
          file,
          (p) => update(key, { progress: p }),
          abort.signal,
        );
        reserved.current -= file.size;
        files.current.delete(key);
        update(key, { state: 'done', progress: 1 });
        // The row gives way to the stored file once the list has it (see clearDone).
        await reload();
      } catch (err) {
        reserved.current -= file.size;
        if (abort.signal.aborted) update(key, { state: 'canceled' });
        else update(key, { state: 'failed', error: messageOf(err) });
      } finally {
        aborts.current.delete(key);
      }
    });
  };

  const send = (chosen: FileList | File[]) => {
    for (const file of Array.from(chosen)) {
      const key = `${file.name}-${file.size}-${Date.now()}-${Math.random()}`;
      files.current.set(key, file);
      setList((all) => [{ key, name: file.name, size: file.size, progress: 0, state: 'waiting' }, ...all]);
      start(key, file);
    }
  };
  const retry = (key: string) => {
    const file = files.current.get(key);
    if (file) start(key, file);
  };
  const cancel = (key: string) => {
    aborts.current.get(key)?.abort();
    update(key, { state: 'canceled' });
  };
  /** After the list was read: the files uploaded so far are in it, as rows of their own. */
  const clearDone = useCallback(() => setList((all) => all.filter((t) => t.state !== 'done')), []);
  return { list, send, retry, cancel, remove: drop, clearDone };
}

export type Transfers = ReturnType<typeof useTransfers>;

const STATE_TEXT = { waiting: 'Waiting…', done: 'Uploaded', canceled: 'Canceled' } as const;

/** One upload as a row of the files table (same columns: name, size, state, actions). */
export function TransferRow({ transfer: t, transfers }: { transfer: Transfer; transfers: Transfers }) {
  const live = t.state === 'waiting' || t.state === 'sending';
  return (
    <tr className={`transfer transfer-${t.state}`}>
      <td className="file-name">
        <span className="name" title={t.name}>
          {t.name}
        </span>
        {t.state === 'failed' ? null : (
          <progress value={t.progress} max={1} aria-label={`Upload of ${t.name}`} />
        )}
      </td>
      <td data-label="Size">{formatBytes(t.size)}</td>
      <td data-label="Uploaded">
        {t.state === 'failed' ? (
          <span className="error-text" role="alert">
            {t.error}
          </span>
        ) : (
          <span className="transfer-state" aria-live={t.state === 'sending' ? 'off' : 'polite'}>
            {t.state === 'sending' ? `Uploading, ${Math.round(t.progress * 100)}%` : STATE_TEXT[t.state]}
          </span>
        )}
      </td>
      <td>
        <div className="row-actions">
          {t.state === 'done' ? null : live ? (
            <button
              type="button"
              className="btn btn-secondary btn-small"
              aria-label={`Cancel the upload of ${t.name}`}
              onClick={() => transfers.cancel(t.key)}
            >
              Cancel
            </button>
          ) : (
            <>
              <button
                type="button"
                className="btn btn-secondary btn-small"
                aria-label={`Retry the upload of ${t.name}`}
                onClick={() => transfers.retry(t.key)}
              >
                Retry
              </button>
              <button
                type="button"
                className="btn btn-link btn-small"
                aria-label={`Remove ${t.name} from the list`}
                onClick={() => transfers.remove(t.key)}
              >
                Remove
              </button>
            </>
          )}
        </div>
      </td>
    </tr>
  );
}
