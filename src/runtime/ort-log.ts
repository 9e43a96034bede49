// onnxruntime-web's own log: the WebGPU build prints every log line through console.error. We capture the lines
// while a WebGPU session is created, to report which nodes ORT placed on the CPU instead of the GPU (the only
// place ORT says so), and keep its verbose/info chatter out of the console.

/** Where ORT placed the nodes of one session (after its graph optimisations, so fused node names appear). */
export interface NodePlacement {
  /** Nodes per execution provider, e.g. [{ provider: 'WebGpuExecutionProvider', nodes: 232 }]. */
  byProvider: { provider: string; nodes: number }[];
  /** Nodes ORT runs on the CPU execution provider (shape arithmetic, ops without a WebGPU kernel). */
  offGpu: { opType: string; name: string }[];
  /** ORT's warning line when some nodes are not on the preferred provider, cleaned of colour codes. */
  warning: string | null;
}

type Sink = (line: string) => void;

/** "2026-11-22 05:06:52.806 [V:onnxruntime:, session_state.cc:1385 Verify…] message" (optionally ANSI-coloured). */
// ORT colours warning lines with ANSI escapes (ESC[0;93m … ESC[m), so the pattern must match that control byte.
// eslint-disable-next-line no-control-regex
const ORT_LINE = /^(?:\x1b\[[0-9;]*m)?\d{4}-\d\d-\d\d [\d:.]+ \[([VIWEF]):onnxruntime:[^\]]*\] ?(.*?)(?:\x1b\[m)?$/s;

let installed = false;
let collector: string[] | null = null;

/**
 * Replaces console.error with a filter for ORT log lines, once per realm: while a capture runs the lines are
 * collected; outside it, verbose/info lines are dropped, warnings go to console.warn and errors stay errors.
 * Anything that is not an ORT log line passes through untouched.
 */
export function installOrtLogCapture(): void {
  if (installed || typeof console === 'undefined') return;
  installed = true;
  const original = console.error.bind(console);
  const warn = console.warn.bind(console);
  const filtered: Sink = (line) => {
    const m = ORT_LINE.exec(line);
    const severity = m?.[1];
    if (collector !== null && m !== null) collector.push(line);
    if (severity === 'W') warn(line);
    else if (severity === 'E' || severity === 'F') original(line);
  };
  console.error = (...args: unknown[]): void => {
    const first = args[0];
    if (args.length === 1 && typeof first === 'string' && ORT_LINE.test(first)) filtered(first);
    else original(...args);
  };
}

/**
 * Runs `work` while collecting ORT's log lines (needs installOrtLogCapture; the session must be created with a
 * low logSeverityLevel for the placement lines to be written at all). Captures do not nest.
 */
export async function captureOrtLog<T>(work: () => Promise<T>): Promise<{ value: T; lines: string[] }> {
  const lines: string[] = [];
  collector = lines;
  try {
    const value = await work();
    return { value, lines };
  } finally {
    collector = null;
  }
}

/**
 * Reads ORT's "Node placements" block (session_state.cc VerifyEachNodeIsAssignedToAnEp, written at verbose
 * level) from captured log lines. Returns null when the block is absent (log level too high, or an ORT version
 * that words it differently): callers must then say that the placement is unknown, not that all is on the GPU.
 */
export function parseNodePlacement(lines: readonly string[]): NodePlacement | null {
  const byProvider: NodePlacement['byProvider'] = [];
  const offGpu: NodePlacement['offGpu'] = [];
  let warning: string | null = null;
  let current: string | null = null;
  for (const line of lines) {
    const m = ORT_LINE.exec(line);
    if (m === null) continue;
    const message = m[2]!;
    const all = /All nodes placed on \[(\w+)\]\. Number of nodes: (\d+)/.exec(message);
    const some = /Node\(s\) placed on \[(\w+)\]\. Number of nodes: (\d+)/.exec(message);
    const placed = all ?? some;
    if (placed !== null) {
      current = placed[1]!;
      byProvider.push({ provider: current, nodes: Number(placed[2]) });
      continue;
    }
    if (/Some nodes were not assigned to the preferred execution providers/.test(message)) {
      warning = message.trim();
      continue;
    }
    const nodeLine = /^\s{2,}(\S+) \((.*)\)\s*$/.exec(message);
    if (nodeLine !== null && current === 'CPUExecutionProvider' && /VerifyEachNodeIsAssignedToAnEp/.test(line)) {
      offGpu.push({ opType: nodeLine[1]!, name: nodeLine[2]! });
    } else if (!/VerifyEachNodeIsAssignedToAnEp/.test(line)) {
      current = null;
    }
  }
  return byProvider.length === 0 ? null : { byProvider, offGpu, warning };
}
