// Which background job is running, from the slices' status fields: the benchmark needs the cores to itself, so it
// never starts while another job runs, and the other jobs' buttons wait while it runs.
import type { AppState } from './store';

/** The state a busy check reads (a full AppState in the app; tests pass a smaller object). */
export type BusyState = Pick<AppState, 'model' | 'demo' | 'runtime' | 'dataset' | 'evaluation' | 'fp16' | 'int8' | 'webgpu'> & Partial<Pick<AppState, 'workflow'>>;

/** The running jobs other than the benchmark, in plain words, in the order they are checked. */
export function runningJobs(state: BusyState): string[] {
  const jobs: string[] = [];
  if (state.model.status === 'running') jobs.push('loading the model');
  if (state.demo.status === 'running') jobs.push('the demo');
  if (state.runtime.status === 'running') jobs.push('the inference engine check');
  if (state.dataset.status === 'running') jobs.push('reading the dataset');
  if (state.evaluation.status === 'running') jobs.push('measuring accuracy');
  if (state.fp16.status === 'running') jobs.push('making the FP16 variant');
  if (state.int8.status === 'running') jobs.push('making the INT8 variant');
  if (state.webgpu.model.status === 'running' || state.webgpu.variant.status === 'running') jobs.push('the WebGPU run');
  // The Optimize run's own stages are the jobs above; between them (measuring on the data, saving) it is the job.
  const wf = state.workflow;
  const wfStage = wf?.status === 'running' ? wf.stages[wf.current] : undefined;
  if (wfStage === 'evaluate' || wfStage === 'save') jobs.push('the Optimize run');
  return jobs;
}

/** True while any job other than the benchmark runs (model loading, demo, dataset scan or evaluation, FP16, INT8, WebGPU). */
export function anyJobRunning(state: BusyState): boolean {
  return runningJobs(state).length > 0;
}

/** Why the benchmark cannot start now, in plain words, or null when nothing else runs. */
export function benchBlockedReason(state: BusyState): string | null {
  const jobs = runningJobs(state);
  if (jobs.length === 0) return null;
  return `Waiting for ${jobs.join(' and ')} to finish: a benchmark needs the processor to itself, or its timings would be wrong.`;
}

/** Tooltip of the other panels' main buttons while the benchmark runs. */
export const BENCH_RUNNING_TITLE = 'The benchmark is running: wait for it to finish, or cancel it, so its timings stay honest.';
