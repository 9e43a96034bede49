// The app shell: header (runtime badge, projects), the step bar, steps 1-4 (Model, Data, Optimize, Compare), the
// single-variant tools, the presentation view, and the whole-window drop (a model goes to step 1; images or a
// folder, once a model is loaded, go to step 2). The last project reopens on start.
import { useCallback, useEffect, useState } from 'react';
import { findDatasetFile } from '../state/dataset-slice';
import { useStore } from '../state/store';
import { filesFromDataTransfer, isDatasetDrop } from './dataset/collect-files';
import { DatasetStep } from './dataset/DatasetStep';
import { ErrorBanner } from './ErrorBanner';
import { useDatasetFiles } from './dataset/use-dataset-files';
import { FlowSteps } from './FlowSteps';
import { ModelStep } from './ModelStep';
import { RuntimeBadge } from './RuntimeBadge';
import { useWindowDrop } from './useWindowDrop';
import { CompareStep } from './compare/CompareStep';
import { PresentationView } from './compare/PresentationView';
import { ProjectsPanel } from './projects/ProjectsPanel';
import { ToolsSection } from './ToolsSection';
import { OptimizeStep } from './workflow/OptimizeStep';

export function App() {
  useEffect(() => {
    void useStore.getState().probeRuntime();
    void useStore.getState().restoreLastProject();
  }, []);
  const [showProjects, setShowProjects] = useState(false);
  const workflow = useStore((s) => s.workflow);
  const projects = useStore((s) => s.projects);
  const card = useStore((s) => s.model.card);
  const busy = useStore((s) => s.workflow.status === 'running' || s.model.status === 'running' || s.projects.restoring);

  const loadModel = useStore((s) => s.loadModel);
  const loadDataset = useStore((s) => s.loadDataset);
  const hasModel = useStore((s) => s.model.card !== null);
  const onFiles = useCallback((files: File[]) => void loadModel(files), [loadModel]);
  const datasetAccepted = useCallback(() => useStore.getState().dataset.error === null, []);
  const uiFiles = useDatasetFiles(loadDataset, datasetAccepted);
  // Datasets the store loaded itself (a reopened project, the demo) have no UI-side Files: look them up there.
  const datasetFiles = { ...uiFiles, find: (path: string) => uiFiles.find(path) ?? findDatasetFile(path) };
  const { add: addDataset } = uiFiles;
  const route = useCallback(
    (dt: DataTransfer): boolean => {
      if (!useStore.getState().model.card || !isDatasetDrop(dt)) return false;
      void filesFromDataTransfer(dt).then((files) => (files.length > 0 ? addDataset(files) : undefined));
      return true;
    },
    [addDataset],
  );
  const dragging = useWindowDrop(onFiles, route);

  return (
    <div className="app">
      <header className="app-header">
        <div className="brand">
          <img className="brand-logo" src={`${import.meta.env.BASE_URL}favicon.svg`} alt="" width={32} height={32} />
          <div>
            <h1 className="brand-name">Quantbench</h1>
            <p className="brand-tagline">Quantize and benchmark ONNX models in your browser. Nothing leaves your machine.</p>
          </div>
        </div>
        <div className="header-actions">
          <button
            type="button"
            className="btn btn-ghost btn-small"
            data-testid="projects-toggle"
            aria-expanded={showProjects}
            aria-controls="projects-drawer"
            onClick={() => setShowProjects((v) => !v)}
          >
            Projects{projects.list.length > 0 ? ` (${projects.list.length})` : ''}
          </button>
          <RuntimeBadge />
        </div>
      </header>
      <FlowSteps />
      {(showProjects || (!hasModel && projects.list.length > 0 && !busy)) && (
        <div id="projects-drawer" className="projects-drawer">
          <ProjectsPanel
            projects={projects.list}
            currentId={projects.currentId}
            currentRunId={workflow.runId}
            storage={projects.storage}
            unavailable={projects.unavailable}
            busy={busy}
            onOpenProject={(id) => void useStore.getState().openProject(id)}
            onOpenRun={(p, r) => void useStore.getState().openRun(p, r)}
            onDeleteProject={(id) => void useStore.getState().deleteProject(id)}
            onDeleteRun={(p, r) => void useStore.getState().deleteRun(p, r)}
          />
        </div>
      )}
      <main className="app-main">
        {projects.error !== null && (
          <ErrorBanner error={projects.error} title="Your project could not be saved or opened" onDismiss={() => useStore.getState().dismissProjectsError()} />
        )}
        <ModelStep onFiles={onFiles} windowDragging={dragging} />
        {hasModel && <DatasetStep files={datasetFiles} />}
        {hasModel && <OptimizeStep />}
        {workflow.report !== null && (
          <CompareStep
            report={workflow.report}
            downloads={workflow.downloads}
            stale={card !== null && workflow.report.model.fileName !== card.fileName ? `These results are for ${workflow.report.model.fileName}, not the model loaded now.` : null}
            onPresent={() => useStore.getState().setPresenting(true)}
          />
        )}
        {hasModel && card !== null && <ToolsSection card={card} />}
      </main>
      {workflow.presenting && workflow.report !== null && <PresentationView report={workflow.report} onClose={() => useStore.getState().setPresenting(false)} />}
      <footer className="app-footer">
        <p>Quantbench runs ONNX models with onnxruntime-web, on this device only.</p>
      </footer>
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          <p>{hasModel ? 'Drop a model to load it, or images to measure it' : 'Drop to load the model'}</p>
        </div>
      )}
    </div>
  );
}
