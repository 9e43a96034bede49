// The "Accuracy-aware" group of the INT8 panel's Advanced section: keep accuracy within a budget (metric, largest
// drop or lowest SQNR, time budget) and the collapse guard; the typed numbers stay text until they are valid.
import { resolveMetric, type AccuracyMetric, type Int8Choices } from '../../state/int8-slice';
import './accuracy.css';

/** The number fields as typed. */
export interface AccuracyTexts {
  maxDrop: string;
  minSqnrDb: string;
  timeBudgetMin: string;
}

export function accuracyTexts(c: Int8Choices): AccuracyTexts {
  return { maxDrop: String(c.maxDrop), minSqnrDb: String(c.minSqnrDb), timeBudgetMin: String(c.timeBudgetMin) };
}

const LIMITS = { maxDrop: [0, 100], minSqnrDb: [0, 200], timeBudgetMin: [0.1, 600] } as const;

function inRange(text: string, [lo, hi]: readonly [number, number]): number | null {
  const v = Number(text);
  return text.trim() !== '' && Number.isFinite(v) && v >= lo && v <= hi ? v : null;
}

/** The numbers to run with (the last valid ones where a field is not), and what is wrong while the budget is on. */
export function readAccuracy(t: AccuracyTexts, c: Int8Choices): { values: Pick<Int8Choices, 'maxDrop' | 'minSqnrDb' | 'timeBudgetMin'>; problem: string | null } {
  const maxDrop = inRange(t.maxDrop, LIMITS.maxDrop);
  const minSqnrDb = inRange(t.minSqnrDb, LIMITS.minSqnrDb);
  const timeBudgetMin = inRange(t.timeBudgetMin, LIMITS.timeBudgetMin);
  const values = { maxDrop: maxDrop ?? c.maxDrop, minSqnrDb: minSqnrDb ?? c.minSqnrDb, timeBudgetMin: timeBudgetMin ?? c.timeBudgetMin };
  let problem: string | null = null;
  if (c.accuracyAware) {
    if (c.metric === 'sqnr' && minSqnrDb === null) problem = 'The lowest output SQNR must be a number of dB from 0 to 200.';
    else if (c.metric !== 'sqnr' && maxDrop === null) problem = `The largest drop must be a number from 0 to 100 ${c.dropKind === 'relative' ? 'percent' : 'points'}.`;
    else if (timeBudgetMin === null) problem = 'The time budget must be from 0.1 to 600 minutes.';
  }
  return { values, problem };
}

const METRIC_WORDS: Record<AccuracyMetric, string> = {
  top1: 'Top-1 accuracy (needs labels)',
  agreement: 'Agreement with FP32',
  sqnr: 'Output SQNR',
};

const METRIC_HINT: Record<AccuracyMetric, string> = {
  top1: 'Share of labelled validation images the model gets right, against FP32’s own.',
  agreement: 'Share of validation images where INT8 gives the same top answer as FP32 (pixels or detections for other models).',
  sqnr: 'Output signal to error in dB: 25 dB is close to FP32, 40 dB nearly identical.',
};

/** One of the budget's number inputs, kept as typed text; marked invalid while out of its LIMITS. */
function BudgetNumber(props: { field: keyof AccuracyTexts; texts: AccuracyTexts; setTexts: (patch: Partial<AccuracyTexts>) => void; on: boolean; step: number | 'any'; id?: string }) {
  const { field, texts, on } = props;
  return (
    <input
      {...(props.id !== undefined ? { id: props.id } : {})}
      type="number"
      data-testid={`int8-${field === 'maxDrop' ? 'max-drop' : field === 'minSqnrDb' ? 'min-sqnr' : 'time-budget'}`}
      min={LIMITS[field][0]}
      max={LIMITS[field][1]}
      step={props.step}
      value={texts[field]}
      disabled={!on}
      aria-invalid={on && inRange(texts[field], LIMITS[field]) === null}
      onChange={(e) => props.setTexts({ [field]: e.currentTarget.value })}
    />
  );
}

interface Int8AccuracyFieldsProps {
  choices: Int8Choices;
  set: (patch: Partial<Int8Choices>) => void;
  texts: AccuracyTexts;
  setTexts: (patch: Partial<AccuracyTexts>) => void;
  isStatic: boolean;
  /** Some sample has a label: the top-1 budget can be measured. */
  labelled: boolean;
}

