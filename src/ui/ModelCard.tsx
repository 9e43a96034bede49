// The model card: everything Quantbench learned about a loaded model, laid out in sections.
import type { ModelCard } from '../onnx/summary';
import { Blockers } from './card/Blockers';
import { IoTables } from './card/IoTable';
import { OpChart } from './card/OpChart';
import { Overview } from './card/Overview';
import { Quantization } from './card/Quantization';
import { Weights } from './card/Weights';

interface ModelCardViewProps {
  card: ModelCard;
  /** A newer file is loading or failed: the card is still this (previous) model. */
  stale: boolean;
}

export function ModelCardView({ card, stale }: ModelCardViewProps) {
  return (
    <article className={stale ? 'panel model-card is-stale' : 'panel model-card'} data-testid="model-card" data-file-name={card.fileName} aria-labelledby="card-title">
      <header className="model-card-head">
        <div>
          <p className="eyebrow">{stale ? 'Previous model' : 'Model card'}</p>
          <h2 id="card-title" className="model-card-title" data-testid="card-file-name">
            {card.fileName}
          </h2>
        </div>
      </header>
      <Blockers blockers={card.blockers} />
      <Overview card={card} />
      <IoTables card={card} />
      <div className="card-columns">
        <OpChart card={card} />
        <div className="card-stack">
          <Quantization card={card} />
          <Weights card={card} />
        </div>
      </div>
    </article>
  );
}
