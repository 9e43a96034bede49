// Reference and variant next to each other: accuracy and speed, with the difference in points or as a ratio.
import type { EvalReport } from '../../data/types';
import { formatMs, formatPercent } from '../format';

interface SideBySideProps {
  reference: EvalReport;
  variant: EvalReport;
  referenceName: string;
  variantName: string;
}

function points(a: number | null, b: number | null): string {
  if (a === null || b === null) return '—';
  const d = (b - a) * 100;
  return `${d > 0 ? '+' : d < 0 ? '−' : '±'}${Math.abs(d).toFixed(1)} pts`;
}

export function SideBySide({ reference: r, variant: v, referenceName, variantName }: SideBySideProps) {
  const pct = (x: number | null): string => (x === null ? '—' : formatPercent(x));
  // Model time only: decoding and preprocessing are the same for both.
  const speedup = v.inferenceMsMean > 0 && r.inferenceMsMean > 0 ? r.inferenceMsMean / v.inferenceMsMean : null;
  return (
    <div className="table-scroll side-by-side" data-testid="side-by-side" data-variant-top1={v.top1 ?? ''} data-variant-top5={v.top5 ?? ''}>
      <table className="data-table">
        <thead>
          <tr>
            <th scope="col">
              <span className="visually-hidden">Measure</span>
            </th>
            <th scope="col" className="num">
              <span className="model-tag">Reference</span> {referenceName}
            </th>
            <th scope="col" className="num">
              <span className="model-tag model-tag-variant">Variant</span> {variantName}
            </th>
            <th scope="col" className="num">
              Difference
            </th>
          </tr>
        </thead>
        <tbody>
          {(r.top1 !== null || v.top1 !== null) && (
            <>
              <tr>
                <th scope="row">Top-1 accuracy</th>
                <td className="num">{pct(r.top1)}</td>
                <td className="num">{pct(v.top1)}</td>
                <td className="num">{points(r.top1, v.top1)}</td>
              </tr>
              <tr>
                <th scope="row">Top-5 accuracy</th>
                <td className="num">{pct(r.top5)}</td>
                <td className="num">{pct(v.top5)}</td>
                <td className="num">{points(r.top5, v.top5)}</td>
              </tr>
            </>
          )}
          <tr>
            <th scope="row">Inference, mean</th>
            <td className="num">{formatMs(r.inferenceMsMean)}</td>
            <td className="num">{formatMs(v.inferenceMsMean)}</td>
            <td className="num">{speedup === null ? '—' : speedup >= 1 ? `${speedup.toFixed(2)}× faster` : `${(1 / speedup).toFixed(2)}× slower`}</td>
          </tr>
        </tbody>
      </table>
      <p className="footnote">Speed here is measured while evaluating, on the CPU (WebAssembly). FP16 is no faster than FP32 on the CPU; it pays off on WebGPU.</p>
    </div>
  );
}
