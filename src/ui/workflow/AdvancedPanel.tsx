// Owns the Optimize step's "Advanced options" panel: every engine option, labelled and explained, with a closed summary of what differs from the defaults and Reset (pure props).
import { useId, useState, type KeyboardEvent, type ReactNode } from 'react';
import { resolveMetric, splitList, type AccuracyMetric, type Int8Choices } from '../../state/int8-slice';
import type { OptimizeChoices, OptimizePlan } from '../../state/workflow-types';
import { formatInt } from '../format';
import { INT8_METHOD_WORDS, INT8_MODE_WORDS, INT8_PRESET_WORDS } from '../optimize/words';
import {
  ADV_LIMITS,
  changedSummary,
  changedWords,
  fallbackDefaults,
  limitWords,
  listSuggestions,
  parseWithin,
  SPEED_WORDS,
  unknownNames,
  type NumberLimits,
} from './advanced-words';
import './workflow.css';

export interface AdvancedPanelProps {
  choices: OptimizeChoices;
  onChange(patch: Partial<OptimizeChoices>): void;
  onChangeInt8(patch: Partial<Int8Choices>): void;
  /** Back to the defaults chosen for this model and browser. */
  onReset(): void;
  plan: OptimizePlan;
  /** What the browser can do: cores for the thread picker; threads > 1 need cross-origin isolation; WebGPU availability with a reason when absent. */
  platform: { cores: number; crossOriginIsolated: boolean; webgpu: { available: boolean; shaderF16: boolean; reason: string } };
  /** Samples available for calibration (0 = no dataset: static INT8 impossible, say so next to the mode). */
  samples: number;
  /** The dataset has labels (top-1 metric possible). */
  labelled: boolean;
  /** Quantizable node names and op types of the model, for the ignored-nodes field's suggestions (datalist). */
  nodeNames: string[];
  opTypes: string[];
  /** A run is going: every field disabled. */
  disabled: boolean;
  /**
   * The defaults chosen for this model and browser (what onReset goes back to), for the closed panel's "N changed"
   * line. Without it: workflow-plan's defaultChoices for this platform, as the store uses.
   */
  defaults?: OptimizeChoices;
}

export function AdvancedPanel(props: AdvancedPanelProps) {
  const { choices, plan, platform, disabled } = props;
  const defaults = props.defaults ?? fallbackDefaults(platform);
  const changes = changedWords(choices, defaults);
  // Reset remounts the fields, so text still being typed (even an invalid one) goes back to the defaults too.
  const [generation, setGeneration] = useState(0);
  const resetHintId = `${useId()}-reset-hint`;

  return (
    <details className="wf-advanced" data-testid="advanced-panel">
      <summary className="wf-adv-summary">
        <span className="wf-adv-title">Advanced options</span>
        <span className="wf-adv-changes" data-testid="adv-changes" data-count={changes.length}>
          {changedSummary(changes)}
        </span>
      </summary>
      {/* One disabled fieldset greys out and locks every field below while a run goes. */}
      <fieldset className="wf-adv-all" disabled={disabled} key={generation}>
        <div className="wf-adv-grid">
          <VariantsGroup {...props} />
          <BenchGroup choices={choices} onChange={props.onChange} plan={plan} platform={platform} />
          <Int8Group {...props} />
          <FloatGroup {...props} />
          <AccuracyGroup {...props} />
        </div>
        <div className="wf-adv-actions">
          <button
            type="button"
            className="btn btn-secondary"
            data-testid="adv-reset"
            disabled={disabled}
            aria-describedby={resetHintId}
            onClick={() => {
              props.onReset();
              setGeneration((g) => g + 1);
            }}
          >
            Reset to defaults
          </button>
          <span id={resetHintId} className="field-hint">
            {changes.length === 0 ? 'Everything is at the defaults chosen for this model and browser.' : 'Puts every option back to what was chosen for this model and browser.'}
          </span>
        </div>
      </fieldset>
    </details>
  );
}

