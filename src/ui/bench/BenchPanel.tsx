// The "Benchmark" panel under the variant panels: which variants, device, threads, time budget and batch sweep;
// Run / Re-run (refused, with the reason, while another job runs); progress per variant with ETA and Cancel; then
// the results table, the environment they were measured in, warnings, and the latency and batch charts.
import { MemoryNote, memoryFor } from '../MemoryNote';
import { lazy, Suspense, useEffect, useState } from 'react';
import type { ModelCard } from '../../onnx/summary';
import { benchAvailability } from '../../state/bench-slice';
import {
  BENCH_VARIANTS,
  benchPlan,
  describeEnvironment,
  describeInputs,
  entryLabels,
  fixedBatch,
  LATENCY_LIMIT_MAX_MS,
  LATENCY_LIMIT_MIN_MS,
  TIME_BUDGET_MAX_S,
  TIME_BUDGET_MIN_S,
  VARIANT_LABEL,
  variantBlocked,
  type BenchAvailability,
  type BenchSettings,
  type BenchVariant,
} from '../../state/bench-view';
import { benchBlockedReason } from '../../state/busy';
import type { ProgressView } from '../../state/progress-view';
import { useStore } from '../../state/store';
import { ErrorBanner } from '../ErrorBanner';
import { formatBytes } from '../format';
import { ProgressPanel } from '../ProgressPanel';
import { BenchTable } from './BenchTable';
import { BenchWarnings } from './BenchWarnings';
import './bench.css';

// recharts is most of the UI's weight: load the charts only once there are results to draw.
const LatencyChart = lazy(() => import('./LatencyChart').then((m) => ({ default: m.LatencyChart })));
const SweepChart = lazy(() => import('./SweepChart').then((m) => ({ default: m.SweepChart })));

