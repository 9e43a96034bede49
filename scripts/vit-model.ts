// Owns the seeded ViT stand-in model builders (DeiT classifier, SAM ViT-B image encoder) and their on-disk writer.
// Weights are seeded random (std 0.02, LN gamma 1 / beta 0): for size, speed and memory work, not accuracy.
// SAM: the real encoder adds a decomposed relative-position bias to every attention; it is left out here.
import { create } from '@bufbuild/protobuf';
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { makeModel, node, valueInfo } from '../src/onnx/build';
import { DataType } from '../src/onnx/dtypes';
import { encodeModel } from '../src/onnx/model-io';
import { StringStringEntryProtoSchema, TensorProto_DataLocation, type ModelProto, type NodeProto, type TensorProto } from '../src/onnx/proto/onnx_pb';
import { makeTensor } from '../src/onnx/tensor-data';

const F = DataType.FLOAT as number;
const I64 = DataType.INT64 as number;

export interface VitSpec {
  arch: 'deit' | 'sam';
  blocks: number;
  width: number;
  heads: number;
  mlp: number;
  image: number;
  patch: number;
  /** deit only. */
  classes: number;
  /** sam only: window side in tokens (14). */
  window: number;
  /** sam only: blocks with full (global) attention, the rest are windowed ([2, 5, 8, 11]). */
  globalBlocks: number[];
  /** sam only: neck output channels (256). */
  neck: number;
  seed: number;
}

export const DEIT_BASE: VitSpec = { arch: 'deit', blocks: 12, width: 768, heads: 12, mlp: 3072, image: 224, patch: 16, classes: 1000, window: 0, globalBlocks: [], neck: 0, seed: 1 };
export const SAM_VIT_B: VitSpec = { arch: 'sam', blocks: 12, width: 768, heads: 12, mlp: 3072, image: 1024, patch: 16, classes: 0, window: 14, globalBlocks: [2, 5, 8, 11], neck: 256, seed: 1 };

/** Throws when the spec cannot make a well-formed model. */
export function checkVitSpec(spec: VitSpec): void {
  const pos = (k: keyof VitSpec): void => {
    const v = spec[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1) throw new Error(`${k} must be a positive integer (got ${String(v)}).`);
  };
  for (const k of ['blocks', 'width', 'heads', 'mlp', 'image', 'patch'] as const) pos(k);
  if (spec.width % spec.heads !== 0) throw new Error(`width ${spec.width} must divide by heads ${spec.heads}.`);
  if (spec.image % spec.patch !== 0) throw new Error(`image ${spec.image} must be a multiple of patch ${spec.patch}.`);
  if (spec.arch === 'deit') pos('classes');
  else for (const k of ['window', 'neck'] as const) pos(k);
}

/** Graph-building state: seeded RNG, initializers and nodes in creation order. */
function graphBuilder(seed: number) {
  let s = seed;
  const rand = (): number => { s = (s * 1664525 + 1013904223) >>> 0; return s / 2 ** 32; };
  const normal = (n: number, std: number): Float32Array => {
    const a = new Float32Array(n);
    for (let i = 0; i < n; i += 2) {
      const u = Math.max(rand(), 1e-12), v = rand();
      const r = Math.sqrt(-2 * Math.log(u)) * std;
      a[i] = r * Math.cos(2 * Math.PI * v);
      if (i + 1 < n) a[i + 1] = r * Math.sin(2 * Math.PI * v);
    }
    return a;
  };
  const inits: TensorProto[] = [];
  const nodes: NodeProto[] = [];
  /** Random weight (normal, std). */
  const w = (name: string, dims: number[], std = 0.02): string => { inits.push(makeTensor(name, F, dims, normal(dims.reduce((a, b) => a * b, 1), std))); return name; };
  /** Float constant. */
  const c = (name: string, dims: number[], v: number[] | Float32Array): string => { inits.push(makeTensor(name, F, dims, Float32Array.from(v))); return name; };
  /** 1-D int64 constant (shapes, axes, pads). */
  const ci = (name: string, v: number[]): string => { inits.push(makeTensor(name, I64, [v.length], BigInt64Array.from(v.map(BigInt)))); return name; };
  /** A node; its name defaults to its first output. Returns the first output. */
  const n = (op: string, ins: string[], outs: string[], attrs: Record<string, unknown> = {}, name = outs[0]!): string => { nodes.push(node(op, ins, outs, attrs as never, name)); return outs[0]!; };
  const ln = (p: string, inp: string, dim: number): string => n('LayerNormalization', [inp, c(`${p}.g`, [dim], new Float32Array(dim).fill(1)), c(`${p}.b`, [dim], new Float32Array(dim))], [`${p}.out`], { axis: -1, epsilon: { f: 1e-6 } });
  const linear = (p: string, inp: string, k: number, m: number): string => n('Add', [n('MatMul', [inp, w(`${p}.w`, [k, m])], [`${p}.mm`]), c(`${p}.b`, [m], new Float32Array(m))], [`${p}.out`]);
  return { inits, nodes, w, c, ci, n, ln, linear, pushNode: (nd: NodeProto) => nodes.push(nd) };
}
type GraphBuilder = ReturnType<typeof graphBuilder>;

