// The pointer from a loaded model to step 2: "Next: add images to measure accuracy", scrolling to the dataset.
import { scrollToSection } from '../scroll-to';
import { DATASET_STEP_ID } from './DatasetStep';

export function NextStepHint({ modelName }: { modelName: string }) {
  return (
    <div className="next-step" data-testid="next-step">
      <span className="next-step-num" aria-hidden="true">
        2
      </span>
      <p>
        <strong>Next: add images to measure accuracy.</strong>{' '}
        <span className="muted">See how often {modelName} is right on your own labelled images, below its card.</span>
      </p>
      <button type="button" className="btn btn-primary btn-small" onClick={() => scrollToSection(DATASET_STEP_ID)}>
        Add images ↓
      </button>
    </div>
  );
}
