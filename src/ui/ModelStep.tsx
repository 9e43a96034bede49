// Step 1 of the flow: intake (drop zone, the full demo), job progress, errors, demo results, the pointer to step 2
// and the model card. (The single-variant tools live in ToolsSection, after Compare.)
import { useStore } from '../state/store';
import { NextStepHint } from './dataset/NextStepHint';
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
  const runFullDemo = useStore((s) => s.runFullDemo);
  const cancelModel = useStore((s) => s.cancelModel);
  const cancelDemo = useStore((s) => s.cancelDemo);
  const dismissModelError = useStore((s) => s.dismissModelError);
  const dismissDemoError = useStore((s) => s.dismissDemoError);
  const hasDataset = useStore((s) => s.dataset.images.length > 0 || s.dataset.samples.length > 0);

  const modelRunning = model.status === 'running';
  const demoRunning = demo.status === 'running';
  // Demo results belong to the demo's model; loading another model hides them.
  const showDemo = demoRunning || (demo.report !== null && model.card !== null && model.files[0] === demo.modelFile);
  const loadingLabel = `Loading ${model.loadingName || 'the model'}`;

  return (
    <section id="step-model" className="step-body" aria-label="Step 1: Model" tabIndex={-1}>
      <DropZone onFiles={onFiles} onDemo={() => void runDemo()} onFullDemo={() => void runFullDemo()} compact={model.card !== null || demoRunning} windowDragging={windowDragging} demoRunning={demoRunning} />

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
      {demo.error !== null && <ErrorBanner error={demo.error} title="The demo could not run" onDismiss={dismissDemoError} />}

      {showDemo && <DemoResults classes={demo.classes} images={demo.images} report={demo.report} />}

      {model.card !== null && !modelRunning && !hasDataset && <NextStepHint modelName={model.card.fileName} />}

      {model.card !== null && <ModelCardView card={model.card} stale={modelRunning || model.error !== null} />}
    </section>
  );
}
