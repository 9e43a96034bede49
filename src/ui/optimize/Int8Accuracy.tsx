// What the accuracy-aware search (or the collapse guard) did, in the INT8 result: the explanation, every layer INT8
// against the kept model, each layer's share of the error as bars (kept-in-float layers in their own colour), the
// layers kept in float, the layers still INT8 with one-click "Keep in float" (re-makes the model), and the models tried.
import { lazy, Suspense, useState } from 'react';
import { BENCH_RUNNING_TITLE } from '../../state/busy';
import { goalWords, type Int8Outcome } from '../../state/int8-slice';
import { useStore } from '../../state/store';
import { formatBytes, formatInt, formatShare } from '../format';
import { formatMetric, Int8AccuracyLog, METRIC_SHORT } from './Int8AccuracyLog';
import type { SensitivityDatum } from './Int8SensitivityBars';
import { INT8_PRESET_WORDS } from './words';
import './accuracy.css';

// recharts is most of the UI's weight: loaded only once a result with a ranking is on screen.
const Int8SensitivityBars = lazy(() => import('./Int8SensitivityBars').then((m) => ({ default: m.Int8SensitivityBars })));

type AccuracyReport = NonNullable<Int8Outcome['report']['accuracy']>;
type StoppedBy = AccuracyReport['stoppedBy'];

/** Layers in the chart, and in the ranking before "show all". */
const TOP = 20;
const ROW_PX = 26;

/** The tone of the explanation: the goal met is good news; not met or stopped is a notice (the model is kept), never an error. */
const TONE: Record<StoppedBy, string> = { met: 'notice-green', 'already-met': 'notice-green', time: 'notice-amber', 'no-layers': 'notice-amber', cancelled: 'notice-info' };
const VERDICT: Record<StoppedBy, string> = {
  met: 'Within the budget',
  'already-met': 'Within the budget',
  time: 'Time budget ran out',
  'no-layers': 'Budget not reachable',
  cancelled: 'Stopped: best kept',
};

/** 36_864 → "36.9 KB", 1_536_000 → "1,536 KB" (one unit down the column, for comparing rows). */
function kb(bytes: number): string {
  const v = bytes / 1000;
  return v >= 100 ? `${formatInt(v)} KB` : `${v.toFixed(1)} KB`;
}


