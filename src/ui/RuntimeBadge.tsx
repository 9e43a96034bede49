// Header status line of the inference engine: backend and threads, WebGPU, and the cross-origin isolation warning.
import { useStore } from '../state/store';

export function RuntimeBadge() {
  const { status, info, error } = useStore((s) => s.runtime);

  if (status === 'error' && error !== null) {
    return (
      <div className="runtime-badge is-error" data-testid="runtime-badge" role="status" title={error.detail}>
        <span className="dot" aria-hidden="true" />
        <span>{error.message}</span>
      </div>
    );
  }
  if (info === null) {
    return (
      <div className="runtime-badge is-pending" data-testid="runtime-badge" role="status">
        <span className="dot" aria-hidden="true" />
        <span>Starting engine…</span>
      </div>
    );
  }

  const threads = `${info.ortThreads} ${info.ortThreads === 1 ? 'thread' : 'threads'}`;
  const gpu = info.webgpu.available ? `WebGPU: ${info.webgpu.adapter}` : 'WebGPU: not available';
  const gpuTitle = info.webgpu.reason || (info.webgpu.available ? `WebGPU adapter: ${info.webgpu.adapter}` : '');
  return (
    <div
      className={info.crossOriginIsolated ? 'runtime-badge is-ready' : 'runtime-badge is-warning'}
      data-testid="runtime-badge"
      data-isolated={String(info.crossOriginIsolated)}
      data-threads={info.ortThreads}
      role="status"
      title={`onnxruntime-web ${info.ortVersion} · ${info.hardwareConcurrency} logical cores`}
    >
      <span className="dot" aria-hidden="true" />
      <span className="runtime-text">
        <span className="runtime-main">CPU · WebAssembly · {threads}</span>
        <span className="runtime-gpu" title={gpuTitle}>
          {gpu}
        </span>
        {!info.crossOriginIsolated && (
          <span className="runtime-warning">Single-threaded: this page is not cross-origin isolated (see README)</span>
        )}
      </span>
    </div>
  );
}
