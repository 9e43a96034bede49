// How the dataset's labels were matched to the model's outputs, with the background-class (+1) toggle; shared by
// the image and tensor summaries.
import type { LabelMapping } from '../../data/types';

interface LabelMappingNoteProps {
  mapping: LabelMapping;
  onLabelOffset: (offset: number) => void;
  busy: boolean;
}

export function LabelMappingNote({ mapping, onLabelOffset, busy }: LabelMappingNoteProps) {
  return (
    <div className="label-mapping">
      <p data-testid="label-mapping" data-source={mapping.source} data-offset={mapping.offset}>
        {mapping.description}
      </p>
      {mapping.source !== 'none' && (
        <label className="check">
          <input
            type="checkbox"
            data-testid="label-offset"
            checked={mapping.offset === 1}
            disabled={busy}
            onChange={(e) => onLabelOffset(e.currentTarget.checked ? 1 : 0)}
          />
          <span>
            Model has a background class (+1)
            <span className="check-hint">Tick this if the model&rsquo;s output 0 means &ldquo;background&rdquo; (many TensorFlow models have 1001 outputs).</span>
          </span>
        </label>
      )}
    </div>
  );
}