/** The INT8 mode the run will use: Automatic resolves to what the plan chose for this model. */
function resolvedMode(c: OptimizeChoices, plan: OptimizePlan): 'static' | 'dynamic' {
  return c.int8.mode === 'auto' ? plan.int8Mode : c.int8.mode;
}

// ---- Groups ----

function VariantsGroup({ choices, onChange, samples, labelled }: AdvancedPanelProps) {
  const noData = samples === 0;
  return (
    <Group legend="What to make" testId="adv-group-variants">
      <Check
        testId="adv-fp16"
        label="Make an FP16 variant"
        checked={choices.makeFp16}
        onChange={(on) => onChange({ makeFp16: on })}
        hint="A copy with 16-bit numbers: half the download. Fast on the graphics card (WebGPU); on the CPU it runs no faster than the original."
      />
      <Check
        testId="adv-int8"
        label="Make an INT8 variant"
        checked={choices.makeInt8}
        onChange={(on) => onChange({ makeInt8: on })}
        hint="A copy with 8-bit whole numbers: about a quarter of the size, often faster on the CPU. Checked against the original before it is offered."
      />
      <Check
        testId="adv-evaluate"
        label="Measure on your data"
        checked={choices.evaluate && !noData}
        disabled={noData}
        onChange={(on) => onChange({ evaluate: on })}
        hint={
          noData
            ? 'Needs a dataset: add images in step 2.'
            : labelled
              ? 'Runs every variant on your samples and reports how many it gets right, next to the original.'
              : 'Runs every variant on your samples and reports how often it gives the same answer as the original (your samples have no labels).'
        }
      />
    </Group>
  );
}

function BenchGroup({ choices, onChange, plan, platform }: Pick<AdvancedPanelProps, 'choices' | 'onChange' | 'plan' | 'platform'>) {
  const id = useId();
  const cores = Math.max(1, platform.cores);
  const threadChoices = Array.from({ length: cores }, (_, i) => i + 1);
  const gpu = platform.webgpu;
  const deviceHint =
    choices.device === 'auto'
      ? `Automatic: ${plan.device === 'webgpu' ? 'the graphics card (WebGPU) here, where FP16 is the pick' : 'the processor (WebAssembly) here'}.`
      : choices.device === 'webgpu'
        ? 'The graphics card: its first run compiles shaders, so the cold start is slow.' + (gpu.shaderF16 ? '' : ' This GPU has no 16-bit float support, so FP16 cannot run on it.')
        : 'The processor. On the CPU, FP16 is no faster than FP32: there are no 16-bit kernels there.';
  const devices: { value: OptimizeChoices['device']; label: string; off: string | null }[] = [
    { value: 'auto', label: 'Automatic', off: null },
    { value: 'wasm', label: 'CPU (WebAssembly)', off: null },
    { value: 'webgpu', label: 'WebGPU', off: gpu.available ? null : gpu.reason || 'WebGPU is not available in this browser.' },
  ];

  return (
    <Group legend="Benchmark" testId="adv-group-bench">
      <fieldset className="wf-radios" data-testid="adv-device" aria-describedby={`${id}-device-hint`}>
        <legend className="field-label">Where it runs</legend>
        {devices.map((d) => (
          <div key={d.value} className="wf-radio">
            <input
              type="radio"
              id={`${id}-device-${d.value}`}
              name={`${id}-device`}
              value={d.value}
              data-testid={`adv-device-${d.value}`}
              checked={choices.device === d.value}
              disabled={d.off !== null}
              onChange={() => onChange({ device: d.value })}
            />
            <label htmlFor={`${id}-device-${d.value}`}>
              {d.label}
              {d.off !== null && <span className="wf-off"> — not available: {d.off}</span>}
            </label>
          </div>
        ))}
        <span id={`${id}-device-hint`} className="field-hint">
          {deviceHint}
        </span>
      </fieldset>

      <Field id={`${id}-threads`} label="CPU threads" hint={
        platform.crossOriginIsolated
          ? `How many processor cores the CPU benchmark may use; this device has ${cores} logical ${cores === 1 ? 'core' : 'cores'}.`
          : 'Only 1 thread can be used: this page is not cross-origin isolated, and browsers allow threads only on pages that are (see the README).'
      }>
        <select
          id={`${id}-threads`}
          data-testid="adv-threads"
          value={choices.threads}
          aria-describedby={`${id}-threads-hint`}
          onChange={(e) => onChange({ threads: Number(e.currentTarget.value) })}
        >
          {threadChoices.map((n) => (
            <option key={n} value={n} disabled={n > 1 && !platform.crossOriginIsolated}>
              {n}
              {n === cores && cores > 1 ? ' (all cores)' : ''}
            </option>
          ))}
        </select>
      </Field>

      <NumberField
        id={`${id}-time`}
        testId="adv-bench-time"
        label="Time per variant, seconds"
        limits={ADV_LIMITS.benchTimeS}
        unit="seconds"
        value={choices.benchTimeS}
        onCommit={(n) => onChange({ benchTimeS: n })}
        hint="How long to keep timing runs after the warm-up. Longer gives steadier numbers."
      />
    </Group>
  );
}

