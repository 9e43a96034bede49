// The "Your projects" panel: projects saved in this browser with their runs, storage use, Open / Show, and
// Delete with an inline two-step confirm. Presentational only: the caller passes the data and the handlers.
import { useEffect, useId, useRef, useState } from 'react';
import type { ProjectSummary, RunSummary, StorageInfo } from '../../state/projects/types';
import { formatBytes } from '../../state/report/format';
import './projects.css';

export interface ProjectsPanelProps {
  projects: ProjectSummary[];
  currentId: string | null;
  currentRunId: string | null;
  storage: StorageInfo | null;
  /** Projects could not be saved in this browser: say so plainly (the app still works). */
  unavailable: string | null;
  /** A job runs: open/show/delete buttons are disabled with a title saying why. */
  busy: boolean;
  onOpenProject(id: string): void;
  onOpenRun(projectId: string, runId: string): void;
  onDeleteProject(id: string): void;
  onDeleteRun(projectId: string, runId: string): void;
}

/** Why the buttons are disabled while a job runs (opening or deleting would pull the files from under it). */
export const PROJECTS_BUSY_TITLE = 'Wait until the running job finishes (or cancel it) before opening or deleting projects.';

/** Above this share of the quota the meter turns amber: the next save may fail. */
const STORAGE_WARN_SHARE = 0.8;

export function ProjectsPanel(props: ProjectsPanelProps) {
  const { projects, storage, unavailable } = props;
  const titleId = useId();
  return (
    <section className="panel projects-panel" data-testid="projects-panel" aria-labelledby={titleId}>
      <header className="projects-head">
        <div>
          <h2 id={titleId}>Your projects</h2>
          <p className="muted projects-note">Saved in this browser only. Nothing is uploaded.</p>
        </div>
        {storage !== null && unavailable === null && <StorageMeter storage={storage} />}
      </header>

      {unavailable !== null ? (
        <p className="notice notice-amber projects-unavailable" data-testid="projects-unavailable">
          {unavailable}
        </p>
      ) : projects.length === 0 ? (
        <p className="muted projects-empty" data-testid="projects-empty">
          No saved projects yet. When you open a model, it is kept here with its data and results, so reloading the page does not lose your work.
        </p>
      ) : (
        <ul className="projects-list">
          {projects.map((p) => (
            <ProjectItem key={p.id} project={p} {...props} />
          ))}
        </ul>
      )}
    </section>
  );
}

function StorageMeter({ storage }: { storage: StorageInfo }) {
  const share = storage.quotaBytes > 0 ? Math.min(1, storage.usageBytes / storage.quotaBytes) : 0;
  const percent = Math.round(share * 1000) / 10;
  return (
    <div className="projects-storage">
      <p className="projects-storage-text" data-testid="storage-quota">
        Using {formatBytes(storage.usageBytes)} of {formatBytes(storage.quotaBytes)} this browser allows
      </p>
      <div
        className={`projects-meter${share >= STORAGE_WARN_SHARE ? ' is-high' : ''}`}
        role="meter"
        aria-label="Browser storage used"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={percent}
        aria-valuetext={`${percent}% used`}
      >
        {/* At least a sliver, so a few KB still shows the bar is a meter and not an empty line. */}
        <span className="projects-meter-fill" style={{ width: `${Math.max(share * 100, 1)}%` }} />
      </div>
      {!storage.persisted && <p className="projects-storage-note muted">The browser may clear saved projects if the disk runs low on space.</p>}
    </div>
  );
}