/**
 * Multi-head self-attention up to (not including) the output projection. `qkv` reshapes the qkv linear's output to
 * [B, T, 3, heads, headDim]; `merge` reshapes the [B, T, heads, headDim] context back. Needs the `scale` and `axes0` constants.
 */
function attentionCore(g: GraphBuilder, p: string, h: string, width: number, qkvShape: string, mergeShape: string): string {
  const { n } = g;
  let qkv = g.linear(`${p}.attn.qkv`, h, width, 3 * width);
  qkv = n('Reshape', [qkv, qkvShape], [`${p}.qkv5`]);
  qkv = n('Transpose', [qkv], [`${p}.qkvT`], { perm: [2, 0, 3, 1, 4] });
  g.pushNode(node('Split', [qkv], [`${p}.q5`, `${p}.k5`, `${p}.v5`], { axis: 0 }, `${p}.split`));
  const q = n('Squeeze', [`${p}.q5`, 'axes0'], [`${p}.q`]);
  const k = n('Squeeze', [`${p}.k5`, 'axes0'], [`${p}.k`]);
  const v = n('Squeeze', [`${p}.v5`, 'axes0'], [`${p}.v`]);
  const kt = n('Transpose', [k], [`${p}.kT`], { perm: [0, 1, 3, 2] });
  let att = n('MatMul', [q, kt], [`${p}.scores`]);
  att = n('Mul', [att, 'scale'], [`${p}.scaled`]);
  att = n('Softmax', [att], [`${p}.probs`], { axis: -1 });
  let ctx = n('MatMul', [att, v], [`${p}.ctx`]);
  ctx = n('Transpose', [ctx], [`${p}.ctxT`], { perm: [0, 2, 1, 3] });
  return n('Reshape', [ctx, mergeShape], [`${p}.merged`]);
}

/** x + fc2(gelu(fc1(LN(x)))) with erf GELU; needs the `sqrt2`, `one` and `half` constants. */
function mlpResidual(g: GraphBuilder, p: string, x: string, width: number, mlp: number): string {
  const { n } = g;
  const h2 = g.ln(`${p}.ln2`, x, width);
  const f1 = g.linear(`${p}.mlp.fc1`, h2, width, mlp);
  const erf = n('Erf', [n('Div', [f1, 'sqrt2'], [`${p}.gelu.div`])], [`${p}.gelu.erf`]);
  const gelu = n('Mul', [n('Mul', [f1, n('Add', [erf, 'one'], [`${p}.gelu.add`])], [`${p}.gelu.mul`]), 'half'], [`${p}.gelu`]);
  return n('Add', [x, g.linear(`${p}.mlp.fc2`, gelu, mlp, width)], [`${p}.res2`]);
}

