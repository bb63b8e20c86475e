/**
 * Uploads on the files page: each chosen or dropped file gets a row with its own progress bar,
 * waits its turn (one upload at a time, so the bar of each is honest), can be canceled, and ends
 * as "Uploaded" or with the reason it was refused. Files the quota or the size limit cannot take
 * are refused before a byte is sent; the server checks again.
 */
import { useCallback, useRef, useState } from 'react';
import { type Files, type StoredFile, upload } from '../api.ts';
import { Card, formatBytes, messageOf } from '../ui.tsx';

interface Transfer {
  readonly key: string;
  readonly name: string;
  readonly size: number;
  readonly progress: number;
  readonly state: 'waiting' | 'sending' | 'done' | 'failed' | 'canceled';
  readonly error?: string;
}

export function useTransfers(usage: Files['usage'] | null, onUploaded: () => Promise<void>) {
  const [list, setList] = useState<Transfer[]>([]);
  const aborts = useRef(new Map<string, AbortController>());
  const queue = useRef(Promise.resolve());
  // Bytes already promised to earlier files of this batch, for the quota pre-check.
  const reserved = useRef(0);

  const update = useCallback(
    (key: string, change: Partial<Transfer>) =>
      setList((all) => all.map((t) => (t.key === key ? { ...t, ...change } : t))),
    [],
  );

  const send = (files: FileList | File[]) => {
    for (const file of Array.from(files)) {
      const key = `${file.name}-${file.size}-${Date.now()}-${Math.random()}`;
      const refusal = !usage
        ? null
        : file.size > usage.file_max_bytes
          ? `Larger than the ${formatBytes(usage.file_max_bytes)} limit of your plan.`
          : usage.bytes + reserved.current + file.size > usage.quota_bytes
            ? `Not enough space left (${formatBytes(Math.max(0, usage.quota_bytes - usage.bytes - reserved.current))} free).`
            : null;
      setList((all) => [
        {
          key,
          name: file.name,
          size: file.size,
          progress: 0,
          state: refusal ? 'failed' : 'waiting',
          ...(refusal ? { error: refusal } : {}),
        },
        ...all,
      ]);
      if (refusal) continue;
      reserved.current += file.size;
      const abort = new AbortController();
      aborts.current.set(key, abort);
      queue.current = queue.current.then(async () => {
        if (abort.signal.aborted) return;
        update(key, { state: 'sending' });
        try {
          await upload<{ file: StoredFile }>(
            '/api/files',
            'POST',
            file,
            (p) => update(key, { progress: p }),
            abort.signal,
          );
          update(key, { progress: 1, state: 'done' });
          await onUploaded();
        } catch (err) {
          if (abort.signal.aborted) update(key, { state: 'canceled' });
          else update(key, { state: 'failed', error: messageOf(err) });
        } finally {
          reserved.current -= file.size;
          aborts.current.delete(key);
        }
      });
    }
  };

  const cancel = (key: string) => {
    aborts.current.get(key)?.abort();
    update(key, { state: 'canceled' });
  };
  const clear = () => setList((all) => all.filter((t) => t.state === 'waiting' || t.state === 'sending'));
  return { list, send, cancel, clear };
}

const STATE_TEXT = { waiting: 'Waiting…', done: 'Uploaded', canceled: 'Canceled' } as const;

export function Transfers({ state }: { state: ReturnType<typeof useTransfers> }) {
  if (state.list.length === 0) return null;
  const finished = state.list.some((t) => t.state !== 'waiting' && t.state !== 'sending');
  return (
    <Card
      title="Uploads"
      actions={
        finished ? (
          <button type="button" className="btn btn-link btn-small" onClick={state.clear}>
            Clear finished
          </button>
        ) : null
      }
    >
      <ul className="transfers" aria-label="Uploads">
        {state.list.map((t) => (
          <li key={t.key} className={`transfer transfer-${t.state}`}>
            <div className="transfer-head">
              <span className="name" title={t.name}>
                {t.name}
              </span>
              <span className="muted small">{formatBytes(t.size)}</span>
            </div>
            {t.state === 'failed' ? (
              <p className="error-text" role="alert">
                {t.error}
              </p>
            ) : (
              <div className="transfer-body">
                <progress value={t.progress} max={1} aria-label={`Upload of ${t.name}`} />
                <span className="transfer-state" aria-live={t.state === 'sending' ? 'off' : 'polite'}>
                  {t.state === 'sending' ? `${Math.round(t.progress * 100)}%` : STATE_TEXT[t.state]}
                </span>
                {t.state === 'waiting' || t.state === 'sending' ? (
                  <button
                    type="button"
                    className="btn btn-link btn-small"
                    aria-label={`Cancel the upload of ${t.name}`}
                    onClick={() => state.cancel(t.key)}
                  >
                    Cancel
                  </button>
                ) : null}
              </div>
            )}
          </li>
        ))}
      </ul>
    </Card>
  );
}