function Int8Group({ choices, onChangeInt8, plan, samples }: AdvancedPanelProps) {
  const id = useId();
  const c = choices.int8;
  const mode = resolvedMode(choices, plan);
  const isStatic = mode === 'static';
  const staticOnly = 'Static INT8 only.';
  const usedSamples = Math.min(c.subset, samples);

  return (
    <Group legend="INT8 quantization" testId="adv-group-int8" disabled={!choices.makeInt8} note={choices.makeInt8 ? null : 'Not used: the INT8 variant is off (above).'}>
      <Field
        id={`${id}-mode`}
        label="Mode"
        hint={
          <>
            {c.mode === 'auto' && `${isStatic ? 'Static' : 'Dynamic'} for this model. `}
            {isStatic
              ? 'Weights and in-between values become 8-bit; it first measures their ranges on sample images.'
              : 'Weights become 8-bit and values are converted while it runs; no images needed. Convolutions stay float.'}
            {samples === 0 && c.mode !== 'dynamic' && (
              <strong className="wf-warn" data-testid="adv-mode-needs-images">
                {' '}
                Static needs images — add them in step 2.
              </strong>
            )}
          </>
        }
      >
        <select id={`${id}-mode`} data-testid="adv-mode" value={c.mode} aria-describedby={`${id}-mode-hint`} onChange={(e) => onChangeInt8({ mode: e.currentTarget.value as Int8Choices['mode'] })}>
          {(Object.keys(INT8_MODE_WORDS) as Int8Choices['mode'][]).map((m) => (
            <option key={m} value={m}>
              {INT8_MODE_WORDS[m]}
              {m === 'static' && samples === 0 ? ' (needs images)' : ''}
            </option>
          ))}
        </select>
      </Field>

      <SelectField
        id={`${id}-calibration`}
        testId="adv-calibration"
        label="Calibration method"
        hint={isStatic ? `How each range is chosen: ${INT8_METHOD_WORDS[c.calibration].hint}.` : staticOnly}
        value={c.calibration}
        disabled={!isStatic}
        options={(Object.keys(INT8_METHOD_WORDS) as Int8Choices['calibration'][]).map((m) => ({ value: m, label: INT8_METHOD_WORDS[m].label }))}
        onChange={(calibration) => onChangeInt8({ calibration })}
      />

      <SelectField
        id={`${id}-preset`}
        testId="adv-preset"
        label="Preset"
        hint={
          !isStatic
            ? staticOnly
            : c.preset === 'auto'
              ? 'Performance for image networks, Mixed for transformers; switches to Mixed by itself if the result collapses.'
              : c.preset === 'performance'
                ? 'Ranges centred on zero: fastest, best after ReLU layers.'
                : 'Ranges fitted to each side: more accurate when values are lopsided (sigmoid, GELU, swish).'
        }
        value={c.preset}
        disabled={!isStatic}
        options={(Object.keys(INT8_PRESET_WORDS) as Int8Choices['preset'][]).map((p) => ({ value: p, label: INT8_PRESET_WORDS[p] }))}
        onChange={(preset) => onChangeInt8({ preset })}
      />

      <NumberField
        id={`${id}-subset`}
        testId="adv-subset"
        label="Calibration samples, at most"
        limits={ADV_LIMITS.subset}
        unit="samples"
        value={c.subset}
        disabled={!isStatic}
        onCommit={(n) => onChangeInt8({ subset: n })}
        hint={
          !isStatic
            ? staticOnly
            : samples === 0
              ? 'No samples yet: add images in step 2.'
              : `Uses ${formatInt(usedSamples)} of your ${formatInt(samples)} ${samples === 1 ? 'sample' : 'samples'}, spread over all of them. More is steadier but slower.`
        }
      />

      <Check
        testId="adv-per-channel"
        label="Per-channel weights"
        checked={c.perChannel}
        onChange={(on) => onChangeInt8({ perChannel: on })}
        hint="One scale for each output channel instead of one for the whole layer: more accurate, and the usual choice."
      />

      <SelectField
        id={`${id}-speed`}
        testId="adv-speed"
        label="Runtime-aware speed"
        hint={isStatic ? SPEED_WORDS[c.speed].hint : staticOnly}
        value={c.speed}
        disabled={!isStatic}
        options={(Object.keys(SPEED_WORDS) as Int8Choices['speed'][]).map((v) => ({ value: v, label: SPEED_WORDS[v].label }))}
        onChange={(speed) => onChangeInt8({ speed })}
      />
    </Group>
  );
}

