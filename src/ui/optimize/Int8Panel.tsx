// The "INT8 variant" panel under the model card: choose how to quantize (mode, preset, calibration method and
// images, ignored layers, accuracy budget), make and check the variant with progress and Cancel (and the accuracy
// search's live log with "Stop and keep best"), and read the result. An already quantized model is said to be so.
import { MemoryNote, memoryFor } from '../MemoryNote';
import { useState } from 'react';
import type { ModelCard } from '../../onnx/summary';
import { BENCH_RUNNING_TITLE } from '../../state/busy';
import {
  goalWords,
  INT8_DEFAULTS,
  int8Blocked,
  int8Labelled,
  int8Split,
  int8Source,
  liveThreshold,
  likelyAutoMode,
  splitList,
  toEngineOptions,
  type Int8Choices,
  type Int8Source,
} from '../../state/int8-slice';
import { useStore } from '../../state/store';
import { DATASET_STEP_ID } from '../dataset/DatasetStep';
import { SAMPLE_WORDS } from '../dataset/EvaluatePanel';
import { ErrorBanner } from '../ErrorBanner';
import { formatInt } from '../format';
import { ProgressPanel } from '../ProgressPanel';
import { scrollToSection } from '../scroll-to';
import { accuracyTexts, Int8AccuracyFields, readAccuracy, type AccuracyTexts } from './Int8AccuracyFields';
import { Int8AccuracyLog } from './Int8AccuracyLog';
import { Int8Result } from './Int8Result';
import { INT8_METHOD_WORDS, INT8_MODE_WORDS, INT8_PRESET_WORDS, QUANT_FORMAT_WORDS } from './words';

const MAX_SUBSET = 10_000;

export function Int8Panel({ card }: { card: ModelCard }) {
  const int8 = useStore((s) => s.int8);
  const dataset = useStore((s) => s.dataset);
  const model = useStore((s) => s.model);
  const make = useStore((s) => s.makeInt8);
  const cancel = useStore((s) => s.cancelInt8);
  const dismiss = useStore((s) => s.dismissInt8Error);
  const q = card.quantization;
  const running = int8.status === 'running';
  // The dataset slice keeps the Files; its state changes whenever they do, so this is recomputed then.
  const source = int8Source({ dataset, model });
  const labelled = int8Labelled({ dataset, model });
  const stage = int8.progress?.stage;
  const searching = running && (stage === 'sensitivity' || stage === 'accuracy-search') && int8.liveGoal !== null;

  return (
    <section className="panel fp16-panel int8-panel" data-testid="int8-panel" data-status={int8.status} aria-labelledby="int8-h">
      <header className="fp16-head">
        <div>
          <p className="eyebrow">Optimize</p>
          <h2 id="int8-h">INT8 variant</h2>
          <p className="muted int8-lede">
            Stores the weights as 8-bit integers — about a quarter of the FP32 size. Static INT8 first runs sample images through the model to measure the range
            of values inside every layer (calibration); dynamic INT8 measures them while the model runs. The result is checked against the original before it is
            offered.
          </p>
        </div>
      </header>

      {q.quantized ? (
        <p className="notice notice-amber" data-testid="int8-already">
          INT8 is not offered: this model is already quantized ({q.formats.map((f) => QUANT_FORMAT_WORDS[f] ?? f).join(' + ')}). Quantizing it again would stack rounding errors on top of the first ones.
          Load the original floating-point model to make an INT8 variant.
        </p>
      ) : (
        <Int8Form key={card.fileName} card={card} source={source} labelled={labelled} initial={int8.options} running={running} onMake={(o) => void make(o)} />
      )}

      {running && <ProgressPanel progress={int8.progress} fallbackLabel="Starting the INT8 variant" onCancel={cancel} />}
      {searching && <LiveSearch />}
      {int8.error !== null && <ErrorBanner error={int8.error} title="The INT8 variant could not be made" onDismiss={dismiss} />}
      {int8.result !== null && !running && <Int8Result result={int8.result} download={int8.download} />}
    </section>
  );
}

