/**
 * Files: the quota, a drop zone (a "Choose files" button on touch screens, where nothing can be
 * dragged), and one list where uploads in progress or failed sit on top of the stored files. When
 * the list cannot be read again (the network dropped), the last good one stays on screen with the
 * reason and a Retry, and the page reads it again by itself once the browser is back online.
 */
import { type DragEvent, useCallback, useEffect, useRef, useState } from 'react';
import { api, type Files } from '../api.ts';
import { useConfirm } from '../dialog.tsx';
import { useAction } from '../form.ts';
import { Button, Card, formatBytes, formatDate, Loading, messageOf, Notice } from '../ui.tsx';
import { TransferRow, useTransfers } from './file-transfers.tsx';

type Usage = Files['usage'];
type StoredFile = Files['files'][number];

/** How much of the quota is used, as a bar that turns amber, then red, as it fills. */
function QuotaMeter({ usage }: { usage: Usage }) {
  const used = Math.min(1, usage.bytes / Math.max(1, usage.quota_bytes));
  const level = used >= 0.9 ? 'high' : used >= 0.75 ? 'mid' : 'low';
  const text = `${formatBytes(usage.bytes)} of ${formatBytes(usage.quota_bytes)} used`;
  return (
    <div className="quota">
      <div className="quota-text">
        <span id="quota-label">
          <strong>{text}</strong> · {usage.count} {usage.count === 1 ? 'file' : 'files'}
        </span>
        <span className="muted">{formatBytes(Math.max(0, usage.quota_bytes - usage.bytes))} free</span>
      </div>
      <meter className={`meter meter-${level}`} aria-labelledby="quota-label" min={0} max={1} value={used} />
    </div>
  );
}

/** Why the list could not be read, with a Retry; what was shown before stays below it. */
function LoadProblem({
  message,
  stale,
  onRetry,
  busy,
}: {
  message: string;
  stale: boolean;
  onRetry: () => void;
  busy: boolean;
}) {
  const offline = typeof navigator !== 'undefined' && navigator.onLine === false;
  return (
    <Notice kind="error">
      {stale
        ? 'This list may be out of date: it could not be refreshed. '
        : 'Your files could not be loaded. '}
      {offline ? 'You are offline; it refreshes by itself when you are back online.' : message}{' '}
      <Button kind="link" busy={busy} onClick={onRetry}>
        Try again
      </Button>
    </Notice>
  );
}