function FloatGroup({ choices, onChangeInt8, plan, nodeNames, opTypes }: AdvancedPanelProps) {
  const id = useId();
  const c = choices.int8;
  const isStatic = resolvedMode(choices, plan) === 'static';
  return (
    <Group legend="Layers kept in float" testId="adv-group-float" disabled={!choices.makeInt8} note={choices.makeInt8 ? null : 'Not used: the INT8 variant is off (above).'}>
      <Check
        testId="adv-guard"
        label="Collapse guard"
        checked={c.guard}
        disabled={!isStatic || c.accuracyAware}
        onChange={(on) => onChangeInt8({ guard: on })}
        hint={
          !isStatic
            ? 'Static INT8 only.'
            : c.accuracyAware
              ? 'Not needed with an accuracy budget: the budget already checks the model.'
              : 'If the INT8 model goes badly wrong (it agrees with the original on fewer than 90% of the check images), puts the layers causing it back to float by itself.'
        }
      />
      <ListField
        id={`${id}-nodes`}
        testId="adv-exclude-nodes"
        label="Nodes to keep in float"
        placeholder="node names, comma separated"
        value={c.excludeNodes}
        names={nodeNames}
        onCommit={(list) => onChangeInt8({ excludeNodes: list })}
        hint="These layers stay in full precision (names as in the model card's node list). Start typing for suggestions."
        unknown={(names) => `No quantizable node of this model is called ${names.join(', ')}; ${names.length === 1 ? 'it' : 'they'} will have no effect.`}
      />
      <ListField
        id={`${id}-ops`}
        testId="adv-exclude-ops"
        label="Operator types to keep in float"
        placeholder="e.g. Gemm, MatMul"
        value={c.excludeOpTypes}
        names={opTypes}
        onCommit={(list) => onChangeInt8({ excludeOpTypes: list })}
        hint="Every layer of these kinds stays in full precision."
        unknown={(names) => `This model has no quantizable ${names.join(', ')} layers; ${names.length === 1 ? 'it' : 'they'} will have no effect.`}
      />
    </Group>
  );
}

