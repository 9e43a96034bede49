// How closely a variant follows the reference model on the same images: agreement, overlap, SQNR, cosine.
import type { Fidelity } from '../../data/types';
import { formatPercent } from '../format';

interface FidelityPanelProps {
  fidelity: Fidelity;
  referenceName: string;
  variantName: string;
}

/** A plain verdict on top-1 agreement: most users only need this line. */
function verdict(agreement: number): { text: string; tone: 'green' | 'amber' | 'red' } {
  if (agreement >= 0.99) return { text: 'Practically identical predictions', tone: 'green' };
  if (agreement >= 0.95) return { text: 'Close: a few predictions change', tone: 'green' };
  if (agreement >= 0.85) return { text: 'Noticeable drift: check the accuracy numbers', tone: 'amber' };
  return { text: 'Large drift: the variant often disagrees', tone: 'red' };
}

export function FidelityPanel({ fidelity: f, referenceName, variantName }: FidelityPanelProps) {
  const v = verdict(f.top1Agreement);
  return (
    <section className="fidelity" data-testid="fidelity" data-agreement={f.top1Agreement} data-top5-overlap={f.top5Overlap} data-sqnr={f.sqnrDb} aria-labelledby="fidelity-h">
      <div className="section-head">
        <h4 id="fidelity-h" title={`${variantName} against ${referenceName}`}>
          Agreement with the reference
        </h4>
        <span className={`pill pill-${v.tone}`}>{v.text}</span>
      </div>
      <div className="stat-tiles">
        <Metric label="Top-1 agreement" value={formatPercent(f.top1Agreement)} sub="same top class as the reference" />
        <Metric label="Top-5 overlap" value={formatPercent(f.top5Overlap)} sub="shared classes among the top 5" />
        <Metric label="SQNR" value={Number.isFinite(f.sqnrDb) ? `${f.sqnrDb.toFixed(1)} dB` : '∞ dB'} sub="output signal to error; higher is better, > 30 dB is close" />
        <Metric label="Cosine similarity" value={f.cosine.toFixed(4)} sub="of the output vectors; 1 is identical" />
        {f.pixelAgreement !== undefined && <Metric label="Pixel agreement" value={formatPercent(f.pixelAgreement)} sub="same class per pixel" />}
        {f.miou !== undefined && <Metric label="Mean IoU" value={formatPercent(f.miou)} sub="against the reference masks" />}
      </div>
    </section>
  );
}

function Metric({ label, value, sub }: { label: string; value: string; sub: string }) {
  return (
    <div className="stat">
      <span className="stat-label">{label}</span>
      <span className="stat-value">{value}</span>
      <span className="stat-sub">{sub}</span>
    </div>
  );
}