/** The accuracy search while it runs: the models tried so far and "Stop and keep best". */
function LiveSearch() {
  const steps = useStore((s) => s.int8.accuracySteps);
  const goal = useStore((s) => s.int8.liveGoal);
  const stopping = useStore((s) => s.int8.stopping);
  const stop = useStore((s) => s.stopInt8Search);
  if (goal === null) return null;
  return (
    <section className="acc-live" data-testid="int8-accuracy-live" aria-label="Accuracy search">
      <Int8AccuracyLog steps={steps} goal={goal} threshold={liveThreshold(goal)} live />
      <div className="acc-live-actions">
        <button type="button" className="btn btn-secondary" data-testid="int8-stop-search" disabled={stopping} onClick={stop}>
          {stopping ? 'Stopping…' : 'Stop and keep best'}
        </button>
        <span className="muted acc-live-hint">
          {stopping
            ? 'Finishing the model being measured; the best one found so far will be kept and checked.'
            : 'Ends the search after the model being measured and keeps the best one so far. Cancel (above) throws everything away.'}
        </span>
      </div>
    </section>
  );
}

interface Int8FormProps {
  card: ModelCard;
  source: Int8Source;
  labelled: boolean;
  initial: Int8Choices;
  running: boolean;
  onMake: (options: Int8Choices) => void;
}

