// The checked FP16 variant: size before/after, agreement with FP32, weights changed, nodes kept in FP32, download.
import { JobStats } from '../JobStats';
import type { Fp16State } from '../../state/optimize-slice';
import { formatBytes, formatInt, formatPercent } from '../format';
import { KEEP_REASON_WORDS } from './words';

type Fp16Outcome = NonNullable<Fp16State['result']>;

interface Fp16ResultProps {
  result: Fp16Outcome;
  download: Fp16State['download'];
}

export function Fp16Result({ result, download }: Fp16ResultProps) {
  const { report, check, mixedPrecision } = result;
  const ratio = report.sizeAfterBytes / report.sizeBeforeBytes;
  const passed = check?.passed ?? false;
  return (
    <div className="fp16-result" data-testid="fp16-result" data-size-ratio={ratio.toFixed(4)} data-cosine={check?.cosine ?? ''} data-passed={String(passed)}>
      <div className="stat-tiles">
        <Tile label="Size" value={formatBytes(report.sizeAfterBytes)} sub={`${formatPercent(ratio, 0)} of the original ${formatBytes(report.sizeBeforeBytes)}`} />
        {check !== null && (
          <Tile
            label="Cosine vs FP32"
            value={check.cosine.toFixed(6)}
            sub={`worst of ${check.inputs} ${check.inputSource === 'random' ? 'seeded random' : 'image'} inputs; 1 is identical`}
          />
        )}
        <Tile label="Weights changed" value={formatInt(report.clampedValues + report.flushedValues)} sub={`${formatInt(report.clampedValues)} clamped to ±65504, ${formatInt(report.flushedValues)} tiny values set to 0`} />
        <Tile label="Kept in FP32" value={formatInt(report.keptFp32Nodes.length)} sub={report.keptFp32Nodes.length === 1 ? 'node' : 'nodes'} />
      </div>

      {check !== null && !passed && (
        <p className="notice notice-red" data-testid="fp16-failed">
          The FP16 model does not follow the original closely enough (cosine {check.cosine.toFixed(4)}, needs 0.999), even with layers kept in FP32. It is not offered for download.
        </p>
      )}
      <JobStats stats={result.stats} />
      {mixedPrecision !== null && (
        <p className="muted">
          Plain FP16 drifted, so {mixedPrecision.keepNodes.length} of {mixedPrecision.candidates} layers were moved back to FP32 after {mixedPrecision.trials} trial conversions.
        </p>
      )}
      {report.keptFp32Nodes.length > 0 && (
        <details className="node-list" data-testid="fp16-kept">
          <summary>Which nodes stay FP32, and why</summary>
          <ol>
            {report.keptFp32Nodes.map((n, i) => (
              <li key={`${n.name}-${i}`}>
                <span className="mono">{n.name}</span> <span className="muted">{n.opType} · {KEEP_REASON_WORDS[n.reason]}</span>
              </li>
            ))}
          </ol>
        </details>
      )}

      {download !== null && passed && (
        <div className="fp16-download-row">
          <a className="btn btn-primary" data-testid="fp16-download" href={download.url} download={download.fileName}>
            Download {download.fileName}
          </a>
          <span className="muted">{formatBytes(download.sizeBytes)} · inputs and outputs stay float32, so it drops in where the original was used</span>
        </div>
      )}
    </div>
  );
}

function Tile({ label, value, sub }: { label: string; value: string; sub: string }) {
  return (
    <div className="stat">
      <span className="stat-label">{label}</span>
      <span className="stat-value">{value}</span>
      <span className="stat-sub">{sub}</span>
    </div>
  );
}
