// Step 3 of the flow: what the one Optimize button will do for this model in this browser (and why), the button,
// the Advanced options, and while it runs the stages with the running one's progress, ETA and Cancel.
import { currentPlatform } from '../../state/bench-view';
import { useStore, type AppState } from '../../state/store';
import { currentPlan } from '../../state/workflow-slice';
import { defaultChoices } from '../../state/workflow-plan';
import { WORKFLOW_STAGE_LABEL, type WorkflowStage } from '../../state/workflow-types';
import type { ProgressView } from '../../state/progress-view';
import { int8Labelled, int8Source } from '../../state/int8-slice';
import { useEffect, useRef } from 'react';
import { ErrorBanner } from '../ErrorBanner';
import { MemoryNote, memoryFor } from '../MemoryNote';
import type { MemoryJob } from '../../shared/memory-estimate';
import { scrollToSection } from '../scroll-to';
import { ProgressPanel } from '../ProgressPanel';
import { AdvancedPanel } from './AdvancedPanel';
import './workflow.css';

export const OPTIMIZE_STEP_ID = 'step-optimize';

/** The running stage's own progress: each stage is a slice's job and reports there. */
function stageProgress(s: AppState, stage: WorkflowStage | undefined): ProgressView | null {
  if (stage === 'fp16') return s.fp16.progress;
  if (stage === 'int8') return s.int8.progress;
  if (stage === 'bench') return s.bench.progress;
  return s.workflow.progress;
}

function stageLabel(s: AppState, stage: WorkflowStage | undefined): string {
  if (stage === undefined) return 'Starting';
  if (stage === 'bench' && s.bench.current !== null) {
    const c = s.bench.current;
    return `Benchmarking ${c.variant.toUpperCase()} (${c.index + 1} of ${c.count})`;
  }
  return WORKFLOW_STAGE_LABEL[stage];
}

export function OptimizeStep() {
  const state = useStore();
  const { workflow, model } = state;
  // When a run finishes, take the user to its results (Compare renders in the same commit as status 'done').
  const wasRunning = useRef(false);
  useEffect(() => {
    if (wasRunning.current && workflow.status === 'done' && workflow.report !== null) scrollToSection('step-compare');
    wasRunning.current = workflow.status === 'running';
  }, [workflow.status, workflow.report]);
  const card = model.card;
  if (card === null) return null;
  const plan = currentPlan(state);
  if (plan === null) return null;
  const running = workflow.status === 'running';
  const stage = workflow.stages[workflow.current];
  const sub = stageProgress(state, stage);
  const platform = currentPlatform();
  const gpu = state.runtime.info?.webgpu;
  const source = int8Source(state);
  // The run's heaviest job decides whether this browser can hold it (big models): the same estimate as each tool's.
  const jobs: MemoryJob[] = [
    ...(plan.choices.makeFp16 ? (['fp16'] as const) : []),
    ...(plan.choices.makeInt8 ? [plan.int8Mode === 'static' ? ('int8-static' as const) : ('int8-dynamic' as const)] : []),
    ...(plan.choices.evaluate && source.kind === 'dataset' ? (['evaluate'] as const) : []),
    'bench',
  ];
  const memories = jobs.map((job) => ({ job, ...memoryFor(card, job) }));
  const heaviest = memories.reduce((a, b) => (b.estimate.totalBytes > a.estimate.totalBytes ? b : a));
  const tooBig = memories.find((m) => !m.verdict.fits);
  const blocked = plan.blocked ?? (tooBig !== undefined && !tooBig.verdict.fits ? tooBig.verdict.reason : null);
  const progress: ProgressView | null =
    sub === null ? null : { ...sub, label: `Step ${workflow.current + 1} of ${workflow.stages.length}: ${stageLabel(state, stage)} — ${sub.label.charAt(0).toLowerCase()}${sub.label.slice(1)}` };

  return (
    <section id={OPTIMIZE_STEP_ID} className="step-body wf-step" data-testid="optimize-step" data-status={workflow.status} aria-labelledby="step3-h" tabIndex={-1}>
      <header className="step-head">
        <span className="step-num" aria-hidden="true">3</span>
        <div>
          <h2 id="step3-h">Optimize</h2>
          <p className="step-lede">One click makes the smaller variants of {card.fileName}, checks them against the original and times them on this computer.</p>
        </div>
      </header>

      <article className="panel wf-plan">
        <h3 className="wf-plan-title">What Optimize will do</h3>
        <ul className="wf-reasons" data-testid="optimize-plan">
          {plan.reasons.map((r) => (
            <li key={r}>{r}</li>
          ))}
        </ul>
        <div className="wf-go">
          <button
            type="button"
            className="btn btn-primary wf-optimize"
            data-testid="optimize"
            disabled={running || blocked !== null}
            aria-describedby={blocked !== null ? 'wf-blocked' : undefined}
            onClick={() => void state.runOptimize()}
          >
            {running ? 'Optimizing…' : workflow.report !== null && workflow.report.model.fileName === card.fileName ? 'Optimize again' : 'Optimize'}
          </button>
          {blocked !== null && !running && (
            <p className="wf-blocked" id="wf-blocked" data-testid="optimize-blocked">
              {blocked}
            </p>
          )}
        </div>
        {!running && <MemoryNote card={card} job={tooBig?.job ?? heaviest.job} />}
        <AdvancedPanel
          choices={state.optimizeChoices ?? defaultChoices(platform)}
          onChange={state.setOptimizeChoices}
          onChangeInt8={state.setOptimizeInt8}
          onReset={state.resetOptimizeChoices}
          plan={plan}
          platform={{ cores: platform.hardwareConcurrency, crossOriginIsolated: platform.crossOriginIsolated, webgpu: { available: gpu?.available === true, shaderF16: gpu?.shaderF16 === true, reason: gpu?.reason ?? 'The inference engine check has not finished yet.' } }}
          samples={source.kind === 'none' ? 0 : source.count}
          labelled={int8Labelled(state)}
          nodeNames={card.quantizable.nodes.map((n) => n.name)}
          opTypes={Object.keys(card.quantizable.byOpType)}
          disabled={running}
        />
      </article>

      {running && (
        <div className="wf-running" data-testid="optimize-progress">
          <ol className="wf-stages" aria-label="Stages of this run">
            {workflow.stages.map((st, i) => (
              <li key={st} className={i < workflow.current ? 'is-done' : i === workflow.current ? 'is-current' : ''} aria-current={i === workflow.current ? 'step' : undefined} data-stage={st}>
                <span aria-hidden="true">{i < workflow.current ? '✓' : i + 1}</span> {WORKFLOW_STAGE_LABEL[st]}
              </li>
            ))}
          </ol>
          <ProgressPanel progress={progress} fallbackLabel={`Step ${workflow.current + 1} of ${workflow.stages.length}: ${stageLabel(state, stage)}`} onCancel={state.cancelOptimize} />
        </div>
      )}

      {workflow.error !== null && <ErrorBanner error={workflow.error} title="Optimize could not run" onDismiss={state.dismissWorkflowError} />}
    </section>
  );
}