function localDate(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

function datasetWords(p: ProjectSummary): string {
  if (p.datasetFiles === 0) return 'no dataset';
  return `${p.datasetFiles} dataset ${p.datasetFiles === 1 ? 'file' : 'files'} (${formatBytes(p.datasetBytes)})`;
}

function ProjectItem({ project: p, currentId, currentRunId, busy, onOpenProject, onOpenRun, onDeleteProject, onDeleteRun }: ProjectsPanelProps & { project: ProjectSummary }) {
  const isCurrent = p.id === currentId;
  const busyTitle = busy ? PROJECTS_BUSY_TITLE : undefined;
  return (
    <li className={`projects-item${isCurrent ? ' is-current' : ''}`} data-testid="project-item" data-project-id={p.id}>
      <div className="projects-row">
        <div className="projects-text">
          <h3 className="projects-name">
            {p.name}
            {p.demo && <span className="projects-tag">Demo</span>}
          </h3>
          <p className="projects-meta">
            <span className="mono">{p.modelName || 'no model file'}</span> · {formatBytes(p.modelBytes)} · {datasetWords(p)} · updated{' '}
            <time dateTime={p.updatedAt}>{localDate(p.updatedAt)}</time>
          </p>
        </div>
        <div className="projects-actions">
          {isCurrent ? (
            // Nothing to do for the open project; the disabled button still states it, and aria-current says it to screen readers.
            <button type="button" className="btn btn-ghost btn-small" aria-current="true" aria-label={`${p.name} is open now`} title="This project is open now" disabled>
              Open now
            </button>
          ) : (
            <button type="button" className="btn btn-secondary btn-small" aria-label={`Open ${p.name}`} disabled={busy} title={busyTitle} onClick={() => onOpenProject(p.id)}>
              Open
            </button>
          )}
          <ConfirmDelete testId="delete-project" what={`project ${p.name}`} busy={busy} onConfirm={() => onDeleteProject(p.id)} />
        </div>
      </div>

      {p.runs.length > 0 && (
        <ul className="projects-runs" aria-label={`Saved runs of ${p.name}`}>
          {p.runs.map((run) => (
            <RunItem key={run.id} run={run} projectName={p.name} isCurrent={isCurrent && run.id === currentRunId} busy={busy} onShow={() => onOpenRun(p.id, run.id)} onDelete={() => onDeleteRun(p.id, run.id)} />
          ))}
        </ul>
      )}
    </li>
  );
}

function RunItem({ run, projectName, isCurrent, busy, onShow, onDelete }: { run: RunSummary; projectName: string; isCurrent: boolean; busy: boolean; onShow(): void; onDelete(): void }) {
  const when = localDate(run.createdAt);
  return (
    <li className={`projects-run${isCurrent ? ' is-current' : ''}`} data-testid="run-item" data-run-id={run.id}>
      <time className="projects-run-date" dateTime={run.createdAt}>
        {when}
      </time>
      <span className="projects-run-headline">{run.headline}</span>
      <span className="projects-actions">
        <button
          type="button"
          className="btn btn-ghost btn-small"
          aria-label={isCurrent ? `Run of ${when} in ${projectName} is shown now` : `Show the run of ${when} in ${projectName}`}
          aria-current={isCurrent ? 'true' : undefined}
          disabled={busy || isCurrent}
          title={isCurrent ? 'These results are shown now' : busy ? PROJECTS_BUSY_TITLE : undefined}
          onClick={onShow}
        >
          {isCurrent ? 'Shown' : 'Show'}
        </button>
        <ConfirmDelete testId="delete-run" what={`the run of ${when} in ${projectName}`} busy={busy} onConfirm={onDelete} />
      </span>
    </li>
  );
}

/** "Delete" -> "Delete for good?" + "Keep". Focus lands on Keep (the safe choice) and returns to Delete on Keep / Escape. */
function ConfirmDelete({ testId, what, busy, onConfirm }: { testId: string; what: string; busy: boolean; onConfirm(): void }) {
  const [confirming, setConfirming] = useState(false);
  const deleteRef = useRef<HTMLButtonElement>(null);
  const keepRef = useRef<HTMLButtonElement>(null);
  // Only move focus after the user toggled the confirm, never on first render.
  const toggled = useRef(false);

  useEffect(() => {
    if (!toggled.current) return;
    (confirming ? keepRef : deleteRef).current?.focus();
  }, [confirming]);

  const toggle = (next: boolean) => {
    toggled.current = true;
    setConfirming(next);
  };

  if (!confirming) {
    return (
      <button
        ref={deleteRef}
        type="button"
        className="btn btn-ghost btn-small projects-delete"
        data-testid={testId}
        aria-label={`Delete ${what}`}
        disabled={busy}
        title={busy ? PROJECTS_BUSY_TITLE : undefined}
        onClick={() => toggle(true)}
      >
        Delete
      </button>
    );
  }
  return (
    <span
      className="projects-confirm"
      role="group"
      aria-label={`Confirm deleting ${what}`}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          toggle(false);
        }
      }}
    >
      <button
        type="button"
        className="btn btn-small projects-confirm-delete"
        data-testid="confirm-delete"
        aria-label={`Delete ${what} for good`}
        disabled={busy}
        title={busy ? PROJECTS_BUSY_TITLE : undefined}
        onClick={() => {
          setConfirming(false);
          onConfirm();
        }}
      >
        Delete for good?
      </button>
      <button ref={keepRef} type="button" className="btn btn-ghost btn-small" aria-label={`Keep ${what}`} onClick={() => toggle(false)}>
        Keep
      </button>
    </span>
  );
}
