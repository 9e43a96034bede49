// What the runtime-aware INT8 search measured on this device: INT8 against FP32 speed in plain words, the layouts it
// timed, and the per-layer evidence (FP32 and INT8 kernel time of every quantizable layer, and the choice).
import type { Int8Report } from '../../pipeline/int8';
import { formatMs } from '../format';

type SpeedReport = NonNullable<Int8Report['speed']>;

/** 1.27 → "1.27x faster", 0.8 → "0.80x (slower)". */
export function speedWords(speedup: number): string {
  return speedup >= 1 ? `${speedup.toFixed(2)}x faster` : `${speedup.toFixed(2)}x (slower)`;
}

function us(v: number): string {
  return v === 0 ? 'fused' : v >= 1000 ? `${(v / 1000).toFixed(2)} ms` : `${Math.round(v)} µs`;
}

/**
 * `accuracyFloat`: layers the accuracy search or collapse guard kept in float before the speed search ran; the
 * "plain" INT8 model timed is then every other layer integer, not every layer.
 */
export function Int8Speed({ speed, sizeRatio, accuracyFloat = 0 }: { speed: SpeedReport; sizeRatio: number; accuracyFloat?: number }) {
  const plainWords = accuracyFloat > 0
    ? `the accurate INT8 model (every layer integer except the ${accuracyFloat} kept in float for accuracy)`
    : 'the plain INT8 model (every layer integer)';
  const plain = speed.fp32Ms / speed.plainInt8Ms;
  const weightedFloat = speed.layers.filter((l) => !l.int8 && ['Conv', 'MatMul', 'Gemm'].includes(l.opType)).length;
  const best = Math.max(...speed.candidates.slice(1).map((c) => speed.fp32Ms / c.measuredMs));
  const smaller = `${(1 / sizeRatio).toFixed(1)}x smaller`;
  const headline = speed.faster
    ? `On ${speed.device}, this INT8 model runs ${speedWords(speed.speedup)} than FP32 (${formatMs(speed.chosenMs)} against ${formatMs(speed.fp32Ms)}) and is ${smaller}.`
    : `On ${speed.device}, no INT8 layout ran clearly faster than FP32 (best ${best.toFixed(2)}x${best >= 1 ? ', within what a re-run can move' : ''}): INT8 here only makes the model ${smaller}. The file below is ${plainWords}.`;
  const layers = [...speed.layers].filter((l) => l.fp32Us > 0 || l.int8Us > 0).sort((a, b) => b.fp32Us + b.int8Us - (a.fp32Us + a.int8Us));
  return (
    <div className="int8-speed" data-testid="int8-speed">
      <p className={`notice ${speed.faster ? 'notice-green' : 'notice-amber'}`} data-testid="int8-speed-verdict">
        {headline}
      </p>
      <p className="muted">
        {accuracyFloat > 0 ? `The accurate INT8 model (${accuracyFloat} layers kept in float for accuracy)` : 'Every quantizable layer as INT8 (what other tools make)'} ran {speedWords(plain)} here. {speed.chosen === 'runtime-aware' && speed.faster ? `${weightedFloat} layer${weightedFloat === 1 ? '' : 's'} that run slower as integers on this device compute in float (their weights stay int8); ${speed.floatNodes.length} nodes in all, with the activations and pools around them.` : ''}
      </p>
      <details className="int8-speed-details">
        <summary>What was timed ({speed.candidates.length} models, {speed.layers.length} layers)</summary>
        <table className="table" data-testid="int8-speed-candidates">
          <thead>
            <tr><th>Model</th><th>Integer layers</th><th>Predicted</th><th>Measured (median)</th><th>vs FP32</th></tr>
          </thead>
          <tbody>
            {speed.candidates.map((c) => (
              <tr key={c.label}>
                <td>{c.label}</td>
                <td>{c.int8Nodes}</td>
                <td>{c.predictedMs === null ? '—' : formatMs(c.predictedMs)}</td>
                <td>{formatMs(c.measuredMs)}</td>
                <td>{speedWords(speed.fp32Ms / c.measuredMs)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <table className="table" data-testid="int8-speed-layers">
          <thead>
            <tr><th>Layer</th><th>Op</th><th>FP32</th><th>INT8</th><th>Chosen</th></tr>
          </thead>
          <tbody>
            {layers.slice(0, 60).map((l) => (
              <tr key={l.name}>
                <td className="mono">{l.name}</td>
                <td>{l.opType}</td>
                <td>{us(l.fp32Us)}</td>
                <td>{us(l.int8Us)}</td>
                <td>{l.int8 ? 'INT8' : 'float'}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p className="muted">Kernel times from onnxruntime&rsquo;s profiler, median of 10 runs; a border between float and INT8 layers costs about {speed.rates.quantizeNs.toFixed(1)} ns per value to quantize and {speed.rates.dequantizeNs.toFixed(1)} ns to dequantize here.</p>
      </details>
    </div>
  );
}