export function BenchPanel({ card }: { card: ModelCard }) {
  const bench = useStore((s) => s.bench);
  const model = useStore((s) => s.model);
  const runtime = useStore((s) => s.runtime);
  // The variant files live outside state; their download entries change whenever the files do.
  const fp16Download = useStore((s) => s.fp16.download);
  const int8Download = useStore((s) => s.int8.download);
  const busyReason = useStore(benchBlockedReason);
  const setSettings = useStore((s) => s.setBenchSettings);
  const run = useStore((s) => s.runBenchmark);
  const cancel = useStore((s) => s.cancelBenchmark);
  const clear = useStore((s) => s.clearBenchResults);
  const dismiss = useStore((s) => s.dismissBenchError);
  const running = bench.status === 'running';
  // Animations make the browser repaint continuously, and on a 2-core machine that took ~20% of the CPU the model
  // needed (UI 20 ms against 16 ms headless for SqueezeNet): the page holds still while it times.
  useEffect(() => {
    if (!running) return undefined;
    document.documentElement.dataset.benchmarking = 'true';
    return () => {
      delete document.documentElement.dataset.benchmarking;
    };
  }, [running]);

  const availability = benchAvailability({ model, runtime });
  const sizes: Record<BenchVariant, number | null> = {
    fp32: card.fileSizeBytes + card.externalData.reduce((sum, d) => sum + d.bytes, 0),
    fp16: fp16Download?.sizeBytes ?? null,
    int8: int8Download?.sizeBytes ?? null,
  };
  const [texts, setTexts] = useState<FieldTexts>({ budgetText: String(bench.settings.timeBudgetS), limitText: String(bench.settings.latencyLimitMs) });
  const plan = benchPlan(bench.settings, availability);
  const sweepOn = bench.settings.sweep && fixedBatch(card.inputs) === null;
  const fieldProblem =
    parseWithin(texts.budgetText, TIME_BUDGET_MIN_S, TIME_BUDGET_MAX_S) === null
      ? `The time budget must be ${TIME_BUDGET_MIN_S} to ${TIME_BUDGET_MAX_S} seconds.`
      : sweepOn && parseWithin(texts.limitText, LATENCY_LIMIT_MIN_MS, LATENCY_LIMIT_MAX_MS) === null
        ? `The latency limit must be ${LATENCY_LIMIT_MIN_MS} to ${LATENCY_LIMIT_MAX_MS} ms.`
        : null;
  const memory = memoryFor(card, 'bench').verdict;
  const blocked =
    busyReason ??
    fieldProblem ??
    (memory.fits ? null : memory.reason) ??
    (plan.run.length === 0
      ? bench.settings.variants.some((v) => availability.variants[v])
        ? 'None of the chosen variants can run on this device: see the note under each.'
        : 'Choose at least one variant to measure.'
      : null);
  const hasResults = bench.results.length > 0;
  const labels = entryLabels(bench.results);
  const envLines = [
    ...new Set(
      bench.results.map((e) => {
        const fed = describeInputs(e.result.run.inputs);
        return `Measured on ${describeEnvironment(e.result.run.env)}.${fed === null ? '' : ` Fed ${fed}.`}`;
      }),
    ),
  ];
  const hasSweep = bench.results.some((e) => e.result.sweep !== null && e.result.sweep.points.length > 0);

  return (
    <section className="panel fp16-panel bench-panel" data-testid="bench-panel" data-status={bench.status} aria-labelledby="bench-h">
      <header className="fp16-head">
        <div>
          <p className="eyebrow">Measure</p>
          <h2 id="bench-h">Benchmark</h2>
          <p className="muted bench-lede">
            Times each variant on this device: the first run after loading (cold start), then a warm-up until the timings settle, then as many runs as fit in the
            time budget. Nothing else runs meanwhile. Every result records the browser, device and threads it was measured with.
          </p>
        </div>
      </header>

      <BenchForm
        card={card}
        settings={bench.settings}
        platform={bench.platform}
        availability={availability}
        sizes={sizes}
        running={running}
        texts={texts}
        onTexts={(patch) => setTexts((t) => ({ ...t, ...patch }))}
        onChange={setSettings}
      />

      <MemoryNote card={card} job="bench" />
      <div className="bench-actions">
        <button
          type="button"
          className="btn btn-primary"
          data-testid="bench-run"
          disabled={blocked !== null || running}
          title={blocked ?? undefined}
          aria-describedby="bench-run-what"
          onClick={() => void run()}
        >
          {hasResults ? 'Re-run benchmark' : 'Run benchmark'}
        </button>
        {hasResults && !running && (
          <button type="button" className="btn btn-ghost" data-testid="bench-clear" onClick={clear}>
            Clear results
          </button>
        )}
        <p id="bench-run-what" className={blocked !== null && !running ? 'int8-blocked' : 'muted int8-what'} data-testid={blocked !== null && !running ? 'bench-blocked' : undefined}>
          {running ? 'Measuring. Keep this tab in front: browsers slow background tabs down.' : (blocked ?? runWords(plan.run, bench.settings))}
        </p>
      </div>

      {running && <ProgressPanel progress={withVariant(bench.progress, bench.current)} fallbackLabel={startLabel(bench.current)} onCancel={cancel} />}
      {bench.error !== null && <ErrorBanner error={bench.error} title="The benchmark could not run" onDismiss={dismiss} />}
      {bench.failures.map((f) => (
        <ErrorBanner key={`${f.variant}-${f.device}`} error={f.error} title={`${VARIANT_LABEL[f.variant]} was not measured on ${f.device === 'webgpu' ? 'WebGPU' : 'the CPU'}`} onDismiss={dismiss} />
      ))}

      {hasResults && (
        <div className="bench-results" data-testid="bench-results">
          <h3>Results</h3>
          <BenchTable entries={bench.results} />
          <ul className="bench-env" data-testid="bench-env">
            {envLines.map((line) => (
              <li key={line}>{line}</li>
            ))}
          </ul>
          <BenchWarnings entries={bench.results} labels={labels} />
          <Suspense fallback={<p className="muted">Drawing the charts…</p>}>
            <LatencyChart entries={bench.results} labels={labels} />
            {hasSweep && <SweepChart entries={bench.results} labels={labels} />}
          </Suspense>
        </div>
      )}
    </section>
  );
}