export function Int8AccuracyFields({ choices, set, texts, setTexts, isStatic, labelled }: Int8AccuracyFieldsProps) {
  const metric = resolveMetric(choices.metric, labelled);
  const on = isStatic && choices.accuracyAware;
  return (
    <fieldset className="acc-group" data-testid="int8-accuracy-group">
      <legend>Accuracy-aware</legend>
      <label className="check int8-check">
        <input type="checkbox" data-testid="int8-accuracy-aware" checked={choices.accuracyAware} disabled={!isStatic} onChange={(e) => set({ accuracyAware: e.currentTarget.checked })} />
        <span>
          Keep accuracy within a budget
          <span className="check-hint">
            {isStatic
              ? 'Measures how much of the error each layer causes, then puts the worst layers back to float until the model is within the budget on images calibration did not see. Takes minutes; you can stop it and keep the best model so far.'
              : 'Static INT8 only.'}
          </span>
        </span>
      </label>

      <div className="acc-fields">
        <label className="field">
          <span className="field-label">Measured as</span>
          <select data-testid="int8-accuracy-metric" value={metric} disabled={!on} onChange={(e) => set({ metric: e.currentTarget.value as AccuracyMetric })}>
            {(Object.keys(METRIC_WORDS) as AccuracyMetric[]).map((m) => (
              <option key={m} value={m} disabled={m === 'top1' && !labelled}>
                {METRIC_WORDS[m]}
              </option>
            ))}
          </select>
          <span className="field-hint" data-testid="int8-accuracy-metric-hint">
            {METRIC_HINT[metric]}
            {!labelled && ' Top-1 accuracy needs labelled images (class folders or a label file, step 2).'}
          </span>
        </label>

        {metric === 'sqnr' ? (
          <label className="field">
            <span className="field-label">Lowest output SQNR (dB)</span>
            <BudgetNumber field="minSqnrDb" texts={texts} setTexts={setTexts} on={on} step="any" />
            <span className="field-hint">The kept model&rsquo;s output must stay at least this close to FP32. Higher keeps more layers in float.</span>
          </label>
        ) : (
          <div className="field">
            <label className="field-label" htmlFor="int8-max-drop">
              Largest drop allowed
            </label>
            <div className="acc-drop">
              <BudgetNumber field="maxDrop" id="int8-max-drop" texts={texts} setTexts={setTexts} on={on} step={0.1} />
              <select data-testid="int8-drop-kind" aria-label="Drop measured in" value={choices.dropKind} disabled={!on} onChange={(e) => set({ dropKind: e.currentTarget.value as Int8Choices['dropKind'] })}>
                <option value="absolute">points</option>
                <option value="relative">% of FP32</option>
              </select>
            </div>
            <span className="field-hint">
              {choices.dropKind === 'absolute' ? 'Points against FP32: 1 point lets 76.1% become 75.1%.' : 'Percent of the FP32 value: 1% lets 76.1% become 75.3%.'}
            </span>
          </div>
        )}

        <label className="field">
          <span className="field-label">Time budget (minutes)</span>
          <BudgetNumber field="timeBudgetMin" texts={texts} setTexts={setTexts} on={on} step="any" />
          <span className="field-hint">The search then stops and keeps the best model it found.</span>
        </label>
      </div>

      <label className="check int8-check">
        <input type="checkbox" data-testid="int8-sensitivity" checked={choices.sensitivity} disabled={!isStatic} onChange={(e) => set({ sensitivity: e.currentTarget.checked })} />
        <span>
          Measure each layer&rsquo;s sensitivity
          <span className="check-hint">Quantizes every layer alone and charts its share of the output error, even when nothing needs to go back to float. About a second per layer.</span>
        </span>
      </label>

      <label className="check int8-check">
        <input type="checkbox" data-testid="int8-guard" checked={choices.guard} disabled={!isStatic || choices.accuracyAware} onChange={(e) => set({ guard: e.currentTarget.checked })} />
        <span>
          Collapse guard
          <span className="check-hint">
            {choices.accuracyAware
              ? 'Not needed with a budget: the budget already checks the model.'
              : 'If the INT8 model collapses (same answer as FP32 on fewer than 90% of the validation images, or output SQNR under 10 dB), puts the layers causing it back to float by itself.'}
          </span>
        </span>
      </label>
    </fieldset>
  );
}
