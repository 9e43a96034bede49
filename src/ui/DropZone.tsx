// The way in: a drop target and file picker for .onnx models (plus external weights), and the demo button.
import { useRef, useState, type DragEvent, type KeyboardEvent } from 'react';

interface DropZoneProps {
  onFiles: (files: File[]) => void;
  onDemo: () => void;
  /** The whole flow on the built-in demo: load, data, Optimize, Compare. */
  onFullDemo: () => void;
  /** A model is already shown: draw a slim bar instead of the big target. */
  compact: boolean;
  /** Files are being dragged somewhere over the window. */
  windowDragging: boolean;
  /** The demo is running: its button would only restart it. */
  demoRunning: boolean;
}

export function DropZone({ onFiles, onDemo, onFullDemo, compact, windowDragging, demoRunning }: DropZoneProps) {
  const inputRef = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);

  const openPicker = (): void => inputRef.current?.click();
  const onKeyDown = (e: KeyboardEvent<HTMLDivElement>): void => {
    if (e.target !== e.currentTarget) return;
    if (e.key === 'Enter' || e.key === ' ') {
      e.preventDefault();
      openPicker();
    }
  };
  const onDragOver = (e: DragEvent<HTMLDivElement>): void => {
    e.preventDefault();
    setOver(true);
  };
  const onDrop = (e: DragEvent<HTMLDivElement>): void => {
    e.preventDefault();
    setOver(false);
    const files = Array.from(e.dataTransfer.files);
    if (files.length > 0) onFiles(files);
  };

  const zoneClass = ['dropzone', compact ? 'dropzone-compact' : '', over ? 'is-over' : windowDragging ? 'is-dragging' : '']
    .filter(Boolean)
    .join(' ');

  return (
    <div className={compact ? 'intake intake-compact' : 'intake'}>
      <div
        className={zoneClass}
        data-testid="drop-zone"
        role="button"
        tabIndex={0}
        aria-label="Load an ONNX model: drop files here or press Enter to choose files"
        aria-describedby="dropzone-hint"
        onClick={openPicker}
        onKeyDown={onKeyDown}
        onDragOver={onDragOver}
        onDragLeave={() => setOver(false)}
        onDrop={onDrop}
      >
        {!compact && <UploadIcon />}
        <div className="dropzone-text">
          <p className="dropzone-title">{compact ? 'Load another model' : over ? 'Release to load' : 'Inspect your own model'}</p>
          <p className="dropzone-hint" id="dropzone-hint">
            Drop an .onnx model here (with its .data weights file, if it has one)
          </p>
        </div>
        {/* The zone itself takes the click and the keyboard; this button is its visible affordance. */}
        <button type="button" className="btn btn-secondary" tabIndex={-1}>
          Choose files…
        </button>
      </div>
      <input
        ref={inputRef}
        type="file"
        multiple
        data-testid="model-input"
        className="visually-hidden"
        tabIndex={-1}
        aria-hidden="true"
        onChange={(e) => {
          const files = Array.from(e.currentTarget.files ?? []);
          e.currentTarget.value = '';
          if (files.length > 0) onFiles(files);
        }}
      />

      <div className="demo-offer">
        <button type="button" className="btn btn-primary btn-demo" data-testid="demo-run" onClick={onFullDemo} disabled={demoRunning} aria-describedby="demo-hint">
          Try the demo
        </button>
        <p className="demo-hint" id="demo-hint">
          One click runs the whole flow on a small built-in shape classifier and 48 labelled images: FP16 and INT8 variants, measured and compared. No upload, no network.{' '}
          <button type="button" className="btn-link" data-testid="demo-button" onClick={onDemo} disabled={demoRunning}>
            Only load the demo model
          </button>
        </p>
      </div>
    </div>
  );
}

function UploadIcon() {
  return (
    <svg className="dropzone-icon" viewBox="0 0 48 48" width="48" height="48" aria-hidden="true">
      <path d="M24 31V9m0 0-8 8m8-8 8 8" fill="none" stroke="currentColor" strokeWidth="3" strokeLinecap="round" strokeLinejoin="round" />
      <path d="M9 29v7a4 4 0 0 0 4 4h22a4 4 0 0 0 4-4v-7" fill="none" stroke="currentColor" strokeWidth="3" strokeLinecap="round" />
    </svg>
  );
}