const METRIC_WORDS: Record<AccuracyMetric, { label: string; hint: string }> = {
  top1: { label: 'Top-1 accuracy', hint: 'Share of labelled check images the model gets right, against the original’s own.' },
  agreement: { label: 'Agreement with FP32', hint: 'Share of check images where INT8 gives the same top answer as the original.' },
  sqnr: { label: 'Output SQNR', hint: 'How close the outputs stay to the original, in dB: 25 dB is close, 40 dB nearly identical.' },
};

function AccuracyGroup({ choices, onChangeInt8, plan, labelled }: AdvancedPanelProps) {
  const id = useId();
  const c = choices.int8;
  const isStatic = resolvedMode(choices, plan) === 'static';
  const usable = choices.makeInt8 && isStatic;
  const on = usable && c.accuracyAware;
  // Without labels top-1 cannot be measured: the run uses agreement, so the field shows what will really happen.
  const metric = resolveMetric(c.metric, labelled);
  return (
    <Group
      legend="Accuracy budget (INT8)"
      testId="adv-group-accuracy"
      wide
      disabled={!usable}
      note={!choices.makeInt8 ? 'Not used: the INT8 variant is off (above).' : !isStatic ? 'Static INT8 only: this run makes dynamic INT8.' : null}
    >
      <Check
        testId="adv-accuracy-aware"
        label="Keep accuracy within a budget"
        checked={c.accuracyAware}
        onChange={(v) => onChangeInt8({ accuracyAware: v })}
        hint="Finds the layers causing most of the error and puts them back to float until the model is within the budget on images calibration did not see. Takes minutes; you can stop it and keep the best so far."
      />
      <div className="wf-adv-row">
        <Field
          id={`${id}-metric`}
          label="Measured as"
          hint={
            <>
              {METRIC_WORDS[metric].hint}
              {!labelled && ' Top-1 needs labelled images (class folders or a label file, step 2), so agreement is used.'}
            </>
          }
        >
          <select
            id={`${id}-metric`}
            data-testid="adv-metric"
            value={metric}
            disabled={!on}
            aria-describedby={`${id}-metric-hint`}
            onChange={(e) => onChangeInt8({ metric: e.currentTarget.value as AccuracyMetric })}
          >
            {(Object.keys(METRIC_WORDS) as AccuracyMetric[]).map((m) => (
              <option key={m} value={m} disabled={m === 'top1' && !labelled}>
                {METRIC_WORDS[m].label}
                {m === 'top1' && !labelled ? ' (needs labels)' : ''}
              </option>
            ))}
          </select>
        </Field>

        {metric === 'sqnr' ? (
          <NumberField
            id={`${id}-sqnr`}
            testId="adv-min-sqnr"
            label="Lowest output SQNR, dB"
            limits={ADV_LIMITS.minSqnrDb}
            unit="dB"
            value={c.minSqnrDb}
            disabled={!on}
            onCommit={(n) => onChangeInt8({ minSqnrDb: n })}
            hint="The kept model's outputs must stay at least this close to the original. Higher keeps more layers in float."
          />
        ) : (
          <>
            <NumberField
              id={`${id}-drop`}
              testId="adv-max-drop"
              label={`Largest drop allowed, ${c.dropKind === 'relative' ? '%' : 'points'}`}
              limits={ADV_LIMITS.maxDrop}
              unit={c.dropKind === 'relative' ? 'percent' : 'points'}
              value={c.maxDrop}
              disabled={!on}
              onCommit={(n) => onChangeInt8({ maxDrop: n })}
              hint={c.dropKind === 'absolute' ? 'Against the original: 1 point lets 76.1% become 75.1%.' : 'Of the original value: 1% lets 76.1% become 75.3%.'}
            />
            <Field id={`${id}-kind`} label="Drop counted in" hint="Points are plain differences; percent is relative to the original's score.">
              <select
                id={`${id}-kind`}
                data-testid="adv-drop-kind"
                value={c.dropKind}
                disabled={!on}
                aria-describedby={`${id}-kind-hint`}
                onChange={(e) => onChangeInt8({ dropKind: e.currentTarget.value as Int8Choices['dropKind'] })}
              >
                <option value="absolute">points</option>
                <option value="relative">% of FP32</option>
              </select>
            </Field>
          </>
        )}

        <NumberField
          id={`${id}-budget`}
          testId="adv-time-budget"
          label="Time budget, minutes"
          limits={ADV_LIMITS.timeBudgetMin}
          unit="minutes"
          value={c.timeBudgetMin}
          disabled={!on}
          onCommit={(n) => onChangeInt8({ timeBudgetMin: n })}
          hint="The search then stops and keeps the best model it found."
        />
      </div>
      <Check
        testId="adv-sensitivity"
        label="Measure each layer's sensitivity"
        checked={c.sensitivity}
        onChange={(v) => onChangeInt8({ sensitivity: v })}
        hint="Quantizes every layer alone and charts its share of the error, even when nothing needs to go back to float. About a second per layer."
      />
    </Group>
  );
}

