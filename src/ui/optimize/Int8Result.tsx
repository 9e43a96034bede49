// The checked INT8 variant: size before -> after, agreement with FP32 on the check samples, warnings, how it was
// made (mode, preset, calibration images and speed, opset upgrade), what the accuracy search kept in float, what
// stayed float, per-layer error, download, and a comparison on the dataset.
import { JobStats } from '../JobStats';
import { datasetForJobs } from '../../state/dataset-slice';
import type { Int8Outcome, Int8State } from '../../state/int8-slice';
import { useStore } from '../../state/store';
import { formatBytes, formatDb, formatInt, formatMs, formatPercent } from '../format';
import { Int8Accuracy } from './Int8Accuracy';
import { Int8Layers } from './Int8Layers';
import { Int8Speed } from './Int8Speed';
import { INT8_METHOD_WORDS, INT8_PRESET_WORDS, WASM_INT8_SPEED_NOTE } from './words';

interface Int8ResultProps {
  result: Int8Outcome;
  download: Int8State['download'];
}

/** A plain verdict on the output SQNR (and top-1 agreement when there is a class output). */
function verdict(sqnrDb: number, agreement: number): { text: string; tone: 'green' | 'amber' | 'red' } {
  if (sqnrDb >= 30 && agreement >= 0.99) return { text: 'Very close to FP32', tone: 'green' };
  if (sqnrDb >= 20 && agreement >= 0.95) return { text: 'Close to FP32', tone: 'green' };
  if (sqnrDb >= 12 && agreement >= 0.85) return { text: 'Noticeable error: measure accuracy before using it', tone: 'amber' };
  return { text: 'Large error: try another preset, method or more images', tone: 'red' };
}

