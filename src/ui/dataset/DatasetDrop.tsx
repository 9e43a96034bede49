// Step 2 intake: a drop target for images, .npy/.npz tensors, class folders, zips and label files, with file and
// folder pickers.
import { useRef, useState, type DragEvent } from 'react';
import { filesFromDataTransfer, filesFromInput, type DroppedFile } from './collect-files';

interface DatasetDropProps {
  onFiles: (files: DroppedFile[]) => void;
  /** A label file (CSV, val.txt, class list) added to the images already there. */
  onLabels: (files: DroppedFile[]) => void;
  /** A dataset is already loaded: draw a slim bar instead of the big target. */
  compact: boolean;
  disabled: boolean;
}

export function DatasetDrop({ onFiles, onLabels, compact, disabled }: DatasetDropProps) {
  const filesRef = useRef<HTMLInputElement>(null);
  const labelsRef = useRef<HTMLInputElement>(null);
  const folderRef = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);

  const onDragOver = (e: DragEvent<HTMLDivElement>): void => {
    e.preventDefault();
    // Keep the window-wide "drop to load the model" overlay away while over this target.
    e.stopPropagation();
    e.dataTransfer.dropEffect = disabled ? 'none' : 'copy';
    setOver(true);
  };
  const onDrop = (e: DragEvent<HTMLDivElement>): void => {
    e.preventDefault();
    setOver(false);
    if (disabled) return;
    void filesFromDataTransfer(e.dataTransfer).then((files) => {
      if (files.length > 0) onFiles(files);
    });
  };
  const onPicked = (input: HTMLInputElement, to: (files: DroppedFile[]) => void = onFiles): void => {
    const files = filesFromInput(input.files);
    input.value = '';
    if (files.length > 0) to(files);
  };

  const cls = ['dropzone', 'dataset-drop', compact ? 'dropzone-compact' : '', over ? 'is-over' : ''].filter(Boolean).join(' ');
  return (
    <div className={cls} data-testid="dataset-drop" onDragOver={onDragOver} onDragLeave={() => setOver(false)} onDrop={onDrop} aria-describedby="dataset-drop-hint">
      {!compact && <FolderIcon />}
      <div className="dropzone-text">
        <p className="dropzone-title">{compact ? 'Use other files' : over ? 'Release to add the images' : 'Drop images or a folder here'}</p>
        <p className="dropzone-hint" id="dataset-drop-hint">
          {compact
            ? 'Images, NumPy tensors (.npy, .npz), a folder, a .zip, or a label file (.txt, .csv)'
            : 'A folder with one subfolder per class labels itself. Loose images, a .zip, and a val.txt or .csv of labels work too; for audio or other non-image models, NumPy .npy/.npz tensors.'}
        </p>
      </div>
      <div className="dataset-drop-actions">
        <button type="button" className="btn btn-secondary" onClick={() => filesRef.current?.click()} disabled={disabled}>
          Choose files…
        </button>
        <button type="button" className="btn btn-secondary" onClick={() => folderRef.current?.click()} disabled={disabled}>
          Choose a folder…
        </button>
        <button type="button" className="btn btn-secondary" onClick={() => labelsRef.current?.click()} disabled={disabled} aria-describedby="labels-hint">
          Add a label file…
        </button>
        <span className="visually-hidden" id="labels-hint">
          A CSV with file and label columns, a val.txt, or a class list; added to the images already loaded.
        </span>
      </div>
      <input
        ref={labelsRef}
        type="file"
        multiple
        accept=".csv,.txt,.tsv,.json"
        data-testid="labels-input"
        aria-label="Label file"
        className="visually-hidden"
        tabIndex={-1}
        onChange={(e) => onPicked(e.currentTarget, onLabels)}
      />
      <input
        ref={filesRef}
        type="file"
        multiple
        accept="image/*,.npy,.npz,.zip,.txt,.csv"
        data-testid="images-input"
        className="visually-hidden"
        tabIndex={-1}
        aria-hidden="true"
        onChange={(e) => onPicked(e.currentTarget)}
      />
      <input
        ref={folderRef}
        type="file"
        // React has no typed prop for these; they make the picker choose a whole folder.
        {...{ webkitdirectory: '', directory: '' }}
        data-testid="dataset-folder-input"
        className="visually-hidden"
        tabIndex={-1}
        aria-hidden="true"
        onChange={(e) => onPicked(e.currentTarget)}
      />
    </div>
  );
}

function FolderIcon() {
  return (
    <svg className="dropzone-icon" viewBox="0 0 48 48" width="48" height="48" aria-hidden="true">
      <path d="M6 14a4 4 0 0 1 4-4h9l4 5h15a4 4 0 0 1 4 4v17a4 4 0 0 1-4 4H10a4 4 0 0 1-4-4Z" fill="none" stroke="currentColor" strokeWidth="3" strokeLinejoin="round" />
      <path d="m17 33 7-8 5 5 3-3 5 6" fill="none" stroke="currentColor" strokeWidth="2.5" strokeLinecap="round" strokeLinejoin="round" />
    </svg>
  );
}
