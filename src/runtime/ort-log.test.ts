// ORT log parsing: the "Node placements" block as onnxruntime-web 1.30's WebGPU build writes it (lines copied
// from a real session of silero-vad-mini on SwiftShader), and the console filter around it.
import { afterEach, describe, expect, it, vi } from 'vitest';
import { captureOrtLog, installOrtLogCapture, parseNodePlacement } from './ort-log';

const TS = '2026-11-22 05:06:52.806369';
const V = (file: string, fn: string, msg: string): string => `${TS} [V:onnxruntime:, ${file} ${fn}] ${msg}`;

const MIXED = [
  `${TS} [I:onnxruntime:, fallback_cpu_capability.cc:89 operator()] Candidate for fallback CPU execution: Gather_27`,
  V('session_state.cc:1377', 'VerifyEachNodeIsAssignedToAnEp', 'Node placements'),
  V('session_state.cc:1383', 'VerifyEachNodeIsAssignedToAnEp', ' Node(s) placed on [CPUExecutionProvider]. Number of nodes: 3'),
  V('session_state.cc:1385', 'VerifyEachNodeIsAssignedToAnEp', '  Gather (Gather_27)'),
  V('session_state.cc:1385', 'VerifyEachNodeIsAssignedToAnEp', '  Equal (Equal_29)'),
  V('session_state.cc:1385', 'VerifyEachNodeIsAssignedToAnEp', '  Unsqueeze (/encoder/Unsqueeze_1)'),
  V('session_state.cc:1383', 'VerifyEachNodeIsAssignedToAnEp', ' Node(s) placed on [WebGpuExecutionProvider]. Number of nodes: 2'),
  V('session_state.cc:1385', 'VerifyEachNodeIsAssignedToAnEp', '  MatMul (MatMul_5)'),
  V('session_state.cc:1385', 'VerifyEachNodeIsAssignedToAnEp', '  Softmax (Softmax_6)'),
  `\x1b[0;93m${TS} [W:onnxruntime:, session_state.cc:1397 VerifyEachNodeIsAssignedToAnEp] Some nodes were not assigned to the preferred execution providers which may or may not have an negative impact on performance. e.g. ORT explicitly assigns shape related ops to CPU to improve perf.\x1b[m`,
];

describe('parseNodePlacement', () => {
  it('reads per-provider counts and the nodes that leave the GPU', () => {
    const p = parseNodePlacement(MIXED)!;
    expect(p.byProvider).toEqual([
      { provider: 'CPUExecutionProvider', nodes: 3 },
      { provider: 'WebGpuExecutionProvider', nodes: 2 },
    ]);
    expect(p.offGpu).toEqual([
      { opType: 'Gather', name: 'Gather_27' },
      { opType: 'Equal', name: 'Equal_29' },
      { opType: 'Unsqueeze', name: '/encoder/Unsqueeze_1' },
    ]);
    expect(p.warning).toMatch(/^Some nodes were not assigned/);
    expect(p.warning).not.toContain('\x1b');
  });

  it('reads the all-on-one-provider form (resnet20 on WebGPU)', () => {
    const p = parseNodePlacement([
      V('session_state.cc:1377', 'VerifyEachNodeIsAssignedToAnEp', 'Node placements'),
      V('session_state.cc:1380', 'VerifyEachNodeIsAssignedToAnEp', ' All nodes placed on [WebGpuExecutionProvider]. Number of nodes: 44'),
    ])!;
    expect(p).toEqual({ byProvider: [{ provider: 'WebGpuExecutionProvider', nodes: 44 }], offGpu: [], warning: null });
  });

  it('returns null when ORT did not write the block (unknown placement, not "all on GPU")', () => {
    expect(parseNodePlacement([`${TS} [I:onnxruntime:, inference_session.cc:2610 Initialize] Initializing session.`, 'unrelated'])).toBeNull();
  });
});

describe('installOrtLogCapture', () => {
  afterEach(() => vi.restoreAllMocks());

  it('collects ORT lines during a capture, drops verbose chatter, demotes warnings, passes other errors through', async () => {
    const errors: unknown[][] = [];
    const warns: unknown[][] = [];
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void errors.push(a));
    vi.spyOn(console, 'warn').mockImplementation((...a: unknown[]) => void warns.push(a));
    installOrtLogCapture();
    const { value, lines } = await captureOrtLog(async () => {
      for (const line of MIXED) console.error(line);
      return 7;
    });
    expect(value).toBe(7);
    expect(lines).toEqual(MIXED);
    expect(errors).toEqual([]);
    expect(warns).toHaveLength(1);
    console.error(MIXED[1]);
    console.error('a real problem', 42);
    expect(errors).toEqual([['a real problem', 42]]);
  });
});
