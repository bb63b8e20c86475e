import { type DragEvent, useCallback, useEffect, useRef, useState } from 'react';
import { api, type Files, type StoredFile, upload } from '../api.ts';
import { Button, Card, formatBytes, formatDate, Loading, messageOf, Notice } from '../ui.tsx';

interface Transfer {
  readonly key: string;
  readonly name: string;
  progress: number;
  error: string | null;
  done: boolean;
}

export default function FilesPage() {
  const [data, setData] = useState<Files | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [transfers, setTransfers] = useState<Transfer[]>([]);
  const [over, setOver] = useState(false);
  const input = useRef<HTMLInputElement>(null);

  const load = useCallback(async () => {
    try {
      setData(await api.files());
      setError(null);
    } catch (err) {
      setError(messageOf(err));
    }
  }, []);
  useEffect(() => {
    void load();
  }, [load]);

  const update = (key: string, change: Partial<Transfer>) =>
    setTransfers((all) => all.map((t) => (t.key === key ? { ...t, ...change } : t)));

  const send = async (files: FileList | File[]) => {
    for (const file of Array.from(files)) {
      const key = `${file.name}-${file.size}-${Date.now()}-${Math.random()}`;
      setTransfers((all) => [{ key, name: file.name, progress: 0, error: null, done: false }, ...all]);
      if (data && file.size > data.usage.file_max_bytes) {
        update(key, {
          error: `Larger than the ${formatBytes(data.usage.file_max_bytes)} limit of your plan.`,
        });
        continue;
      }
      try {
        await upload<{ file: StoredFile }>('/api/files', 'POST', file, (p) => update(key, { progress: p }));
        update(key, { progress: 1, done: true });
        await load();
      } catch (err) {
        update(key, { error: messageOf(err) });
      }
    }
  };

  const drop = (e: DragEvent) => {
    e.preventDefault();
    setOver(false);
    if (e.dataTransfer.files.length) void send(e.dataTransfer.files);
  };

  const usage = data?.usage;
  const used = usage ? Math.min(1, usage.bytes / Math.max(1, usage.quota_bytes)) : 0;
  return (
    <div>
      <h1 tabIndex={-1}>Files</h1>
      {usage ? (
        <div className="quota">
          <label className="quota-text" htmlFor="quota-meter">
            {formatBytes(usage.bytes)} of {formatBytes(usage.quota_bytes)} used · {usage.count}{' '}
            {usage.count === 1 ? 'file' : 'files'}
          </label>
          <meter id="quota-meter" min={0} max={1} value={used} low={0.75} high={0.9} optimum={0} />
        </div>
      ) : null}
      {/* biome-ignore lint/a11y/noStaticElementInteractions: dropping is a pointer shortcut; the "Choose files" button inside is the keyboard way. */}
      <div
        className={`dropzone${over ? ' dropzone-over' : ''}`}
        onDragOver={(e) => {
          e.preventDefault();
          setOver(true);
        }}
        onDragLeave={() => setOver(false)}
        onDrop={drop}
      >
        <p>
          <strong>Drop files here</strong> or
        </p>
        <Button kind="secondary" onClick={() => input.current?.click()}>
          Choose files
        </Button>
        <input
          ref={input}
          type="file"
          multiple
          className="visually-hidden"
          aria-label="Choose files to upload"
          onChange={(e) => e.target.files && void send(e.target.files)}
        />
        {usage ? (
          <p className="muted">Up to {formatBytes(usage.file_max_bytes)} each. Private to you.</p>
        ) : null}
      </div>
      {transfers.length ? (
        <ul className="transfers" aria-label="Uploads">
          {transfers.map((t) => (
            <li key={t.key}>
              <span className="name">{t.name}</span>
              {t.error ? (
                <span className="error-text" role="alert">
                  {t.error}
                </span>
              ) : (
                <>
                  <progress value={t.progress} max={1} aria-label={`Upload of ${t.name}`} />
                  <span className="muted">{t.done ? 'Uploaded' : `${Math.round(t.progress * 100)}%`}</span>
                </>
              )}
            </li>
          ))}
        </ul>
      ) : null}
      <Card title="Your files">
        {error ? <Notice kind="error">{error}</Notice> : null}
        {!data && !error ? <Loading /> : null}
        {data?.files.length === 0 ? <p className="empty">No files yet. Drop one above.</p> : null}
        {data?.files.length ? (
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Size</th>
                <th scope="col">Type</th>
                <th scope="col">Uploaded</th>
                <th scope="col">
                  <span className="visually-hidden">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.files.map((f) => (
                <tr key={f.id}>
                  <td>{f.name}</td>
                  <td>{formatBytes(f.size)}</td>
                  <td>{f.content_type}</td>
                  <td>{formatDate(f.created_at)}</td>
                  <td className="actions">
                    <a className="btn btn-secondary btn-small" href={`/api/files/${f.id}`} download={f.name}>
                      Download
                    </a>
                    <Button
                      kind="danger"
                      className="btn btn-danger btn-small"
                      aria-label={`Delete ${f.name}`}
                      onClick={async () => {
                        if (!window.confirm(`Delete ${f.name}? This cannot be undone.`)) return;
                        try {
                          await api.deleteFile(f.id);
                          await load();
                        } catch (err) {
                          setError(messageOf(err));
                        }
                      }}
                    >
                      Delete
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : null}
      </Card>
    </div>
  );
}
