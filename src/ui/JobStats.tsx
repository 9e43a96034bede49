// After a job: how long each stage took and the memory the job held at its peak (its own accounting).
import type { JobStats as Stats } from '../shared/job-stats';
import { formatMemory } from '../shared/memory-estimate';
import { stageLabel } from '../state/progress-view';

/** "Checking the INT8 model" -> "checking the INT8 model": only the first letter, so INT8 and FP32 stay as written. */
function sentenceCase(label: string): string {
  return /^[A-Z][a-z]/.test(label) ? label.charAt(0).toLowerCase() + label.slice(1) : label;
}

function seconds(ms: number): string {
  return ms >= 10_000 ? `${Math.round(ms / 1000)} s` : `${(ms / 1000).toFixed(1)} s`;
}

export function JobStats({ stats }: { stats: Stats }) {
  const stages = stats.stages.filter((s) => s.ms >= 50);
  const m = stats.memory;
  return (
    <p
      className="muted job-stats"
      data-testid="job-stats"
      data-wall-ms={Math.round(stats.wallMs)}
      data-peak-mb={m === null ? undefined : Math.round(m.peakBytes / 1e6)}
      data-engine-mb={m === null ? undefined : Math.round(m.engineBytes / 1e6)}
      data-stages={JSON.stringify(Object.fromEntries(stats.stages.map((s) => [s.stage, Math.round(s.ms)])))}
    >
      Took {seconds(stats.wallMs)}
      {stages.length > 0 && `: ${stages.map((s) => `${sentenceCase(stageLabel(s.stage).replace(/…$/, ''))} ${seconds(s.ms)}`).join(' · ')}`}.
      {m !== null &&
        ` Memory at its peak: ${formatMemory(m.peakBytes)} (inference engine ${formatMemory(m.engineBytes)}, model files ${formatMemory(m.fileBytes)}, new model ${formatMemory(m.outputBytes)}).`}
    </p>
  );
}