function Int8Form({ card, source, labelled, initial, running, onMake }: Int8FormProps) {
  const benchRunning = useStore((s) => s.bench.status === 'running');
  const [choices, setChoices] = useState<Int8Choices>(initial);
  const [subsetText, setSubsetText] = useState(String(initial.subset));
  const [nodesText, setNodesText] = useState(initial.excludeNodes.join(', '));
  const [opsText, setOpsText] = useState(initial.excludeOpTypes.join(', '));
  const [accTexts, setAccTexts] = useState<AccuracyTexts>(accuracyTexts(initial));
  // A run started elsewhere ("Keep in float" in the result) changed the options: show them, so the next run keeps them.
  const [shown, setShown] = useState(initial);
  if (shown !== initial) {
    setShown(initial);
    setChoices(initial);
    setSubsetText(String(initial.subset));
    setNodesText(initial.excludeNodes.join(', '));
    setOpsText(initial.excludeOpTypes.join(', '));
    setAccTexts(accuracyTexts(initial));
  }
  const set = (patch: Partial<Int8Choices>): void => setChoices((c) => ({ ...c, ...patch }));

  const auto = likelyAutoMode(card);
  const resolved = choices.mode === 'auto' ? auto : choices.mode;
  const isStatic = resolved === 'static';
  const subset = Number(subsetText);
  const subsetOk = Number.isInteger(subset) && subset >= 1 && subset <= MAX_SUBSET;
  const acc = readAccuracy(accTexts, choices);
  const memoryJob = isStatic ? 'int8-static' : 'int8-dynamic';
  const memory = memoryFor(card, memoryJob).verdict;
  const blocked =
    int8Blocked(card, source, choices.mode) ??
    (!memory.fits ? { reason: memory.reason, needsImages: false } : null) ??
    (isStatic && !subsetOk ? { reason: `Calibration images must be a whole number from 1 to ${formatInt(MAX_SUBSET)}.`, needsImages: false } : null) ??
    (isStatic && acc.problem !== null ? { reason: acc.problem, needsImages: false } : null);

  const submit = (): void => {
    onMake({ ...choices, ...acc.values, subset: subsetOk ? subset : INT8_DEFAULTS.subset, excludeNodes: splitList(nodesText), excludeOpTypes: splitList(opsText) });
  };
  // What the button will do with the budget, in words (the engine's goal for these choices).
  const budget = isStatic && choices.accuracyAware ? toEngineOptions({ ...choices, ...acc.values }, labelled).accuracy : undefined;

  return (
    <form
      className="int8-form"
      data-testid="int8-form"
      // The fields are checked here (the button says what is wrong), not by the browser's silent pop-up validation.
      noValidate
      onSubmit={(e) => {
        e.preventDefault();
        if (blocked === null && !running && !benchRunning) submit();
      }}
    >
      <fieldset disabled={running} className="int8-fields">
        <label className="field">
          <span className="field-label">Mode</span>
          <select data-testid="int8-mode" value={choices.mode} onChange={(e) => set({ mode: e.currentTarget.value as Int8Choices['mode'] })}>
            {(Object.keys(INT8_MODE_WORDS) as Int8Choices['mode'][]).map((m) => (
              <option key={m} value={m}>
                {INT8_MODE_WORDS[m]}
              </option>
            ))}
          </select>
          <span className="field-hint" data-testid="int8-mode-hint">
            {choices.mode === 'auto' && (auto === 'static' ? 'Static for this model: it looks like a convolutional network. ' : 'Dynamic for this model: it looks like a transformer. ')}
            {resolved === 'static'
              ? 'Weights and activations become 8-bit; needs sample images.'
              : 'MatMul and Gemm weights become 8-bit, activations are quantized while it runs; no images needed. Convolutions stay float.'}
          </span>
        </label>

        <label className="field">
          <span className="field-label">Preset</span>
          <select data-testid="int8-preset" value={choices.preset} disabled={!isStatic} onChange={(e) => set({ preset: e.currentTarget.value as Int8Choices['preset'] })}>
            {(Object.keys(INT8_PRESET_WORDS) as Int8Choices['preset'][]).map((p) => (
              <option key={p} value={p}>
                {INT8_PRESET_WORDS[p]}
              </option>
            ))}
          </select>
          <span className="field-hint">
            {isStatic
              ? choices.preset === 'auto'
                ? 'Performance for CNNs, Mixed for transformers; switches to Mixed by itself when a CNN collapses as INT8.'
                : choices.preset === 'performance'
                  ? 'Ranges centred on zero: fastest, best after ReLU layers.'
                  : 'Ranges fitted to each side: more accurate when values are lopsided (sigmoid, GELU, swish).'
              : 'Static mode only.'}
          </span>
        </label>

        <label className="field">
          <span className="field-label">Calibration method</span>
          <select data-testid="int8-method" value={choices.calibration} disabled={!isStatic} onChange={(e) => set({ calibration: e.currentTarget.value as Int8Choices['calibration'] })}>
            {(Object.keys(INT8_METHOD_WORDS) as Int8Choices['calibration'][]).map((m) => (
              <option key={m} value={m}>
                {INT8_METHOD_WORDS[m].label}
                {m === INT8_DEFAULTS.calibration ? ' (default)' : ''}
              </option>
            ))}
          </select>
          <span className="field-hint">{isStatic ? `${capitalize(INT8_METHOD_WORDS[choices.calibration].hint)}.` : 'Static mode only.'}</span>
        </label>

        <label className="field">
          <span className="field-label">Calibration images</span>
          <input
            type="number"
            className="int8-subset"
            data-testid="int8-subset"
            min={1}
            max={MAX_SUBSET}
            step={1}
            value={subsetText}
            disabled={!isStatic}
            aria-invalid={isStatic && !subsetOk}
            onChange={(e) => setSubsetText(e.currentTarget.value)}
          />
          <span className="field-hint" data-testid="int8-source">
            {isStatic ? <SourceLine source={source} choices={{ ...choices, subset: subsetOk ? subset : INT8_DEFAULTS.subset }} /> : 'Static mode only. The check uses up to 8 samples.'}
          </span>
        </label>
      </fieldset>

      <details className="int8-advanced" data-testid="int8-advanced">
        <summary>Advanced: accuracy budget, layers to keep in float, per-channel weights</summary>
        <fieldset disabled={running} className="int8-fields int8-fields-advanced">
          <Int8AccuracyFields
            choices={choices}
            set={set}
            texts={accTexts}
            setTexts={(patch) => setAccTexts((t) => ({ ...t, ...patch }))}
            isStatic={isStatic}
            labelled={labelled}
          />
          <label className="field">
            <span className="field-label">Keep these nodes in float</span>
            <input type="text" data-testid="int8-exclude-nodes" placeholder="node names, comma separated" value={nodesText} onChange={(e) => setNodesText(e.currentTarget.value)} />
            <span className="field-hint">Names as in the model card&rsquo;s node list (or a node&rsquo;s first output when it has no name).</span>
          </label>
          <label className="field">
            <span className="field-label">Keep these operator types in float</span>
            <input type="text" data-testid="int8-exclude-ops" placeholder="e.g. Gemm, MatMul" value={opsText} onChange={(e) => setOpsText(e.currentTarget.value)} />
            <span className="field-hint">Every node of these types stays float32.</span>
          </label>
          <label className="check int8-check">
            <input type="checkbox" data-testid="int8-speed-search" checked={choices.speed === 'auto'} onChange={(e) => set({ speed: e.currentTarget.checked ? 'auto' : 'off' })} />
            <span>
              Keep only the layers that are faster in INT8 here
              <span className="check-hint">Times every layer in FP32 and INT8 on this device, keeps in float the layers (depthwise, thin 1x1) that run slower as integers, and checks the result against FP32 speed. Static INT8 only; adds about half a minute.</span>
            </span>
          </label>
          <label className="check int8-check">
            <input type="checkbox" data-testid="int8-per-channel" checked={choices.perChannel} onChange={(e) => set({ perChannel: e.currentTarget.checked })} />
            <span>
              Per-channel weights
              <span className="check-hint">One scale per output channel instead of one per layer: more accurate, and the usual choice. Needs ONNX opset 13 (older models are upgraded).</span>
            </span>
          </label>
        </fieldset>
      </details>

      <MemoryNote card={card} job={memoryJob} />
      <div className="int8-actions">
        {blocked?.needsImages === true ? (
          // Static INT8 without samples: the button says what to do, and takes the user there.
          <button type="button" className="btn btn-primary" data-testid="int8-add-images" onClick={() => scrollToSection(DATASET_STEP_ID)}>
            Add images first
          </button>
        ) : (
          <button
            type="submit"
            className="btn btn-primary"
            data-testid="int8-button"
            disabled={blocked !== null || running || benchRunning}
            title={benchRunning ? BENCH_RUNNING_TITLE : undefined}
          >
            Make INT8 variant
          </button>
        )}
        {blocked !== null ? (
          <p className="int8-blocked" data-testid="int8-blocked">
            {blocked.reason}
          </p>
        ) : (
          <p className="muted int8-what" data-testid="int8-what">
            {isStatic
              ? 'Calibrates, writes the INT8 model, checks it against FP32 on samples it was not calibrated on, and measures the error of every layer.'
              : 'Writes the INT8 model and checks it against FP32.'}
            {budget !== undefined &&
              ` Then keeps the most sensitive layers in float until ${goalWords(budget.goal)} (for up to ${acc.values.timeBudgetMin} min).`}
          </p>
        )}
      </div>
    </form>
  );
}

function SourceLine({ source, choices }: { source: Int8Source; choices: Int8Choices }) {
  if (source.kind === 'none') return <>No images yet: add a dataset in step 2.</>;
  const words = SAMPLE_WORDS[source.inputKind];
  const { calibration, validation } = int8Split(source.count, choices);
  const where = source.kind === 'demo' ? `the demo's ${formatInt(source.count)} built-in images` : `${formatInt(source.count)} ${source.count === 1 ? words.one : words.many} in your dataset`;
  const role = choices.accuracyAware ? 'check the result and guide the accuracy search' : choices.guard ? 'check the result (and the collapse guard)' : 'check the result';
  return (
    <>
      Uses {formatInt(calibration)} of {where}
      {validation > 0 ? `, spread over all of them; up to ${formatInt(validation)} others ${role}.` : '. None are left for a separate check, so it reuses some of them.'}
    </>
  );
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