// ---- Building blocks ----

function Group(props: { legend: string; testId: string; disabled?: boolean; wide?: boolean; note?: string | null; children: ReactNode }) {
  return (
    <fieldset className={`wf-group${props.wide === true ? ' wf-group-wide' : ''}`} data-testid={props.testId} disabled={props.disabled === true}>
      <legend>{props.legend}</legend>
      {props.note != null && <p className="wf-group-note">{props.note}</p>}
      {props.children}
    </fieldset>
  );
}

/** A labelled control with its hint (id `${id}-hint`, which the control names in aria-describedby) under it. */
function Field({ id, label, hint, error, children }: { id: string; label: string; hint: ReactNode; error?: string | null; children: ReactNode }) {
  return (
    <div className="wf-field">
      <label className="field-label" htmlFor={id}>
        {label}
      </label>
      {children}
      {error != null && (
        <span id={`${id}-error`} className="wf-error" role="alert">
          {error}
        </span>
      )}
      <span id={`${id}-hint`} className="field-hint">
        {hint}
      </span>
    </div>
  );
}

/** A labelled select with its one-line hint (the hint is the select's description). */
function SelectField<T extends string>(props: { id: string; testId: string; label: string; hint: ReactNode; value: T; disabled: boolean; options: { value: T; label: string }[]; onChange(value: T): void }) {
  const { id, testId, label, hint, value, disabled, options, onChange } = props;
  return (
    <Field id={id} label={label} hint={hint}>
      <select id={id} data-testid={testId} value={value} disabled={disabled} aria-describedby={`${id}-hint`} onChange={(e) => onChange(e.currentTarget.value as T)}>
        {options.map((o) => (
          <option key={o.value} value={o.value}>
            {o.label}
          </option>
        ))}
      </select>
    </Field>
  );
}

function Check({ testId, label, hint, checked, disabled, onChange }: { testId: string; label: string; hint: ReactNode; checked: boolean; disabled?: boolean; onChange(on: boolean): void }) {
  const id = useId();
  return (
    <div className="wf-check">
      <input
        type="checkbox"
        id={id}
        data-testid={testId}
        checked={checked}
        disabled={disabled === true}
        aria-describedby={`${id}-hint`}
        onChange={(e) => onChange(e.currentTarget.checked)}
      />
      <div>
        <label htmlFor={id}>{label}</label>
        <span id={`${id}-hint`} className="field-hint">
          {hint}
        </span>
      </div>
    </div>
  );
}

/** Enter commits (blur does too) and never submits a form the panel may sit in. */
function onEnter(commit: () => void): (e: KeyboardEvent<HTMLInputElement>) => void {
  return (e) => {
    if (e.key !== 'Enter') return;
    e.preventDefault();
    commit();
  };
}

