// "Run on WebGPU": the adapter line, one button per model (the loaded one, its FP16 variant) and each run's
// outcome. Numbers appear only for runs whose outputs were checked against the CPU.
import type { RuntimeInfo } from '../../runtime/probe';
import { useStore } from '../../state/store';
import type { WebGpuRunState, WebGpuTarget } from '../../state/optimize-slice';
import { ProgressPanel } from '../ProgressPanel';
import { WebGpuResult } from './WebGpuResult';

interface WebGpuRunsProps {
  gpu: RuntimeInfo['webgpu'] | null;
  /** Precision of the loaded model's weights ("float32", "float16"…), for the button label. */
  modelPrecision: string;
  hasVariant: boolean;
}

export function WebGpuRuns({ gpu, modelPrecision, hasVariant }: WebGpuRunsProps) {
  const runs = useStore((s) => s.webgpu);
  const run = useStore((s) => s.runOnWebGpu);
  const cancel = useStore((s) => s.cancelWebGpu);
  const available = gpu?.available ?? false;
  const busy = runs.model.status === 'running' || runs.variant.status === 'running';
  const modelLabel = modelPrecision === 'float16' ? 'this FP16 model' : modelPrecision === 'float32' ? 'FP32' : 'this model';

  return (
    <section className="fp16-webgpu" aria-labelledby="webgpu-h">
      <div className="section-head">
        <h3 id="webgpu-h">On WebGPU</h3>
        <AdapterLine gpu={gpu} />
      </div>
      <p className="muted">Runs the model on the GPU and on the CPU with the same input, and shows GPU numbers only when the two outputs agree.</p>
      <div className="fp16-actions">
        <button type="button" className="btn btn-secondary" data-testid="webgpu-run" disabled={!available || busy} onClick={() => void run('model')}>
          Run {modelLabel} on WebGPU
        </button>
        {hasVariant && (
          <button type="button" className="btn btn-secondary" data-testid="webgpu-run-fp16" disabled={!available || busy} onClick={() => void run('variant')}>
            Run the FP16 variant on WebGPU
          </button>
        )}
      </div>
      {gpu !== null && !available && (
        <p className="notice notice-amber" data-testid="webgpu-result" data-status="unavailable" data-variant="model">
          {gpu.reason || 'WebGPU is not available in this browser; models run on the CPU.'}
        </p>
      )}
      {(['model', 'variant'] as const).map((target) => (
        <RunOutcome
          key={target}
          target={target}
          state={runs[target]}
          label={target === 'variant' ? 'FP16 variant' : modelLabel}
          softwareAdapter={gpu?.isFallbackAdapter ?? false}
          onCancel={() => cancel(target)}
        />
      ))}
    </section>
  );
}

function AdapterLine({ gpu }: { gpu: RuntimeInfo['webgpu'] | null }) {
  if (gpu === null) return <span className="muted">Checking for a GPU…</span>;
  if (!gpu.available) return <span className="pill pill-amber">No WebGPU adapter</span>;
  return (
    <span className="webgpu-adapter" data-testid="webgpu-adapter" data-shader-f16={String(gpu.shaderF16)} data-fallback={String(gpu.isFallbackAdapter)}>
      <span className="mono">{gpu.adapter}</span>
      {gpu.isFallbackAdapter && <span className="pill pill-amber">software adapter</span>}
      <span className={gpu.shaderF16 ? 'pill pill-green' : 'pill pill-amber'}>{gpu.shaderF16 ? 'FP16 shaders' : 'no FP16 shaders'}</span>
    </span>
  );
}

interface RunOutcomeProps {
  target: WebGpuTarget;
  state: WebGpuRunState;
  label: string;
  softwareAdapter: boolean;
  onCancel: () => void;
}

function RunOutcome({ target, state, label, softwareAdapter, onCancel }: RunOutcomeProps) {
  if (state.status === 'idle') return null;
  if (state.status === 'running') return <ProgressPanel progress={state.progress} fallbackLabel={`Running ${label} on WebGPU`} onCancel={onCancel} />;
  return <WebGpuResult target={target} label={label} state={state} softwareAdapter={softwareAdapter} />;
}
