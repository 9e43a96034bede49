// The app shell: header with the runtime badge, the step bar, step 1 (Model), step 2 (Dataset) and the
// whole-window drop (a model goes to step 1; images or a folder, once a model is loaded, go to step 2).
import { useCallback, useEffect } from 'react';
import { useStore } from '../state/store';
import { filesFromDataTransfer, isDatasetDrop } from './dataset/collect-files';
import { DatasetStep } from './dataset/DatasetStep';
import { useDatasetFiles } from './dataset/use-dataset-files';
import { FlowSteps } from './FlowSteps';
import { ModelStep } from './ModelStep';
import { RuntimeBadge } from './RuntimeBadge';
import { useWindowDrop } from './useWindowDrop';

export function App() {
  useEffect(() => {
    void useStore.getState().probeRuntime();
  }, []);

  const loadModel = useStore((s) => s.loadModel);
  const loadDataset = useStore((s) => s.loadDataset);
  const hasModel = useStore((s) => s.model.card !== null);
  const onFiles = useCallback((files: File[]) => void loadModel(files), [loadModel]);
  const datasetAccepted = useCallback(() => useStore.getState().dataset.error === null, []);
  const datasetFiles = useDatasetFiles(loadDataset, datasetAccepted);
  const { add: addDataset } = datasetFiles;
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
        <RuntimeBadge />
      </header>
      <FlowSteps />
      <main className="app-main">
        <ModelStep onFiles={onFiles} windowDragging={dragging} />
        {hasModel && <DatasetStep files={datasetFiles} />}
      </main>
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
