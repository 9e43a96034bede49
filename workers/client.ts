// Main-thread owner of one worker: lazy spawn, one job at a time, two-level cancel, crash recovery.
import * as Comlink from 'comlink';
import { QbError, toQbError } from '../src/shared/errors';
import './transfer-errors';

/** A worker (or anything that talks like one, e.g. a MessagePort in tests) we can stop. */
export interface WorkerLike extends Comlink.Endpoint {
  terminate(): void;
}

/** Every worker API exposes cooperative cancel by job id. */
export interface CancellableApi {
  cancel(jobId: string): void;
}

export interface WorkerClientOptions {
  /** How long a cooperative cancel may take before the worker is terminated (ms). */
  graceMs?: number;
  /** Human name used in messages ("model reader"). */
  label: string;
}

/**
 * Runs jobs on a worker. `run` serialises jobs; aborting the signal first asks the worker to stop
 * (cooperative), then after `graceMs` terminates it, rejects the job with QbError('cancelled') and
 * spawns a fresh worker on the next call. A worker crash rejects the job with QbError('worker-crashed').
 */
export class WorkerClient<Api extends CancellableApi> {
  private worker: WorkerLike | undefined;
  private remote: Comlink.Remote<Api> | undefined;
  private failCurrent: ((err: QbError) => void) | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private nextJobId = 1;
  /** Number of workers spawned so far (tests and diagnostics read it). */
  spawnCount = 0;

  constructor(
    private readonly spawn: () => WorkerLike,
    private readonly options: WorkerClientOptions,
  ) {}

  private ensureWorker(): Comlink.Remote<Api> {
    if (this.remote !== undefined) return this.remote;
    const worker = this.spawn();
    this.spawnCount++;
    const onError = (event: Event): void => {
      const detail = (event as ErrorEvent).message ?? 'worker error event';
      this.fail(new QbError('worker-crashed', `The ${this.options.label} stopped unexpectedly (it may have run out of memory). Your files are untouched: try again, or try a smaller model.`, detail));
    };
    worker.addEventListener('error', onError as EventListener);
    this.worker = worker;
    this.remote = Comlink.wrap<Api>(worker);
    return this.remote;
  }

  private fail(err: QbError): void {
    this.terminate();
    this.failCurrent?.(err);
  }

  /** Stops the worker now; the next job spawns a new one. */
  terminate(): void {
    this.worker?.terminate();
    this.worker = undefined;
    this.remote = undefined;
  }

  /**
   * Runs one job; jobs queue behind each other so a worker never runs two at once. With `recycle` the worker is
   * terminated when the job ends (the next job spawns a fresh one): onnxruntime's WebAssembly memory only grows, so a
   * worker that held a 350 MB model would keep that memory for the life of the tab.
   */
  run<R>(job: (api: Comlink.Remote<Api>, jobId: string) => Promise<R>, signal?: AbortSignal, options: { recycle?: boolean } = {}): Promise<R> {
    const result = this.queue.then(() => this.runNow(job, signal));
    const settled = result.catch(() => undefined);
    this.queue = options.recycle === true ? settled.then(() => this.terminate()) : settled;
    return result;
  }

  private runNow<R>(job: (api: Comlink.Remote<Api>, jobId: string) => Promise<R>, signal?: AbortSignal): Promise<R> {
    if (signal?.aborted) return Promise.reject(new QbError('cancelled', 'Cancelled.'));
    const api = this.ensureWorker();
    const jobId = `${this.options.label}-${this.nextJobId++}`;
    const graceMs = this.options.graceMs ?? 1500;
    return new Promise<R>((resolve, reject) => {
      let settled = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      const settle = (fn: () => void): void => {
        if (settled) return;
        settled = true;
        if (timer !== undefined) clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.failCurrent = undefined;
        fn();
      };
      const onAbort = (): void => {
        // Level 1: ask the job to stop at its next checkpoint. The call itself may never answer if the
        // worker is stuck in a long synchronous step, so it is not awaited.
        api.cancel(jobId).catch(() => undefined);
        // Level 2: a stuck worker is terminated; comlink never rejects a call to a dead worker, so we do.
        timer = setTimeout(() => {
          this.terminate();
          settle(() => reject(new QbError('cancelled', 'Cancelled.', `worker terminated after ${graceMs} ms`)));
        }, graceMs);
      };
      this.failCurrent = (err) => settle(() => reject(err));
      signal?.addEventListener('abort', onAbort, { once: true });
      job(api, jobId).then(
        (value) => settle(() => resolve(value)),
        (err: unknown) => settle(() => reject(signal?.aborted ? new QbError('cancelled', 'Cancelled.') : toQbError(err))),
      );
    });
  }
}
