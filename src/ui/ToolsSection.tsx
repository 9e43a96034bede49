// The single-variant tools after Compare: make only FP16 or only INT8 with every option and its detailed result
// (per-layer errors, accuracy search), run on WebGPU, and the full benchmark panel (threads, batch sweep).
import type { ModelCard } from '../onnx/summary';
import { BenchPanel } from './bench/BenchPanel';
import { Fp16Panel } from './optimize/Fp16Panel';
import { Int8Panel } from './optimize/Int8Panel';
import { useStore } from '../state/store';

export function ToolsSection({ card }: { card: ModelCard }) {
  const loading = useStore((s) => s.model.status === 'running');
  if (loading) return null;
  return (
    <section id="step-tools" className="step-body tools-section" aria-labelledby="tools-h">
      <header className="step-head">
        <span className="step-num step-num-plain" aria-hidden="true">+</span>
        <div>
          <h2 id="tools-h">One step at a time</h2>
          <p className="step-lede">The tools Optimize uses, each with all its options and detailed results: one variant, a WebGPU run, or a benchmark with threads and batch sizes.</p>
        </div>
      </header>
      <Fp16Panel card={card} />
      <Int8Panel card={card} />
      <BenchPanel card={card} />
    </section>
  );
}