/** 840 → "840 ms", 1980 → "2.0 s". */
function formatDuration(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(1)} s` : formatMs(ms);
}

const CHECK_WORDS: Record<Int8Outcome['checkSource'], (n: number, what: string) => string> = {
  'held-out': (n, what) => `Checked on ${formatInt(n)} ${what} that calibration did not see.`,
  calibration: (n, what) => `Checked on ${formatInt(n)} of the calibration ${what}: none were left over for a separate check.`,
  random: (n) => `Checked on ${formatInt(n)} seeded random inputs, as no dataset was added: add real samples in step 2 for numbers that say more.`,
};

export function Int8Result({ result, download }: Int8ResultProps) {
  const { report, checkSource, source } = result;
  const c = report.check;
  const ratio = report.sizeAfterBytes / report.sizeBeforeBytes;
  const pixel = c.pixelAgreement !== undefined;
  const agreement = c.pixelAgreement ?? c.top1Agreement;
  const v = verdict(c.sqnrDb, agreement);
  const what = source.kind === 'dataset' && source.inputKind !== 'images' ? 'samples' : 'images';
  const cal = report.calibration;
  const isStatic = report.mode === 'static';
  const floatOps = Object.entries(report.floatOps).sort((a, b) => b[1] - a[1]);
  const byOp = new Map<string, number>();
  for (const n of report.quantizedNodes) byOp.set(n.opType, (byOp.get(n.opType) ?? 0) + 1);
  const quantizedOps = [...byOp].sort((a, b) => b[1] - a[1]).map(([op, n]) => `${op} ×${n}`);

  return (
    <div
      className="fp16-result int8-result"
      data-testid="int8-result"
      data-mode={report.mode}
      data-size-ratio={ratio.toFixed(4)}
      data-sqnr={c.sqnrDb}
      data-cosine={c.cosine}
      data-agreement={agreement}
      data-held-out={String(c.heldOut)}
      data-layers={report.layers.length}
    >
      <div className="section-head int8-result-head">
        <h3>Result</h3>
        <span className={`pill pill-${v.tone}`} data-testid="int8-verdict">
          {v.text}
        </span>
      </div>
      <div className="stat-tiles">
        <Tile label="Size" value={formatBytes(report.sizeAfterBytes)} sub={`from ${formatBytes(report.sizeBeforeBytes)}: ${formatPercent(ratio, 0)} of the FP32 size`} testId="int8-size" />
        <Tile label="SQNR vs FP32" value={formatDb(c.sqnrDb)} sub="output signal to error; higher is better, above 20 dB is usually fine" testId="int8-sqnr" />
        <Tile
          label={pixel ? 'Pixel agreement' : 'Top-1 agreement'}
          value={formatPercent(agreement)}
          sub={pixel ? 'pixels with the same class as FP32' : `same top class as FP32 on ${formatInt(c.inputs)} ${checkSource === 'random' ? 'inputs' : what}`}
          testId="int8-agreement"
        />
        <Tile label="Cosine vs FP32" value={c.cosine.toFixed(4)} sub="of the output vectors; 1 is identical" testId="int8-cosine" />
      </div>
      <p className="int8-check-line" data-testid="int8-check-line">
        {CHECK_WORDS[checkSource](c.inputs, what)} Largest output difference: {c.maxAbsDiff.toPrecision(3)}.
      </p>
      <JobStats stats={result.stats} />

      {report.warnings.length > 0 && (
        <ul className="notice notice-amber int8-warnings" data-testid="int8-warnings">
          {report.warnings.map((w, i) => (
            <li key={`${i}-${w}`}>{w}</li>
          ))}
        </ul>
      )}

      {report.accuracy !== null && <Int8Accuracy accuracy={report.accuracy} />}

      <dl className="meta-list int8-facts">
        <dt>How</dt>
        <dd data-testid="int8-how">
          {isStatic ? 'Static INT8' : 'Dynamic INT8'}
          {report.preset !== null && ` · ${INT8_PRESET_WORDS[report.preset]}`}
          {report.method !== null && ` · ${INT8_METHOD_WORDS[report.method].label} calibration`}
          {` · ${report.perChannel ? 'per-channel' : 'per-tensor'} weights`}
          {report.modelType !== null && ` · treated as a ${report.modelType === 'cnn' ? 'convolutional network' : 'transformer'}`}
        </dd>
        {cal !== null && (
          <>
            <dt>Calibration</dt>
            <dd data-testid="int8-calibration" data-images={cal.images} data-images-per-second={cal.imagesPerSecond}>
              {formatInt(cal.images)} {source.kind === 'demo' ? 'demo images' : what} of {formatInt(source.kind === 'none' ? cal.available : source.count)} in {formatDuration(cal.elapsedMs)} ·{' '}
              {cal.imagesPerSecond.toFixed(1)} {what} per second
            </dd>
          </>
        )}
        <dt>Integer layers</dt>
        <dd data-testid="int8-quantized" data-count={report.quantizedNodes.length}>
          {formatInt(report.quantizedNodes.length)} {report.quantizedNodes.length === 1 ? 'node' : 'nodes'}
          {quantizedOps.length > 0 && ` (${quantizedOps.join(', ')})`}
          {report.skippedNodes.length > 0 ? `; ${formatInt(report.skippedNodes.length)} quantizable ${report.skippedNodes.length === 1 ? 'node stays' : 'nodes stay'} in float (listed below)` : '; every quantizable node became integer'}
        </dd>
        {floatOps.length > 0 && (
          <>
            <dt>Stay float</dt>
            <dd>
              <ul className="chip-list" data-testid="int8-float-ops">
                {floatOps.map(([op, n]) => (
                  <li key={op} className="chip">
                    {op} <b>{n}</b>
                  </li>
                ))}
              </ul>
              <span className="muted int8-float-note">Operators that stay float by design (they are cheap, or lose too much in 8 bits).</span>
            </dd>
          </>
        )}
        {report.opsetUpgrade !== null && (
          <>
            <dt>Opset</dt>
            <dd data-testid="int8-opset">
              Upgraded from ONNX opset {report.opsetUpgrade.fromVersion} to {report.opsetUpgrade.toVersion}
              {report.perChannel ? ' (per-channel weights need 13)' : ''}
              {report.opsetUpgrade.changedNodes.length > 0 ? `; ${formatInt(report.opsetUpgrade.changedNodes.length)} nodes rewritten to the newer form.` : '; no node needed rewriting.'}
            </dd>
          </>
        )}
      </dl>

      {report.skippedNodes.length > 0 && (
        <details className="node-list" data-testid="int8-skipped">
          <summary>
            {formatInt(report.skippedNodes.length)} quantizable {report.skippedNodes.length === 1 ? 'node stays' : 'nodes stay'} in float, and why
          </summary>
          <ol>
            {report.skippedNodes.map((n, i) => (
              <li key={`${n.name}-${i}`}>
                <span className="mono">{n.name}</span> <span className="muted">{n.opType} · {n.reason}</span>
              </li>
            ))}
          </ol>
        </details>
      )}

      {report.speed !== null && <Int8Speed speed={report.speed} sizeRatio={ratio} accuracyFloat={report.accuracy?.floatUnits.length ?? 0} />}

      <Int8Layers report={report} />

      {download !== null && <DownloadRow download={download} measured={report.speed !== null} />}
    </div>
  );
}

function DownloadRow({ download, measured }: { download: NonNullable<Int8State['download']>; measured: boolean }) {
  const canCompare = useStore((s) => s.model.card !== null && datasetForJobs(s) !== null);
  const measuring = useStore((s) => s.evaluation.status === 'running');
  const compare = useStore((s) => s.compareInt8);
  return (
    <>
      <div className="fp16-download-row">
        <a className="btn btn-primary" data-testid="int8-download" href={download.url} download={download.fileName}>
          Download {download.fileName}
        </a>
        {canCompare && (
          <button type="button" className="btn btn-secondary" data-testid="int8-compare" disabled={measuring} onClick={() => void compare()}>
            Compare on the dataset
          </button>
        )}
        <span className="muted">{formatBytes(download.sizeBytes)} · inputs and outputs stay float32, so it drops in where the original was used</span>
      </div>
      {canCompare && <p className="muted int8-compare-note">Compare runs both models on every sample of your dataset (step 2) and shows accuracy side by side.</p>}
      {!measured && (
        <p className="notice notice-amber" data-testid="int8-speed-note">
          {WASM_INT8_SPEED_NOTE}
        </p>
      )}
    </>
  );
}

function Tile({ label, value, sub, testId }: { label: string; value: string; sub: string; testId: string }) {
  return (
    <div className="stat" data-testid={testId}>
      <span className="stat-label">{label}</span>
      <span className="stat-value">{value}</span>
      <span className="stat-sub">{sub}</span>
    </div>
  );
}
