/**
 * The profile photo: pick an image, then frame it before it is sent. "Crop" fills the square
 * (zoom, and drag or arrow keys to choose the part that shows); "Fit" keeps the whole photo inside
 * it. The preview is drawn by the same function that renders the 512 px square that is uploaded,
 * so what the user sees is exactly what they get; the server then only re-encodes a square (and
 * strips every byte of metadata). The image never leaves the browser before the user says so.
 */
import { type PointerEvent, useEffect, useRef, useState } from 'react';
import { type PhotoUploaded, upload } from '../api.ts';
import { Button, messageOf, Notice } from '../ui.tsx';

type Mode = 'crop' | 'fit';
interface Framing {
  mode: Mode;
  zoom: number;
  /** Where the crop sits, -1 to 1 on each axis (0 is centred). */
  x: number;
  y: number;
}

const OUTPUT = 512;
const PREVIEW = 240;
const clamp = (v: number) => Math.max(-1, Math.min(1, v));

/** Draws the image into a size x size square as framed: the preview and the upload alike. */
function draw(ctx: CanvasRenderingContext2D, size: number, img: HTMLImageElement, f: Framing) {
  const w = img.naturalWidth;
  const h = img.naturalHeight;
  ctx.clearRect(0, 0, size, size);
  // "Fit" fits the whole photo inside the circle it is shown in (its diagonal is the diameter).
  const scale = f.mode === 'fit' ? size / Math.hypot(w, h) : Math.max(size / w, size / h) * f.zoom;
  const dw = w * scale;
  const dh = h * scale;
  const slackX = Math.max(0, (dw - size) / 2);
  const slackY = Math.max(0, (dh - size) / 2);
  const dx = (size - dw) / 2 - (f.mode === 'crop' ? f.x * slackX : 0);
  const dy = (size - dh) / 2 - (f.mode === 'crop' ? f.y * slackY : 0);
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(img, dx, dy, dw, dh);
}

function render(img: HTMLImageElement, f: Framing): Promise<File> {
  const canvas = document.createElement('canvas');
  canvas.width = OUTPUT;
  canvas.height = OUTPUT;
  const ctx = canvas.getContext('2d');
  if (!ctx) return Promise.reject(new Error('no canvas'));
  draw(ctx, OUTPUT, img, f);
  return new Promise((resolve, reject) =>
    // WebP where the browser can encode it (PNG otherwise): both keep the transparent margins of "fit".
    canvas.toBlob(
      (blob) =>
        blob
          ? resolve(
              new File([blob], blob.type === 'image/webp' ? 'photo.webp' : 'photo.png', { type: blob.type }),
            )
          : reject(new Error('encoding failed')),
      'image/webp',
      0.92,
    ),
  );
}

export function PhotoEditor({
  file,
  onDone,
  onCancel,
}: {
  file: File;
  onDone: (answer: PhotoUploaded) => void;
  onCancel: () => void;
}) {
  const [img, setImg] = useState<HTMLImageElement | null>(null);
  const [framing, setFraming] = useState<Framing>({ mode: 'crop', zoom: 1, x: 0, y: 0 });
  const [progress, setProgress] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const drag = useRef<{ x: number; y: number; start: Framing } | null>(null);

  useEffect(() => {
    const url = URL.createObjectURL(file);
    const image = new Image();
    image.onload = () => setImg(image);
    image.onerror = () => setError('This image cannot be read. Choose a PNG, JPEG or WebP photo.');
    image.src = url;
    return () => URL.revokeObjectURL(url);
  }, [file]);

  useEffect(() => {
    const c = canvas.current;
    const ctx = c?.getContext('2d');
    if (!c || !ctx || !img) return;
    const ratio = window.devicePixelRatio || 1;
    c.width = PREVIEW * ratio;
    c.height = PREVIEW * ratio;
    draw(ctx, PREVIEW * ratio, img, framing);
  }, [img, framing]);

  const onPointerDown = (e: PointerEvent<HTMLDivElement>) => {
    if (framing.mode !== 'crop') return;
    e.currentTarget.setPointerCapture(e.pointerId);
    drag.current = { x: e.clientX, y: e.clientY, start: framing };
  };
  const onPointerMove = (e: PointerEvent<HTMLDivElement>) => {
    const d = drag.current;
    if (!d) return;
    // Dragging right shows more of the left: the photo follows the pointer.
    const k = 2 / PREVIEW;
    setFraming({
      ...d.start,
      x: clamp(d.start.x - (e.clientX - d.x) * k),
      y: clamp(d.start.y - (e.clientY - d.y) * k),
    });
  };
  // How far the crop can move on each axis at this zoom (no slider for an axis with no slack).
  const slack = img
    ? {
        x: framing.zoom * Math.max(1, img.naturalWidth / img.naturalHeight) > 1,
        y: framing.zoom * Math.max(1, img.naturalHeight / img.naturalWidth) > 1,
      }
    : { x: false, y: false };
  const slider = (label: string, key: 'zoom' | 'x' | 'y', min: number, max: number) => (
    <label className="zoom">
      <span>{label}</span>
      <input
        type="range"
        min={min}
        max={max}
        step={0.05}
        value={framing[key]}
        onChange={(e) => setFraming((f) => ({ ...f, [key]: Number(e.target.value) }))}
      />
    </label>
  );

  const send = async () => {
    if (!img) return;
    setError(null);
    setProgress(0.01);
    try {
      const out = await render(img, framing);
      onDone(
        await upload<PhotoUploaded>('/api/users/me/photo', 'PUT', out, (p) => setProgress(Math.max(0.01, p))),
      );
    } catch (err) {
      setError(messageOf(err));
    } finally {
      setProgress(0);
    }
  };

  return (
    <div className="photo-editor">
      <div
        className={`photo-frame photo-frame-${framing.mode}`}
        onPointerDown={onPointerDown}
        onPointerMove={onPointerMove}
        onPointerUp={() => {
          drag.current = null;
        }}
      >
        <canvas
          ref={canvas}
          width={PREVIEW}
          height={PREVIEW}
          data-testid="photo-preview"
          role="img"
          aria-label="Preview of your new photo, as it will be shown"
        />
      </div>
      <p className="hint">
        {framing.mode === 'crop'
          ? 'Drag the photo, or use the sliders, to choose what shows in the circle.'
          : 'The whole photo shows inside the circle, with empty space around it.'}
      </p>
      <fieldset className="segmented">
        <legend>Framing</legend>
        {(['crop', 'fit'] as const).map((mode) => (
          <label key={mode}>
            <input
              type="radio"
              name="framing"
              value={mode}
              checked={framing.mode === mode}
              onChange={() => setFraming((f) => ({ ...f, mode }))}
            />
            {mode === 'crop' ? 'Crop to fill' : 'Fit the whole photo'}
          </label>
        ))}
      </fieldset>
      {framing.mode === 'crop' ? (
        <div className="sliders">
          {slider('Zoom', 'zoom', 1, 3)}
          {slack.x ? slider('Left to right', 'x', -1, 1) : null}
          {slack.y ? slider('Top to bottom', 'y', -1, 1) : null}
        </div>
      ) : null}
      {progress > 0 ? <progress value={progress} max={1} aria-label="Photo upload" /> : null}
      {error ? <Notice kind="error">{error}</Notice> : null}
      <div className="form-actions">
        <Button onClick={send} busy={progress > 0} disabled={!img}>
          Save photo
        </Button>
        <Button kind="secondary" onClick={onCancel} disabled={progress > 0}>
          Cancel
        </Button>
      </div>
    </div>
  );
}