export function Int8Accuracy({ accuracy }: { accuracy: AccuracyReport }) {
  const a = accuracy;
  const metric = a.goal.metric;
  const guard = a.trigger === 'guard';
  const inFloat = new Set(a.floatUnits);
  const kept = a.ranking.filter((u) => inFloat.has(u.name));
  const value = (v: number): string => `${METRIC_SHORT[metric]} ${formatMetric(metric, v)}`;
  const measureSensitivity = useStore((s) => s.measureSensitivity);
  const busy = useStore((s) => s.int8.status === 'running' || s.bench.status === 'running');
  const notMet = a.stoppedBy === 'time' || a.stoppedBy === 'no-layers' || a.stoppedBy === 'cancelled';
  const data = { 'data-testid': 'int8-accuracy', 'data-trigger': a.trigger, 'data-stopped-by': a.stoppedBy, 'data-met': String(a.met), 'data-float-units': a.floatUnits.length };

  // The guard checks every default run; when the model did not collapse (and no ranking was asked for), one line says so.
  if (guard && a.stoppedBy === 'already-met' && a.ranking.length === 0) {
    return (
      <p className="muted acc-guard-line" {...data}>
        <b>Collapse guard:</b> {a.explanation}{' '}
        <button type="button" className="link-button" data-testid="int8-measure-sensitivity" disabled={busy} onClick={() => void measureSensitivity()}>
          Measure each layer&rsquo;s sensitivity
        </button>
      </p>
    );
  }

  return (
    <section className="acc" {...data} aria-labelledby="int8-acc-h">
      <div className="section-head acc-head">
        <h4 id="int8-acc-h">{guard ? 'Collapse guard' : 'Accuracy budget'}</h4>
        <span className={`pill ${a.met ? 'pill-green' : 'pill-amber'}`} data-testid="int8-accuracy-verdict">
          {VERDICT[a.stoppedBy]}
        </span>
      </div>
      {guard && <p className="muted acc-why">The INT8 model with every layer integer had collapsed, so the layers causing it were looked for automatically.</p>}

      <p className="acc-headline" data-testid="int8-accuracy-headline">
        <span className="acc-from">Every layer INT8: {value(a.initial.value)}</span>
        {' → '}
        <span className="acc-to">
          kept model: {value(a.final.value)}
          {a.floatUnits.length > 0 && ` with ${formatInt(a.floatUnits.length)} layer${a.floatUnits.length === 1 ? '' : 's'} in float`}
        </span>{' '}
        <span className="acc-goal">
          (goal: {goalWords(a.goal)}
          {metric === 'sqnr' ? '' : `, so ${formatMetric(metric, a.threshold)} or more`}
          {metric === 'top1' ? `; FP32 scores ${formatMetric(metric, a.fp32Value)}` : ''})
        </span>
      </p>

      <p className={`notice ${TONE[a.stoppedBy]} acc-explanation`} data-testid="int8-accuracy-explanation" role={notMet ? 'status' : undefined}>
        {a.explanation}
        {notMet && ' The model below is ready to download.'}
      </p>

      {a.presetSwitch !== null && !a.explanation.includes('Mixed preset') && (
        <p className="acc-fact" data-testid="int8-preset-switch">
          Preset switched from {INT8_PRESET_WORDS[a.presetSwitch.from]} to {INT8_PRESET_WORDS[a.presetSwitch.to]}: {value(a.presetSwitch.before)} →{' '}
          {formatMetric(metric, a.presetSwitch.after)}.
        </p>
      )}

      <p className="muted acc-fact">
        Measured on {formatInt(a.validationInputs)} validation {a.validationInputs === 1 ? 'image' : 'images'} that calibration did not see, in{' '}
        {a.elapsedMs < 1000 ? 'under a second' : `${(a.elapsedMs / 1000).toFixed(0)} s`}.
        {a.floatCostBytes > 0 && ` The layers kept in float add ${formatBytes(a.floatCostBytes)} to the file.`}
      </p>

      {a.ranking.length > 0 && <SensitivityChart ranking={a.ranking} inFloat={inFloat} />}
      {kept.length > 0 && <KeptTable kept={kept} />}
      {a.ranking.some((u) => !inFloat.has(u.name)) && <StillInt8 ranking={a.ranking} inFloat={inFloat} />}

      {a.steps.length > 0 && (
        <details className="acc-steps">
          <summary>Models the search tried ({formatInt(a.steps.length)})</summary>
          <Int8AccuracyLog steps={a.steps} goal={a.goal} threshold={a.threshold} />
        </details>
      )}
    </section>
  );
}

function SensitivityChart({ ranking, inFloat }: { ranking: AccuracyReport['ranking']; inFloat: ReadonlySet<string> }) {
  const top = ranking.slice(0, TOP);
  const layers: SensitivityDatum[] = top.map((u) => ({ name: u.name, sharePercent: 100 * u.errorShare, inFloat: inFloat.has(u.name) }));
  const labelWidth = Math.min(240, Math.max(70, ...layers.map((l) => l.name.length * 7.6 + 14)));
  const height = layers.length * ROW_PX + 8;
  const floatShown = layers.filter((l) => l.inFloat).length;
  const summary = `Share of the output error of the ${layers.length} most sensitive layers; ${floatShown} of them kept in float. The same numbers are in the table below.`;
  return (
    <div className="acc-chart-block">
      <h5 className="acc-sub">
        Which layers cause the error <span className="muted count-badge">top {layers.length} of {formatInt(ranking.length)} layers · share of the output error</span>
      </h5>
      <div className="acc-chart" data-testid="int8-sensitivity-chart" role="img" aria-label={summary} style={{ minHeight: height }}>
        <Suspense fallback={null}>
          <Int8SensitivityBars layers={layers} height={height} labelWidth={labelWidth} />
        </Suspense>
      </div>
    </div>
  );
}