/** "Measures FP32 (original) and INT8 on the CPU (WebAssembly) with 2 threads, 3 s each." */
function runWords(variants: readonly BenchVariant[], s: BenchSettings): string {
  const names = variants.map((v) => VARIANT_LABEL[v]);
  const list = names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  const where = s.device === 'webgpu' ? 'on WebGPU' : `on the CPU with ${s.threads} ${s.threads === 1 ? 'thread' : 'threads'}`;
  const sweep = s.sweep ? ', then tries larger batches' : '';
  return `Measures ${list} ${where}, about ${s.timeBudgetS} s of timed runs each after the warm-up${sweep}.`;
}

/** The stage label with the variant being measured: "Variant 2 of 3, INT8: Timing runs". */
function withVariant(progress: ProgressView | null, current: { variant: BenchVariant; index: number; count: number } | null): ProgressView | null {
  if (progress === null || current === null) return progress;
  return { ...progress, label: `Variant ${current.index + 1} of ${current.count}, ${VARIANT_LABEL[current.variant]}: ${progress.label}` };
}

function startLabel(current: { variant: BenchVariant; index: number; count: number } | null): string {
  return current === null ? 'Starting the benchmark' : `Variant ${current.index + 1} of ${current.count}, ${VARIANT_LABEL[current.variant]}: starting`;
}

interface BenchFormProps {
  card: ModelCard;
  settings: BenchSettings;
  platform: { hardwareConcurrency: number; crossOriginIsolated: boolean };
  availability: BenchAvailability;
  sizes: Record<BenchVariant, number | null>;
  running: boolean;
  /** What is typed in the number fields (kept by the panel: an out-of-range value blocks Run). */
  texts: FieldTexts;
  onTexts: (patch: Partial<FieldTexts>) => void;
  onChange: (patch: Partial<BenchSettings>) => void;
}

interface FieldTexts {
  budgetText: string;
  limitText: string;
}

/** The number typed in a field when it is within lo..hi, else null. */
function parseWithin(text: string, lo: number, hi: number): number | null {
  const n = Number(text);
  return text.trim() !== '' && Number.isFinite(n) && n >= lo && n <= hi ? n : null;
}

