// Per-layer measurements of the INT8 job: the error each quantized activation adds (the layer report), and the
// per-channel input means bias correction needs. Both run models with every wanted tensor exposed as an output.
import { runnerFor } from '../onnx/weight-views';
import type { ModelProto } from '../onnx/proto/onnx_pb';
import { ChannelMeanAccumulator, inputChannelAxis, type ChannelMeans } from '../quant/bias-correction';
import { calibrationModel } from '../quant/calibration-graph';
import type { FloatTensor } from '../quant/mixed-precision';
import { activationParams, type QuantizedTensor, type Range } from '../quant/qdq-apply';
import { nodeName, type ActivationPreset, type QdqPlan } from '../quant/qdq-plan';
import { fakeQuantize } from '../quant/qparams';
import type { OutputsRunner } from './calibrate';
import type { Int8Request, LayerError } from './int8';

/**
 * Per-layer error: FP32 and INT8 models run with every quantized activation exposed, on a few inputs. Sums are
 * streamed per tensor, so only one input's tensors are held at a time.
 */
export async function layerErrors(
  float: ModelProto,
  int8: ModelProto,
  tensors: readonly QuantizedTensor[],
  producers: Map<string, string>,
  preset: ActivationPreset,
  inputs: readonly FloatTensor[],
  request: Int8Request,
): Promise<LayerError[]> {
  const acts = tensors.filter((t) => t.kind === 'activation');
  const names = acts.map((t) => t.tensor);
  const fp = await runnerFor(request.makeRunner, calibrationModel(float, names, 'full'));
  let q: OutputsRunner | undefined;
  const sums = new Map(names.map((n) => [n, { signal: 0, local: 0, cumulative: 0, clipped: 0, count: 0 }]));
  try {
    q = await runnerFor(request.makeRunner, calibrationModel(int8, names, 'full'));
    for (let i = 0; i < inputs.length; i++) {
      await request.checkpoint?.();
      const input = inputs[i]!;
      const a = await fp.runOutputs(input);
      const b = await q.runOutputs(input);
      for (const t of acts) {
        const ref = a.get(t.tensor)?.data ?? (producers.get(t.tensor) === 'input' ? input.data : undefined);
        const got = b.get(t.tensor)?.data ?? (producers.get(t.tensor) === 'input' ? input.data : undefined);
        if (ref === undefined || got === undefined || ref.length !== got.length) continue;
        const fq = fakeQuantize(ref, activationParams(t.range, preset));
        const s = sums.get(t.tensor)!;
        for (let k = 0; k < ref.length; k++) {
          const r = ref[k]!;
          s.signal += r * r;
          s.local += (r - fq[k]!) ** 2;
          s.cumulative += (r - got[k]!) ** 2;
          if (r < t.range.min || r > t.range.max) s.clipped++;
        }
        s.count += ref.length;
      }
      request.onProgress?.({ stage: 'layer-report', done: i + 1, total: inputs.length });
    }
  } finally {
    await fp.release?.();
    await q?.release?.();
  }
  const db = (signal: number, noise: number): number => (noise === 0 ? Infinity : 10 * Math.log10(signal / noise));
  return acts.map((t) => {
    const s = sums.get(t.tensor)!;
    return {
      tensor: t.tensor,
      producer: producers.get(t.tensor) ?? '?',
      localSqnrDb: db(s.signal, s.local),
      cumulativeSqnrDb: db(s.signal, s.cumulative),
      clippedShare: s.count > 0 ? s.clipped / s.count : 0,
    };
  });
}

/**
 * Per-channel means of every weighted node's activation input on `inputs`, as the FP32 model computes it and
 * after its quantize-dequantize: what bias correction needs.
 */
export async function channelMeans(model: ModelProto, plan: QdqPlan, ranges: ReadonlyMap<string, Range>, preset: ActivationPreset, inputs: readonly FloatTensor[], request: Int8Request): Promise<Map<string, ChannelMeans>> {
  const byName = new Map(model.graph!.node.map((n) => [nodeName(n), n]));
  const wanted = new Map<string, string>(); // tensor -> op type of a node reading it
  for (const w of plan.weights) {
    const n = byName.get(w.node);
    const t = n?.input[0] ?? '';
    if (n !== undefined && ranges.has(t)) wanted.set(t, n.opType);
  }
  const graphInputs = new Set(plan.graphInputs);
  const runner = await runnerFor(request.makeRunner, calibrationModel(model, [...wanted.keys()], 'full'));
  const acc = new Map([...wanted.keys()].map((t) => [t, new ChannelMeanAccumulator()]));
  try {
    for (let i = 0; i < inputs.length; i++) {
      await request.checkpoint?.();
      const out = await runner.runOutputs(inputs[i]!);
      for (const [t, opType] of wanted) {
        const x = graphInputs.has(t) ? inputs[i]! : out.get(t);
        if (x === undefined) continue;
        acc.get(t)!.add(x.data, fakeQuantize(x.data, activationParams(ranges.get(t)!, preset)), x.dims, inputChannelAxis(opType, x.dims.length));
      }
      request.onProgress?.({ stage: 'bias-correction', done: i + 1, total: inputs.length });
    }
  } finally {
    await runner.release?.();
  }
  const means = new Map<string, ChannelMeans>();
  for (const [t, a] of acc) {
    const r = a.result();
    if (r !== null) means.set(t, r);
  }
  return means;
}
