// Step 1 of the flow: intake (drop zone, demo), job progress, errors, demo results and the model card.
import { useEffect, useState } from 'react';
import type { ModelCard } from '../onnx/summary';
import type { QbErrorData } from '../shared/errors';
import { useStore } from '../state/store';
import { DemoResults } from './DemoResults';
import { DropZone } from './DropZone';
import { ErrorBanner } from './ErrorBanner';
import { HowItWorks } from './FlowSteps';
import { ModelCardView } from './ModelCard';
import { ProgressPanel } from './ProgressPanel';

interface ModelStepProps {
  onFiles: (files: File[]) => void;
  windowDragging: boolean;
}

export function ModelStep({ onFiles, windowDragging }: ModelStepProps) {
  const model = useStore((s) => s.model);
  const demo = useStore((s) => s.demo);
  const runDemo = useStore((s) => s.runDemo);
  const cancelModel = useStore((s) => s.cancelModel);
  const cancelDemo = useStore((s) => s.cancelDemo);
  const dismissModelError = useStore((s) => s.dismissModelError);

  // The store has no "dismiss" for demo errors; hiding the dismissed error object is purely a view concern.
  const [dismissedDemoError, setDismissedDemoError] = useState<QbErrorData | null>(null);
  // Demo results belong to the card that was loaded when they arrived; another model hides them.
  const [demoCard, setDemoCard] = useState<ModelCard | null>(null);
  useEffect(() => {
    if (demo.report !== null) setDemoCard(useStore.getState().model.card);
  }, [demo.report]);

  const modelRunning = model.status === 'running';
  const demoRunning = demo.status === 'running';
  const showDemo = demoRunning || (demo.report !== null && model.card !== null && model.card === demoCard);
  const demoError = demo.error !== null && demo.error !== dismissedDemoError ? demo.error : null;
  const loadingLabel = `Loading ${model.loadingName || 'the model'}`;

  return (
    <section className="step-body" aria-label="Step 1: Model">
      <DropZone onFiles={onFiles} onDemo={() => void runDemo()} compact={model.card !== null || demoRunning} windowDragging={windowDragging} demoRunning={demoRunning} />

      {model.card === null && !modelRunning && !demoRunning && demo.images.length === 0 && <HowItWorks />}

      {demoRunning ? (
        <ProgressPanel
          progress={modelRunning ? model.progress : demo.progress}
          fallbackLabel={modelRunning ? loadingLabel : 'Fetching the demo model and images'}
          onCancel={() => {
            cancelDemo();
            if (modelRunning) cancelModel();
          }}
        />
      ) : (
        modelRunning && <ProgressPanel progress={model.progress} fallbackLabel={loadingLabel} onCancel={cancelModel} />
      )}

      {model.error !== null && <ErrorBanner error={model.error} title="That model could not be loaded" onDismiss={dismissModelError} />}
      {demoError !== null && <ErrorBanner error={demoError} title="The demo could not run" onDismiss={() => setDismissedDemoError(demoError)} />}

      {showDemo && <DemoResults classes={demo.classes} images={demo.images} report={demo.report} />}

      {model.card !== null && <ModelCardView card={model.card} stale={modelRunning || model.error !== null} />}
    </section>
  );
}
