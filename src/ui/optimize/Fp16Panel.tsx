// The "FP16 variant" panel under the model card: make and check the variant, the honest speed note, download,
// and runs on WebGPU. An already-FP16 model is said to be so (no second conversion).
import { MemoryNote, memoryFor } from '../MemoryNote';
import type { ModelCard } from '../../onnx/summary';
import { BENCH_RUNNING_TITLE } from '../../state/busy';
import { useStore } from '../../state/store';
import { ErrorBanner } from '../ErrorBanner';
import { ProgressPanel } from '../ProgressPanel';
import { Fp16Result } from './Fp16Result';
import { WebGpuRuns } from './WebGpuRuns';
import { WASM_FP16_SPEED_NOTE } from './words';

export function Fp16Panel({ card }: { card: ModelCard }) {
  const fp16 = useStore((s) => s.fp16);
  const gpu = useStore((s) => s.runtime.info?.webgpu ?? null);
  const make = useStore((s) => s.makeFp16);
  const cancel = useStore((s) => s.cancelFp16);
  const dismiss = useStore((s) => s.dismissFp16Error);
  const alreadyFp16 = card.weightPrecision === 'float16' || fp16.result?.report.alreadyFp16 === true;
  const running = fp16.status === 'running';
  const benchRunning = useStore((s) => s.bench.status === 'running');
  const memory = memoryFor(card, 'fp16').verdict;

  return (
    <section className="panel fp16-panel" data-testid="fp16-panel" aria-labelledby="fp16-h">
      <header className="fp16-head">
        <div>
          <p className="eyebrow">Optimize</p>
          <h2 id="fp16-h">FP16 variant</h2>
          <p className="muted">Stores weights and activations in 16-bit floats: half the download, checked against the original before it is offered.</p>
        </div>
        {!alreadyFp16 && !running && fp16.result === null && (
          <button
            type="button"
            className="btn btn-primary"
            data-testid="fp16-button"
            disabled={benchRunning || !memory.fits}
            title={benchRunning ? BENCH_RUNNING_TITLE : !memory.fits ? memory.reason : undefined}
            onClick={() => void make()}
          >
            Make FP16 variant
          </button>
        )}
      </header>

      {alreadyFp16 && (
        <p className="notice notice-green" data-testid="fp16-already">
          This model is already FP16: its weights are stored as float16, so there is nothing to convert.
        </p>
      )}
      {!alreadyFp16 && fp16.result === null && <MemoryNote card={card} job="fp16" />}
      <p className="notice notice-amber" data-testid="fp16-speed-note">
        {WASM_FP16_SPEED_NOTE}
      </p>

      {running && <ProgressPanel progress={fp16.progress} fallbackLabel="Making the FP16 variant" onCancel={cancel} />}
      {fp16.error !== null && <ErrorBanner error={fp16.error} title="The FP16 variant could not be made" onDismiss={dismiss} />}
      {fp16.result !== null && !fp16.result.report.alreadyFp16 && <Fp16Result result={fp16.result} download={fp16.download} />}

      <WebGpuRuns gpu={gpu} modelPrecision={card.weightPrecision} hasVariant={fp16.download !== null} />
    </section>
  );
}