function KeptTable({ kept }: { kept: AccuracyReport['ranking'] }) {
  return (
    <div className="acc-table-block">
      <h5 className="acc-sub">
        Kept in float <span className="muted count-badge">{formatInt(kept.length)} layers, their weights stay FP32</span>
      </h5>
      <p className="muted acc-fact">The search keeps the fewest top-ranked layers that meet the goal; layers with small shares still add up, which is why some of them are here.</p>
      <div className="table-scroll">
        <table className="data-table compact acc-table" data-testid="int8-accuracy-kept">
          <thead>
            <tr>
              <th scope="col">Layer</th>
              <th scope="col">Op</th>
              <th scope="col" className="num">
                Share of the error
              </th>
              <th scope="col" className="num">
                Size cost
              </th>
            </tr>
          </thead>
          <tbody>
            {kept.map((u) => (
              <tr key={u.name}>
                <td className="mono">{u.name}</td>
                <td>{u.opType}</td>
                <td className="num">{formatShare(u.errorShare)}</td>
                <td className="num">+{kb(u.floatCostBytes)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** The layers still INT8, by their rank in the whole ranking, each with "Keep in float". */
function StillInt8({ ranking, inFloat }: { ranking: AccuracyReport['ranking']; inFloat: ReadonlySet<string> }) {
  const [open, setOpen] = useState(false);
  const keepInFloat = useStore((s) => s.keepInFloat);
  const busy = useStore((s) => s.int8.status === 'running');
  const benchRunning = useStore((s) => s.bench.status === 'running');
  const rows = ranking.map((u, i) => ({ u, rank: i + 1 })).filter(({ u }) => !inFloat.has(u.name));
  const shown = open ? rows : rows.slice(0, TOP);
  // Keeping the last INT8 layer in float too would leave nothing to quantize.
  const lastInt8 = rows.length === 1;
  return (
    <div className="acc-table-block">
      <h5 className="acc-sub" id="int8-acc-rank-h">
        Still INT8 <span className="muted count-badge">{formatInt(rows.length)} of {formatInt(ranking.length)} layers, largest share of the error first</span>
      </h5>
      <p className="muted acc-help">
        Share of the error: how much of the INT8 model&rsquo;s output error this layer causes when it alone is INT8. <b>Keep in float</b> re-makes the INT8 model with
        that layer, and the layers already kept, in float (the same as listing them under Advanced).
      </p>
      <div className="table-scroll">
        <table className="data-table compact acc-table" data-testid="int8-accuracy-ranking" aria-labelledby="int8-acc-rank-h">
          <thead>
            <tr>
              <th scope="col" className="num" title="Rank among all layers by share of the error">
                Rank
              </th>
              <th scope="col">Layer</th>
              <th scope="col">Op</th>
              <th scope="col" className="num">
                Share of the error
              </th>
              <th scope="col" className="num">
                Size cost in float
              </th>
              <th scope="col">
                <span className="visually-hidden">Action</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map(({ u, rank }) => (
              <tr key={u.name} data-testid="int8-accuracy-rank-row">
                <td className="num">{rank}</td>
                <td className="mono">{u.name}</td>
                <td>{u.opType}</td>
                <td className="num">{formatShare(u.errorShare)}</td>
                <td className="num">+{kb(u.floatCostBytes)}</td>
                <td className="acc-action">
                  {lastInt8 ? (
                    <span className="muted">Last INT8 layer</span>
                  ) : (
                    <button
                      type="button"
                      className="btn btn-secondary btn-small"
                      data-testid="int8-keep-float"
                      disabled={busy || benchRunning}
                      title={benchRunning ? BENCH_RUNNING_TITLE : undefined}
                      aria-label={`Keep ${u.name} in float and re-make the INT8 model`}
                      onClick={() => void keepInFloat(u.nodes)}
                    >
                      Keep in float
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {rows.length > TOP && (
        <button type="button" className="btn btn-ghost btn-small fold-button" data-testid="int8-accuracy-rank-all" onClick={() => setOpen(!open)}>
          {open ? `Show the first ${TOP} only` : `Show all ${formatInt(rows.length)}`}
        </button>
      )}
    </div>
  );
}
