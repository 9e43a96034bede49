// One finished WebGPU run: matched (numbers), mismatched (warning + numbers), refused or failed (message only).
import type { WebGpuRunState, WebGpuTarget } from '../../state/optimize-slice';
import { formatInt, formatMs } from '../format';

interface WebGpuResultProps {
  target: WebGpuTarget;
  label: string;
  state: WebGpuRunState;
  /** The adapter is a software fallback (SwiftShader): its timings say nothing about a real GPU. */
  softwareAdapter: boolean;
}

const TITLE: Record<WebGpuRunState['status'], string> = {
  idle: '',
  running: '',
  ok: 'Runs on WebGPU and matches the CPU',
  mismatch: 'Runs on WebGPU but does NOT match the CPU',
  refused: 'Not run on WebGPU',
  unavailable: 'WebGPU is not available',
  error: 'WebGPU run failed',
};

export function WebGpuResult({ target, label, state, softwareAdapter }: WebGpuResultProps) {
  const { status, result } = state;
  const showNumbers = (status === 'ok' || status === 'mismatch') && result !== null;
  const tone = status === 'ok' ? 'green' : status === 'mismatch' || status === 'error' ? 'red' : 'amber';
  return (
    <div
      className={`webgpu-result notice notice-${tone}`}
      data-testid="webgpu-result"
      data-status={status}
      data-variant={target}
      data-cosine={showNumbers ? result.checkedAgainstWasm.cosine : undefined}
      role={status === 'ok' ? 'status' : 'alert'}
    >
      <p className="webgpu-result-title">
        <strong>{label}:</strong> {TITLE[status]}
      </p>
      {state.message !== '' && <p data-testid="webgpu-message">{state.message}</p>}
      {showNumbers && (
        <>
          <p>
            Output agreement with the CPU: cosine <b data-testid="webgpu-cosine">{result.checkedAgainstWasm.cosine.toFixed(6)}</b>, largest difference{' '}
            {result.checkedAgainstWasm.maxAbsDiff.toPrecision(3)}.
          </p>
          <p data-testid="webgpu-latency" data-webgpu-ms={result.latencyMs} data-wasm-ms={result.wasmLatencyMs}>
            Time per run: <b>{formatMs(result.latencyMs)}</b> on WebGPU against <b>{formatMs(result.wasmLatencyMs)}</b> on the CPU (WebAssembly), medians of{' '}
            {result.warmRuns.device} and {result.warmRuns.wasm} runs. The first GPU run took {formatMs(result.firstRunMs)}: it compiles the shaders.
            {softwareAdapter && ' This is a software GPU (no graphics hardware), so these times say nothing about a real GPU.'}
          </p>
          <Placement placement={result.placement} />
        </>
      )}
    </div>
  );
}

function Placement({ placement }: { placement: NonNullable<WebGpuRunState['result']>['placement'] }) {
  if (placement === null) return <p className="muted">onnxruntime-web did not report where each node ran.</p>;
  const total = placement.byProvider.reduce((a, p) => a + p.nodes, 0);
  const cpu = placement.byProvider.find((p) => p.provider === 'CPUExecutionProvider')?.nodes ?? 0;
  if (cpu === 0) {
    return (
      <p data-testid="webgpu-placement" data-cpu-nodes={0}>
        All {formatInt(total)} nodes run on the GPU (as placed by onnxruntime-web after its graph optimisations).
      </p>
    );
  }
  const byOp = new Map<string, number>();
  for (const n of placement.offGpu) byOp.set(n.opType, (byOp.get(n.opType) ?? 0) + 1);
  const ops = [...byOp].sort((a, b) => b[1] - a[1]).map(([op, n]) => `${op} ×${n}`);
  return (
    <details className="node-list" data-testid="webgpu-placement" data-cpu-nodes={cpu}>
      <summary>
        {formatInt(cpu)} of {formatInt(total)} nodes leave the GPU and run on the CPU{ops.length > 0 && `: ${ops.join(', ')}`}. onnxruntime-web puts shape arithmetic and
        ops without a WebGPU kernel (for this op version) there; each switch copies data between GPU and CPU.
      </summary>
      <ol>
        {placement.offGpu.map((n, i) => (
          <li key={`${n.name}-${i}`}>
            <span className="mono">{n.name}</span> <span className="muted">{n.opType}</span>
          </li>
        ))}
      </ol>
    </details>
  );
}