function BenchForm({ card, settings, platform, availability, sizes, running, texts, onTexts, onChange }: BenchFormProps) {
  const { budgetText, limitText } = texts;
  const budgetOk = parseWithin(budgetText, TIME_BUDGET_MIN_S, TIME_BUDGET_MAX_S) !== null;
  const limitOk = parseWithin(limitText, LATENCY_LIMIT_MIN_MS, LATENCY_LIMIT_MAX_MS) !== null;
  const batch = fixedBatch(card.inputs);
  const threadChoices = Array.from({ length: Math.max(1, platform.hardwareConcurrency) }, (_, i) => i + 1);
  const toggle = (v: BenchVariant, on: boolean): void => onChange({ variants: on ? [...settings.variants, v] : settings.variants.filter((x) => x !== v) });

  return (
    <form className="bench-form" data-testid="bench-form" onSubmit={(e) => e.preventDefault()}>
      <fieldset disabled={running} className="bench-fields">
        <fieldset className="field bench-variants">
          <legend className="field-label">Variants</legend>
          {BENCH_VARIANTS.map((v) => {
            const reason = variantBlocked(v, settings.device, availability);
            const exists = availability.variants[v];
            const size = sizes[v];
            return (
              <label key={v} className="check bench-check">
                <input
                  type="checkbox"
                  data-testid={`bench-variant-${v}`}
                  checked={settings.variants.includes(v) && reason === null}
                  disabled={reason !== null}
                  onChange={(e) => toggle(v, e.currentTarget.checked)}
                />
                <span>
                  {VARIANT_LABEL[v]}
                  <span className="check-hint">{reason ?? (exists && size !== null ? `${formatBytes(size)} file` : '')}</span>
                </span>
              </label>
            );
          })}
          <span className="field-hint">Each is measured in turn, the same way; speed and size are compared with FP32.</span>
        </fieldset>

        <div className="bench-fields-col">
          <label className="field">
            <span className="field-label">Device</span>
            <select data-testid="bench-device" value={settings.device} onChange={(e) => onChange({ device: e.currentTarget.value as BenchSettings['device'] })}>
              <option value="wasm">CPU (WebAssembly)</option>
              <option value="webgpu" disabled={!availability.webgpu.available}>
                WebGPU{availability.webgpu.available ? '' : ' (not available)'}
              </option>
            </select>
            <span className="field-hint">
              {settings.device === 'webgpu'
                ? 'Runs on the graphics card; the first run compiles shaders, so cold start is slow. FP16 is the precision made for it.'
                : availability.webgpu.available
                  ? 'Runs on the processor. On the CPU, FP16 is no faster than FP32: it has no 16-bit kernels there.'
                  : `Runs on the processor. ${availability.webgpu.reason}`}
            </span>
          </label>

          <label className="field">
            <span className="field-label">Threads</span>
            <select data-testid="bench-threads" value={settings.threads} onChange={(e) => onChange({ threads: Number(e.currentTarget.value) })}>
              {threadChoices.map((n) => (
                <option key={n} value={n}>
                  {n}
                  {n === platform.hardwareConcurrency ? ' (all cores)' : ''}
                </option>
              ))}
            </select>
            <span className="field-hint">
              {platform.crossOriginIsolated
                ? `CPU threads onnxruntime-web may use; this device has ${platform.hardwareConcurrency} logical ${platform.hardwareConcurrency === 1 ? 'core' : 'cores'}.`
                : 'This page is not cross-origin isolated, so only 1 thread really runs whatever you choose (see the README).'}
            </span>
          </label>
        </div>

        <div className="bench-fields-col">
          <label className="field">
            <span className="field-label">Time budget per variant, seconds</span>
            <input
              type="number"
              className="bench-number"
              data-testid="bench-budget"
              min={TIME_BUDGET_MIN_S}
              max={TIME_BUDGET_MAX_S}
              step={1}
              value={budgetText}
              aria-invalid={!budgetOk}
              onChange={(e) => {
                const text = e.currentTarget.value;
                onTexts({ budgetText: text });
                const n = parseWithin(text, TIME_BUDGET_MIN_S, TIME_BUDGET_MAX_S);
                if (n !== null) onChange({ timeBudgetS: n });
              }}
            />
            <span className="field-hint">
              {budgetOk ? 'How long to keep timing runs after the warm-up: at least 10 runs, at most 1,000. Longer gives steadier numbers.' : `Choose ${TIME_BUDGET_MIN_S} to ${TIME_BUDGET_MAX_S} seconds.`}
            </span>
          </label>

          <div className="field bench-sweep">
            <label className="check bench-check">
              <input type="checkbox" data-testid="bench-sweep" checked={settings.sweep && batch === null} disabled={batch !== null} onChange={(e) => onChange({ sweep: e.currentTarget.checked })} />
              <span>
                Batch sweep
                <span className="check-hint">
                  {batch !== null
                    ? `Not for this model: its batch size is fixed at ${batch}.`
                    : 'Also runs batches of 1 to 32 images at once to find the best throughput within a latency limit.'}
                </span>
              </span>
            </label>
            <label className="bench-limit">
              <span className="field-label">Latency limit, ms</span>
              <input
                type="number"
                className="bench-number"
                data-testid="bench-limit"
                min={LATENCY_LIMIT_MIN_MS}
                max={LATENCY_LIMIT_MAX_MS}
                step={1}
                value={limitText}
                disabled={!settings.sweep || batch !== null}
                aria-invalid={settings.sweep && !limitOk}
                onChange={(e) => {
                  const text = e.currentTarget.value;
                  onTexts({ limitText: text });
                  const n = parseWithin(text, LATENCY_LIMIT_MIN_MS, LATENCY_LIMIT_MAX_MS);
                  if (n !== null) onChange({ latencyLimitMs: n });
                }}
              />
            </label>
            <span className="field-hint">
              {limitOk || !settings.sweep ? 'The longest a batch may take (median): the sweet spot stays under it.' : `Choose ${LATENCY_LIMIT_MIN_MS} to ${LATENCY_LIMIT_MAX_MS} ms.`}
            </span>
          </div>
        </div>
      </fieldset>
    </form>
  );
}
