// The app shell: header with the runtime badge, the step bar, step 1 (Model) and the whole-window drop overlay.
import { useCallback, useEffect } from 'react';
import { useStore } from '../state/store';
import { FlowSteps } from './FlowSteps';
import { ModelStep } from './ModelStep';
import { RuntimeBadge } from './RuntimeBadge';
import { useWindowDrop } from './useWindowDrop';

export function App() {
  useEffect(() => {
    void useStore.getState().probeRuntime();
  }, []);

  const loadModel = useStore((s) => s.loadModel);
  const onFiles = useCallback((files: File[]) => void loadModel(files), [loadModel]);
  const dragging = useWindowDrop(onFiles);

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
      </main>
      <footer className="app-footer">
        <p>Quantbench runs ONNX models with onnxruntime-web, on this device only.</p>
      </footer>
      {dragging && (
        <div className="drop-overlay" aria-hidden="true">
          <p>Drop to load the model</p>
        </div>
      )}
    </div>
  );
}