interface NumberFieldProps {
  id: string;
  testId: string;
  label: string;
  hint: ReactNode;
  limits: NumberLimits;
  /** For the error: "Choose a number from 0 to 100 points." */
  unit: string;
  value: number;
  disabled?: boolean;
  onCommit(n: number): void;
}

/**
 * A number kept as typed text: a valid value is committed at once, an invalid one ("", "0.", "1e") stays on screen
 * with an error while the last valid value stays in force. The text follows the prop only when the prop changes to
 * something the text does not already say, so "0." is not rewritten to "0" mid-typing.
 */
function NumberField({ id, testId, label, hint, limits, unit, value, disabled, onCommit }: NumberFieldProps) {
  const [text, setText] = useState(String(value));
  const [seen, setSeen] = useState(value);
  if (seen !== value) {
    setSeen(value);
    if (parseWithin(text, limits) !== value) setText(String(value));
  }
  const parsed = parseWithin(text, limits);
  const off = disabled === true;
  const error = parsed === null && !off ? limitWords(limits, unit) : null;
  const commit = (): void => {
    if (parsed === null) return;
    // Tidy "0." and " 5" to what is in force once the user is done with the field.
    setText(String(parsed));
    if (parsed !== value) onCommit(parsed);
  };
  return (
    <Field id={id} label={label} hint={hint} error={error}>
      <input
        id={id}
        type="number"
        inputMode={limits.integer ? 'numeric' : 'decimal'}
        className="wf-number"
        data-testid={testId}
        min={limits.min}
        max={limits.max}
        step={limits.integer ? 1 : 'any'}
        value={text}
        disabled={off}
        aria-invalid={error !== null}
        aria-describedby={error !== null ? `${id}-error ${id}-hint` : `${id}-hint`}
        onChange={(e) => {
          const next = e.currentTarget.value;
          setText(next);
          const n = parseWithin(next, limits);
          if (n !== null && n !== value) onCommit(n);
        }}
        onBlur={commit}
        onKeyDown={onEnter(commit)}
      />
    </Field>
  );
}

interface ListFieldProps {
  id: string;
  testId: string;
  label: string;
  placeholder: string;
  hint: string;
  value: string[];
  /** The model's names: the datalist's suggestions, and what the typed names are checked against. */
  names: string[];
  unknown(names: string[]): string;
  onCommit(list: string[]): void;
}

/** A comma-separated list kept as typed text (a trailing ", " survives); committed as splitList says on every change. */
function ListField({ id, testId, label, placeholder, hint, value, names, unknown, onCommit }: ListFieldProps) {
  const [text, setText] = useState(value.join(', '));
  const [seen, setSeen] = useState(value);
  if (seen !== value) {
    setSeen(value);
    if (!sameList(splitList(text), value)) setText(value.join(', '));
  }
  const list = splitList(text);
  const missing = unknownNames(list, names);
  const commit = (): void => {
    setText(list.join(', '));
    if (!sameList(list, value)) onCommit(list);
  };
  return (
    <Field id={id} label={label} hint={hint}>
      <input
        id={id}
        type="text"
        className="wf-text"
        data-testid={testId}
        placeholder={placeholder}
        list={`${id}-names`}
        autoComplete="off"
        spellCheck={false}
        value={text}
        aria-describedby={missing.length > 0 ? `${id}-unknown ${id}-hint` : `${id}-hint`}
        onChange={(e) => {
          const next = e.currentTarget.value;
          setText(next);
          const nextList = splitList(next);
          if (!sameList(nextList, value)) onCommit(nextList);
        }}
        onBlur={commit}
        onKeyDown={onEnter(commit)}
      />
      <datalist id={`${id}-names`}>
        {listSuggestions(text, names).map((s) => (
          <option key={s} value={s} />
        ))}
      </datalist>
      {missing.length > 0 && (
        <span id={`${id}-unknown`} className="wf-note" data-testid={`${testId}-unknown`}>
          {unknown(missing)}
        </span>
      )}
    </Field>
  );
}

function sameList(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}
