// The benchmark's results table: one row per (variant, device, threads) with latency percentiles, mean ± std, FPS,
// cold start, size and gzip size, and speed-up and size against FP32 measured the same way.
import {
  DEVICE_LABEL,
  describeSpeedUp,
  sizeBaseline,
  sizeRatio,
  speedBaseline,
  speedUp,
  VARIANT_LABEL,
  type BenchEntry,
} from '../../state/bench-view';
import { formatBytes, formatCompact, formatInt, formatMs, formatPercent } from '../format';
import { entryColor } from './bench-colors';

export function BenchTable({ entries }: { entries: readonly BenchEntry[] }) {
  const sizeBase = sizeBaseline(entries);
  return (
    <div className="table-scroll bench-table-scroll">
      <table className="data-table bench-table" data-testid="bench-table">
        <caption className="bench-caption">Times in milliseconds. One row per variant, device and thread count; a re-run replaces its row.</caption>
        <thead>
          <tr>
            <th scope="col">Variant</th>
            <Head label="Runs on" sub="threads" left />
            <Head label="p50" sub="median" title="Median latency: half the runs were faster" />
            <Head label="p90" sub="90% under" title="90% of the runs were faster than this" />
            <Head label="p99" sub="99% under" title="99% of the runs were faster than this" />
            <Head label="Mean ± std" sub="runs timed" title="Average latency and its standard deviation, and how many runs were timed" />
            <Head label="FPS" sub="at p50" title="Inferences per second at the median latency" />
            <Head label="Cold start" sub="load + 1st run" title="Creating the session plus the first run: what a user waits for before the first answer" />
            <Head label="Size" sub="file" title="The .onnx file (and its external data) as stored" />
            <Head label="gzip" sub="download" title="What a web server sends with gzip compression on" />
            <Head label="Speed" sub="vs FP32" title="FP32's median latency divided by this one's, on the same device and threads: above 1x is faster" />
            <Head label="Size" sub="vs FP32" title="This file's size as a share of the FP32 file" />
          </tr>
        </thead>
        <tbody>
          {entries.map((e) => (
            <BenchRow key={e.key} entry={e} speedBase={speedBaseline(e, entries)} sizeBase={sizeBase} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Head({ label, sub, title, left = false }: { label: string; sub: string; title?: string; left?: boolean }) {
  return (
    <th scope="col" className={left ? undefined : 'num'} title={title}>
      {label}
      <span className="bench-th-sub">{sub}</span>
    </th>
  );
}

function BenchRow({ entry, speedBase, sizeBase }: { entry: BenchEntry; speedBase: BenchEntry | undefined; sizeBase: BenchEntry | undefined }) {
  const { run, size } = entry.result;
  const l = run.latency;
  const env = run.env;
  const speed = speedBase === undefined ? null : describeSpeedUp(speedUp(entry, speedBase), speedBase === entry);
  const ratio = sizeBase === undefined ? null : sizeRatio(entry, sizeBase);
  const coldMs = run.coldStart.sessionCreateMs + run.coldStart.firstRunMs;
  return (
    <tr
      data-testid="bench-row"
      data-variant={entry.variant}
      data-device={entry.device}
      data-threads={env.threads}
      data-p50={l.p50Ms}
      data-p90={l.p90Ms}
      data-p99={l.p99Ms}
      data-speed-up={speedBase === undefined ? '' : speedUp(entry, speedBase)}
    >
      <th scope="row" className="bench-variant">
        <span className="bench-variant-cell">
          <span className="bench-swatch" style={{ background: entryColor(entry) }} aria-hidden="true" />
          <span>
            <span className="bench-variant-name">{VARIANT_LABEL[entry.variant]}</span>
            <span className="bench-file" title={entry.fileName}>
              {entry.fileName}
            </span>
          </span>
        </span>
      </th>
      <td title={DEVICE_LABEL[entry.device]}>
        {entry.device === 'webgpu' ? 'WebGPU' : 'CPU'}
        <span className="bench-sub">
          {env.threads} {env.threads === 1 ? 'thread' : 'threads'}
          {env.requestedThreads !== env.threads && ` (${env.requestedThreads} asked)`}
        </span>
      </td>
      <td className="num bench-p50" data-testid="bench-p50">
        {ms(l.p50Ms)}
      </td>
      <td className="num" data-testid="bench-p90">
        {ms(l.p90Ms)}
      </td>
      <td className="num" data-testid="bench-p99">
        {ms(l.p99Ms)}
      </td>
      <td className="num" data-testid="bench-mean">
        {ms(l.meanMs)} ± {ms(l.stdMs)}
        <span className="bench-sub">{formatInt(l.runs)} runs</span>
      </td>
      <td className="num" data-testid="bench-fps">
        {l.fps >= 100 ? formatInt(l.fps) : l.fps.toFixed(1)}
        {run.batch > 1 && <span className="bench-sub">batch {run.batch}</span>}
      </td>
      <td className="num" data-testid="bench-cold">
        {ms(coldMs)}
        <span className="bench-sub" title="creating the session + the first run">
          {ms(run.coldStart.sessionCreateMs)} + {ms(run.coldStart.firstRunMs)}
        </span>
      </td>
      <td className="num" data-testid="bench-size">
        {formatBytes(size.bytes)}
        <span className="bench-sub" data-testid="bench-params" title="parameters (weights) by element type">
          {paramsWords(size.paramsByType).map((w) => (
            <span key={w} className="bench-param">
              {w}
            </span>
          ))}
        </span>
      </td>
      <td className="num" data-testid="bench-gzip">
        {formatBytes(size.gzipBytes)}
      </td>
      <td className="num" data-testid="bench-speed-up">
        {speed === null ? (
          <span className="muted" title="Measure FP32 (original) with the same device and threads to compare">
            —
          </span>
        ) : (
          <span className={`bench-speed is-${speed.tone}`}>
            <span className="bench-speed-x">{speed.text.slice(0, speed.text.indexOf(' '))}</span> <span className="bench-speed-word">{speed.text.slice(speed.text.indexOf(' ') + 1)}</span>
          </span>
        )}
      </td>
      <td className="num" data-testid="bench-size-ratio">
        {ratio === null ? (
          <span className="muted" title="Measure FP32 (original) too to compare">
            —
          </span>
        ) : (
          formatPercent(ratio, 0)
        )}
      </td>
    </tr>
  );
}

/** Milliseconds without the unit (the column heads carry it): 0.134 -> "0.13", 312.4 -> "312". */
function ms(value: number): string {
  return formatMs(value).replace(/ ms$/, '');
}

/** { float: 1200000, int8: 30000, int32: 9 } → ["1.20 M float", "30.0 k int8"]: the two largest weight types, one per line. */
export function paramsWords(byType: Record<string, number>): string[] {
  return Object.entries(byType)
    .filter(([, n]) => n > 0)
    .sort((x, y) => y[1] - x[1])
    .slice(0, 2)
    .map(([type, n]) => `${formatCompact(n)} ${type}`);
}