/** DeiT classifier: patch conv, cls token, pos embed, pre-LN blocks, final LN, head on the cls token. */
function buildDeit(spec: VitSpec): ModelProto {
  const D = spec.width, H = spec.heads, HD = D / H, MLP = spec.mlp, P = spec.patch, CLASSES = spec.classes;
  const N = (spec.image / P) ** 2, T = N + 1;
  const g = graphBuilder(spec.seed);
  const { w, c, ci, n, inits } = g;
  // Creation order matters: it fixes both the RNG stream and the initializer order (DEIT_BASE output is pinned byte-for-byte).
  ci('shape_tokens', [1, D, N]); ci('shape_qkv', [1, T, 3, H, HD]); ci('shape_merge', [1, T, D]); ci('axes0', [0]);
  c('scale', [], [1 / Math.sqrt(HD)]); c('sqrt2', [], [Math.SQRT2]); c('one', [], [1]); c('half', [], [0.5]);
  inits.push(makeTensor('cls_index', I64, [], BigInt64Array.of(0n)));
  let x = n('Conv', ['pixel_values', w('patch.w', [D, 3, P, P]), c('patch.b', [D], new Float32Array(D))], ['patch'], { kernel_shape: [P, P], strides: [P, P] });
  x = n('Reshape', [x, 'shape_tokens'], ['tokens_cf']);
  x = n('Transpose', [x], ['tokens'], { perm: [0, 2, 1] });
  x = n('Concat', [w('cls_token', [1, 1, D]), x], ['with_cls'], { axis: 1 });
  x = n('Add', [x, w('pos_embed', [1, T, D])], ['embedded']);
  for (let b = 0; b < spec.blocks; b++) {
    const p = `blocks.${b}`;
    const h = g.ln(`${p}.ln1`, x, D);
    const ctx = attentionCore(g, p, h, D, 'shape_qkv', 'shape_merge');
    x = n('Add', [x, g.linear(`${p}.attn.proj`, ctx, D, D)], [`${p}.res1`]);
    x = mlpResidual(g, p, x, D, MLP);
  }
  x = g.ln('norm', x, D);
  x = n('Gather', [x, 'cls_index'], ['cls'], { axis: 1 });
  g.linear('head', x, D, CLASSES);
  g.nodes.at(-1)!.output[0] = 'logits';
  return makeModel({ nodes: g.nodes, inputs: [valueInfo('pixel_values', F, [1, 3, spec.image, spec.image])], outputs: [valueInfo('logits', F, [1, CLASSES])], initializers: inits, opset: 17 } as never);
}

/**
 * SAM ViT image encoder: patch conv, channel-last [1, G, G, D] tokens + absolute pos embed, pre-LN blocks (windowed
 * attention with zero padding to a multiple of the window, or global attention over all G*G tokens), then the neck
 * (1x1 conv, LayerNorm2d, 3x3 conv, LayerNorm2d) to [1, neck, G, G].
 */
function buildSam(spec: VitSpec): ModelProto {
  const D = spec.width, H = spec.heads, HD = D / H, MLP = spec.mlp, P = spec.patch, WIN = spec.window, NECK = spec.neck;
  const G = spec.image / P;
  const NW = Math.ceil(G / WIN), GP = NW * WIN, PAD = GP - G;
  const isGlobal = (b: number): boolean => spec.globalBlocks.includes(b);
  const blocks = Array.from({ length: spec.blocks }, (_, b) => b);
  const g = graphBuilder(spec.seed);
  const { w, c, ci, n } = g;
  ci('axes0', [0]);
  c('scale', [], [1 / Math.sqrt(HD)]); c('sqrt2', [], [Math.SQRT2]); c('one', [], [1]); c('half', [], [0.5]);
  if (blocks.some((b) => !isGlobal(b))) {
    if (PAD > 0) {
      ci('win.pads', [0, 0, 0, 0, 0, PAD, PAD, 0]); // [1, G, G, D] -> [1, GP, GP, D], zeros at the bottom/right like SAM
      ci('win.crop_starts', [0, 0]); ci('win.crop_ends', [G, G]); ci('win.crop_axes', [1, 2]);
    }
    ci('win.shape_grid6', [1, NW, WIN, NW, WIN, D]);
    ci('win.shape_windows', [NW * NW, WIN * WIN, D]);
    ci('win.shape_qkv', [NW * NW, WIN * WIN, 3, H, HD]);
    ci('win.shape_windows6', [1, NW, NW, WIN, WIN, D]);
    ci('win.shape_padded', [1, GP, GP, D]);
  }
  if (blocks.some(isGlobal)) { ci('global.shape_qkv', [1, G * G, 3, H, HD]); ci('global.shape_grid', [1, G, G, D]); }

  let x = n('Conv', ['pixel_values', w('patch.w', [D, 3, P, P]), c('patch.b', [D], new Float32Array(D))], ['patch'], { kernel_shape: [P, P], strides: [P, P] });
  x = n('Transpose', [x], ['tokens'], { perm: [0, 2, 3, 1] });
  x = n('Add', [x, w('pos_embed', [1, G, G, D])], ['embedded']);
  for (const b of blocks) {
    const p = `blocks.${b}`;
    const h = g.ln(`${p}.ln1`, x, D);
    let a: string;
    if (isGlobal(b)) {
      const ctx = attentionCore(g, p, h, D, 'global.shape_qkv', 'global.shape_grid');
      a = g.linear(`${p}.attn.proj`, ctx, D, D);
    } else {
      let t = PAD > 0 ? n('Pad', [h, 'win.pads'], [`${p}.win.pad`]) : h;
      t = n('Reshape', [t, 'win.shape_grid6'], [`${p}.win.grid6`]);
      t = n('Transpose', [t], [`${p}.win.part`], { perm: [0, 1, 3, 2, 4, 5] });
      t = n('Reshape', [t, 'win.shape_windows'], [`${p}.win.windows`]);
      const ctx = attentionCore(g, p, t, D, 'win.shape_qkv', 'win.shape_windows');
      t = g.linear(`${p}.attn.proj`, ctx, D, D);
      t = n('Reshape', [t, 'win.shape_windows6'], [`${p}.win.windows6`]);
      t = n('Transpose', [t], [`${p}.win.unpart`], { perm: [0, 1, 3, 2, 4, 5] });
      t = n('Reshape', [t, 'win.shape_padded'], [`${p}.win.padded`]);
      a = PAD > 0 ? n('Slice', [t, 'win.crop_starts', 'win.crop_ends', 'win.crop_axes'], [`${p}.win.crop`]) : t;
    }
    x = n('Add', [x, a], [`${p}.res1`]);
    x = mlpResidual(g, p, x, D, MLP);
  }
  const layerNorm2d = (p: string, inp: string): string => {
    const t = n('Transpose', [inp], [`${p}.nhwc`], { perm: [0, 2, 3, 1] });
    return n('Transpose', [g.ln(p, t, NECK)], [`${p}.nchw`], { perm: [0, 3, 1, 2] });
  };
  x = n('Transpose', [x], ['neck.in'], { perm: [0, 3, 1, 2] });
  x = n('Conv', [x, w('neck.0.w', [NECK, D, 1, 1])], ['neck.0.out'], { kernel_shape: [1, 1] });
  x = layerNorm2d('neck.1', x);
  x = n('Conv', [x, w('neck.2.w', [NECK, NECK, 3, 3])], ['neck.2.out'], { kernel_shape: [3, 3], pads: [1, 1, 1, 1] });
  layerNorm2d('neck.3', x);
  g.nodes.at(-1)!.output[0] = 'image_embeddings';
  return makeModel({
    nodes: g.nodes,
    inputs: [valueInfo('pixel_values', F, [1, 3, spec.image, spec.image])],
    outputs: [valueInfo('image_embeddings', F, [1, NECK, G, G])],
    initializers: g.inits,
    opset: 17,
  } as never);
}

