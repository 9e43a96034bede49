// What a finished job cost: wall time per stage (from its progress reports) and the memory it held at its peak.

/** Wall time of one stage, in the order stages first ran. */
export interface StageTime {
  stage: string;
  ms: number;
}

export interface JobMemory {
  /** The inference engine's WebAssembly heap at the end (a heap only grows: its peak). */
  engineBytes: number;
  /** The model files the job read. */
  fileBytes: number;
  /** The variant it wrote. */
  outputBytes: number;
  /** engine + files + output: the job's own accounting of its peak (the tab's baseline comes on top). */
  peakBytes: number;
}

export interface JobStats {
  wallMs: number;
  stages: StageTime[];
  memory: JobMemory | null;
}

/** Times stages as a job reports them: each mark closes the previous stage. A stage met twice adds up. */
export class StageTimer {
  private readonly times = new Map<string, number>();
  private current: string | null = null;
  private since: number;
  private readonly started: number;

  constructor(private readonly now: () => number = () => performance.now()) {
    this.started = now();
    this.since = this.started;
  }

  mark(stage: string): void {
    if (stage === this.current) return;
    this.close();
    this.current = stage;
  }

  private close(): void {
    const t = this.now();
    if (this.current !== null) this.times.set(this.current, (this.times.get(this.current) ?? 0) + (t - this.since));
    this.since = t;
  }

  /** Closes the running stage; the job's stats with its memory (null when not measured). */
  finish(memory: JobMemory | null = null): JobStats {
    this.close();
    this.current = null;
    const stages = [...this.times].filter(([stage]) => stage !== 'done').map(([stage, ms]) => ({ stage, ms }));
    return { wallMs: this.since - this.started, stages, memory };
  }
}