export default function FilesPage() {
  const [data, setData] = useState<Files | null>(null);
  const [more, setMore] = useState<StoredFile[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [loading, setLoading] = useState(false);
  const [over, setOver] = useState(false);
  const [dialog, confirm] = useConfirm();
  const action = useAction();
  const input = useRef<HTMLInputElement>(null);

  const load = useCallback(async () => {
    setLoading(true);
    try {
      setData(await api.files());
      setMore([]);
      setLoadError(null);
    } catch (err) {
      setLoadError(messageOf(err));
    } finally {
      setLoading(false);
    }
  }, []);
  useEffect(() => {
    void load();
    // Back online: read the list again instead of waiting for a reload.
    const online = () => void load();
    window.addEventListener('online', online);
    return () => window.removeEventListener('online', online);
  }, [load]);
  const transfers = useTransfers(data?.usage ?? null, load);
  const { clearDone } = transfers;
  // A fresh list holds every file uploaded so far: their upload rows give way to them.
  useEffect(() => {
    if (data) clearDone();
  }, [data, clearDone]);

  const loadMore = () =>
    action.run('more', async () => {
      if (!data?.next_cursor) return;
      try {
        const page = await api.files(data.next_cursor);
        setMore((m) => [...m, ...page.files]);
        setData({ ...data, next_cursor: page.next_cursor });
      } catch (err) {
        setLoadError(messageOf(err));
      }
    });
  const remove = async (f: StoredFile) => {
    const ok = await confirm({
      title: `Delete ${f.name}?`,
      body: <p>The file is deleted for good ({formatBytes(f.size)} freed). This cannot be undone.</p>,
      action: 'Delete file',
      danger: true,
    });
    if (!ok) return;
    await action.run(f.id, async () => {
      setActionError(null);
      try {
        await api.deleteFile(f.id);
        await load();
      } catch (err) {
        setActionError(`${f.name} was not deleted: ${messageOf(err)}`);
      }
    });
  };
  const drop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (e.dataTransfer.files.length) transfers.send(e.dataTransfer.files);
  };

  const files = [...(data?.files ?? []), ...more];
  const rows = transfers.list.length + files.length;
  return (
    <div>
      {dialog}
      <h1 tabIndex={-1}>Files</h1>
      <Card>
        {data ? <QuotaMeter usage={data.usage} /> : null}
        {/* biome-ignore lint/a11y/noStaticElementInteractions: dropping is a pointer shortcut; the "Choose files" button inside is the keyboard way. */}
        <div
          className={`dropzone${over ? ' dropzone-over' : ''}`}
          data-testid="dropzone"
          onDragEnter={(e) => {
            e.preventDefault();
            setOver(true);
          }}
          onDragOver={(e) => e.preventDefault()}
          onDragLeave={(e) => {
            if (!e.currentTarget.contains(e.relatedTarget as Node | null)) setOver(false);
          }}
          onDrop={drop}
        >
          <svg className="dropzone-icon" viewBox="0 0 24 24" width="32" height="32" aria-hidden="true">
            <path d="M12 16V4m0 0-4 4m4-4 4 4M4 16v3a1 1 0 0 0 1 1h14a1 1 0 0 0 1-1v-3" />
          </svg>
          <p className="drag-only">
            <strong>{over ? 'Drop to upload' : 'Drag files here'}</strong> or
          </p>
          <Button kind="secondary" onClick={() => input.current?.click()}>
            Choose files
          </Button>
          <input
            ref={input}
            type="file"
            multiple
            className="visually-hidden"
            tabIndex={-1}
            aria-label="Choose files to upload"
            onChange={(e) => {
              if (e.target.files) transfers.send(e.target.files);
              e.target.value = '';
            }}
          />
          {data ? (
            <p className="muted">
              Up to {formatBytes(data.usage.file_max_bytes)} each. Only you can see them.
            </p>
          ) : null}
        </div>
      </Card>
      <Card title="Your files">
        {loadError ? (
          <LoadProblem message={loadError} stale={data !== null} onRetry={() => void load()} busy={loading} />
        ) : null}
        {actionError ? <Notice kind="error">{actionError}</Notice> : null}
        {!data && !loadError ? <Loading /> : null}
        {data && rows === 0 ? <p className="empty">No files yet. Choose some above to upload them.</p> : null}
        {rows ? (
          <table className="table table-stack">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Size</th>
                <th scope="col">Uploaded</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {transfers.list.map((t) => (
                <TransferRow key={t.key} transfer={t} transfers={transfers} />
              ))}
              {files.map((f) => (
                <tr key={f.id}>
                  <td className="file-name">
                    <span className="name">{f.name}</span>
                    <span className="muted small">{f.content_type}</span>
                  </td>
                  <td data-label="Size">{formatBytes(f.size)}</td>
                  <td data-label="Uploaded">{formatDate(f.created_at)}</td>
                  <td>
                    <div className="row-actions">
                      <a
                        className="btn btn-secondary btn-small"
                        href={`/api/files/${f.id}`}
                        download={f.name}
                        aria-label={`Download ${f.name}`}
                      >
                        Download
                      </a>
                      <Button
                        kind="danger"
                        className="btn btn-danger btn-small"
                        aria-label={`Delete ${f.name}`}
                        busy={action.busy === f.id}
                        onClick={() => remove(f)}
                      >
                        Delete
                      </Button>
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
        {data?.next_cursor ? (
          <Button kind="secondary" busy={action.busy === 'more'} onClick={loadMore}>
            Show more files
          </Button>
        ) : null}
      </Card>
    </div>
  );
}