/** Builds the stand-in model for `spec` (all weights inline as raw_data). */
export function buildVit(spec: VitSpec): ModelProto {
  checkVitSpec(spec);
  return spec.arch === 'deit' ? buildDeit(spec) : buildSam(spec);
}

/** Elements of the float initializers of rank >= 1 (weights, biases, embeddings, LN params; not scalar or int64 constants). */
export function countParams(model: ModelProto): number {
  let total = 0;
  for (const t of model.graph!.initializer) {
    if (t.dataType !== F || t.dims.length === 0) continue;
    total += t.dims.reduce((a, d) => a * Number(d), 1);
  }
  return total;
}

/**
 * Writes `model` to `outPath`. With `external`, every initializer of >= 1024 bytes goes to `<basename>.data` beside it
 * (streamed, one write per tensor) and is referenced by location/offset/length with data_location EXTERNAL. The model
 * object is left as it was. Returns the paths written.
 */
export function writeVit(model: ModelProto, outPath: string, opts: { external: boolean }): string[] {
  if (!opts.external) {
    writeFileSync(outPath, encodeModel(model));
    return [outPath];
  }
  const dataPath = `${outPath}.data`;
  const dataName = `${basename(outPath)}.data`;
  const moved: { t: TensorProto; rawData: Uint8Array }[] = [];
  try {
    const fd = openSync(dataPath, 'w');
    try {
      let offset = 0;
      for (const t of model.graph!.initializer) {
        const bytes = t.rawData;
        if (bytes.length < 1024) continue;
        for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
        moved.push({ t, rawData: bytes });
        t.externalData = [['location', dataName], ['offset', String(offset)], ['length', String(bytes.length)]].map(([key, value]) => create(StringStringEntryProtoSchema, { key, value }));
        t.dataLocation = TensorProto_DataLocation.EXTERNAL;
        t.rawData = new Uint8Array(0);
        offset += bytes.length;
      }
    } finally {
      closeSync(fd);
    }
    writeFileSync(outPath, encodeModel(model));
  } finally {
    for (const { t, rawData } of moved) {
      t.rawData = rawData;
      t.externalData = [];
      t.dataLocation = TensorProto_DataLocation.DEFAULT;
    }
  }
  return [outPath, dataPath];
}
