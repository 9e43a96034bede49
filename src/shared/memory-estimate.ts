// How much memory a job on a model needs, estimated before it starts from the model card's numbers, and whether
// this browser can hold it. Pure arithmetic: the same numbers in the app, the CLI and tests.

/** onnxruntime-web runs in 32-bit WebAssembly: one engine can address at most 4 GiB, whatever the machine has. */
export const WASM_HEAP_LIMIT_BYTES = 4 * 2 ** 30;
/** The engine's own code, threads and arena slack, measured as the renderer's growth when a tiny model loads. */
export const ENGINE_OVERHEAD_BYTES = 160 * 2 ** 20;
/** Activation memory onnxruntime holds at once, per byte of the heaviest node (inputs + outputs), measured on the ViT stand-ins. */
export const ACTIVATION_FACTOR = 1.5;

export type MemoryJob = 'int8-dynamic' | 'int8-static' | 'fp16' | 'bench' | 'evaluate';

/** The numbers of a model that decide its jobs' memory (all from the model card). */
export interface ModelMemoryFacts {
  /** The .onnx file plus its external-data files. */
  fileBytes: number;
  /** Float32 weight bytes (what FP32 holds in the engine; FP16 halves them, INT8 quarters them). */
  floatWeightBytes: number;
  /** All weight bytes. */
  weightBytes: number;
  /** The heaviest node's inputs + outputs (static shape estimate; a lower bound when shapes were unknown). */
  peakNodeBytes: number;
  /** Sum of every activation tensor's bytes for one input (static calibration takes them all out of the engine). */
  activationSumBytes: number;
}

export interface MemoryPart {
  what: string;
  bytes: number;
}

export interface MemoryEstimate {
  job: MemoryJob;
  /** Everything the tab holds at the job's peak. */
  totalBytes: number;
  /** What one onnxruntime engine (WebAssembly heap) must hold: over WASM_HEAP_LIMIT_BYTES it cannot run at all. */
  engineBytes: number;
  parts: MemoryPart[];
}

/**
 * The job's peak memory, by parts. The model's file is held once as read (weights are decoded as views of it);
 * the engine copies each weight once (sessions load from graph + weight views) and holds the activations; a new
 * variant is held twice (its arrays and its encoded file). Sessions run one after another and are released, so
 * the engine's peak is its largest session.
 */
export function estimateJobMemory(job: MemoryJob, m: ModelMemoryFacts): MemoryEstimate {
  const activations = Math.round(ACTIVATION_FACTOR * m.peakNodeBytes);
  const parts: MemoryPart[] = [{ what: 'the model file, read once', bytes: m.fileBytes }];
  let engine = m.weightBytes + activations + ENGINE_OVERHEAD_BYTES;
  if (job === 'int8-dynamic') {
    parts.push({ what: 'the INT8 model being written', bytes: Math.round(m.floatWeightBytes / 2) });
  } else if (job === 'int8-static') {
    parts.push({ what: 'the float model encoded for calibration', bytes: m.fileBytes });
    parts.push({ what: 'activations taken out for calibration', bytes: m.activationSumBytes });
    parts.push({ what: 'the INT8 model being written', bytes: Math.round(m.floatWeightBytes / 2) });
  } else if (job === 'fp16') {
    parts.push({ what: 'the FP16 model being written', bytes: m.floatWeightBytes });
    // onnxruntime's CPU engine widens FP16 weights back to FP32 next to the FP16 ones.
    engine = Math.max(engine, m.weightBytes + m.floatWeightBytes / 2 + activations + ENGINE_OVERHEAD_BYTES);
  }
  parts.push({ what: 'weights and activations in the engine', bytes: Math.round(engine) });
  return { job, totalBytes: parts.reduce((s, p) => s + p.bytes, 0), engineBytes: Math.round(engine), parts };
}

/** What the browser says about the machine: navigator.deviceMemory (GB, capped at 8 by Chrome), or null. */
export interface DeviceMemory {
  deviceMemoryGb: number | null;
}

export type MemoryVerdict =
  | { fits: true; warning: string | null }
  | { fits: false; reason: string };

function gb(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${Math.round(bytes / 1e6)} MB`;
}

/**
 * Whether the job can run here. A job whose engine needs more than 4 GiB cannot run in any browser (32-bit
 * WebAssembly); one needing more than the device's memory would crash the tab. Within 60% of device memory it runs,
 * with a warning to close other tabs. Chrome caps deviceMemory at 8 GB, so a bigger machine is never refused on it.
 */
export function judgeMemory(e: MemoryEstimate, device: DeviceMemory): MemoryVerdict {
  if (e.engineBytes > WASM_HEAP_LIMIT_BYTES) {
    return {
      fits: false,
      // The CLI runs the same WebAssembly engine: only a smaller model or input helps.
      reason: `This job needs about ${gb(e.engineBytes)} inside the inference engine, more than the 4 GB a browser's WebAssembly engine can address, so it cannot run here. Export the model with a smaller input size (or batch) and load that.`,
    };
  }
  const deviceBytes = device.deviceMemoryGb !== null && device.deviceMemoryGb < 8 ? device.deviceMemoryGb * 1e9 : null;
  if (deviceBytes !== null && e.totalBytes > deviceBytes) {
    return {
      fits: false,
      reason: `This job needs about ${gb(e.totalBytes)} of memory and this device reports ${gb(deviceBytes)}: the tab would run out of memory. Use a machine with more memory, or the command line (npx quantbench), which has no tab around it.`,
    };
  }
  if (deviceBytes !== null && e.totalBytes > 0.6 * deviceBytes) {
    return { fits: true, warning: `This job needs about ${gb(e.totalBytes)} of this device's ${gb(deviceBytes)}: close other tabs first.` };
  }
  return { fits: true, warning: null };
}

export { gb as formatMemory };
