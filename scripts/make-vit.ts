// DeiT-Base-shaped stand-in for big-model work (#9): patch 16, 12 blocks, 768 wide, MLP 3072, 224x224, seeded random
// weights (for speed and memory, not accuracy); one file, or --external: weights in OUT.data.
// Usage: npx tsx scripts/make-vit.ts OUT.onnx [--external]
import { create } from '@bufbuild/protobuf';
import { closeSync, openSync, writeFileSync, writeSync } from 'node:fs';
import { basename } from 'node:path';
import { makeModel, node, valueInfo } from '../src/onnx/build';
import { DataType } from '../src/onnx/dtypes';
import { encodeModel } from '../src/onnx/model-io';
import { StringStringEntryProtoSchema, TensorProto_DataLocation, type TensorProto } from '../src/onnx/proto/onnx_pb';
import { makeTensor } from '../src/onnx/tensor-data';

const F = DataType.FLOAT as number;
const I64 = DataType.INT64 as number;
const out = process.argv[2] ?? 'deit-base-standin.onnx';
const external = process.argv.includes('--external');
const D = 768, H = 12, HD = 64, MLP = 3072, T = 197, BLOCKS = 12, CLASSES = 1000;

let seed = 1;
function rand(): number { seed = (seed * 1664525 + 1013904223) >>> 0; return seed / 2 ** 32; }
function normal(n: number, std: number): Float32Array {
  const a = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const u = Math.max(rand(), 1e-12), v = rand();
    const r = Math.sqrt(-2 * Math.log(u)) * std;
    a[i] = r * Math.cos(2 * Math.PI * v);
    if (i + 1 < n) a[i + 1] = r * Math.sin(2 * Math.PI * v);
  }
  return a;
}
const inits: TensorProto[] = [];
const w = (name: string, dims: number[], std = 0.02): string => { inits.push(makeTensor(name, F, dims, normal(dims.reduce((a, b) => a * b, 1), std))); return name; };
const c = (name: string, dims: number[], v: number[] | Float32Array): string => { inits.push(makeTensor(name, F, dims, Float32Array.from(v))); return name; };
const ci = (name: string, v: number[]): string => { inits.push(makeTensor(name, I64, [v.length], BigInt64Array.from(v.map(BigInt)))); return name; };
const nodes = [] as ReturnType<typeof node>[];
const n = (op: string, ins: string[], outs: string[], attrs: Record<string, unknown> = {}, name = outs[0]!): string => { nodes.push(node(op, ins, outs, attrs as never, name)); return outs[0]!; };

ci('shape_tokens', [1, D, 196]); ci('shape_qkv', [1, T, 3, H, HD]); ci('shape_merge', [1, T, D]); ci('axes0', [0]);
c('scale', [], [1 / Math.sqrt(HD)]); c('sqrt2', [], [Math.SQRT2]); c('one', [], [1]); c('half', [], [0.5]);
inits.push(makeTensor('cls_index', I64, [], BigInt64Array.of(0n)));
let x = n('Conv', ['pixel_values', w('patch.w', [D, 3, 16, 16]), c('patch.b', [D], new Float32Array(D))], ['patch'], { kernel_shape: [16, 16], strides: [16, 16] });
x = n('Reshape', [x, 'shape_tokens'], ['tokens_cf']);
x = n('Transpose', [x], ['tokens'], { perm: [0, 2, 1] });
x = n('Concat', [w('cls_token', [1, 1, D]), x], ['with_cls'], { axis: 1 });
x = n('Add', [x, w('pos_embed', [1, T, D])], ['embedded']);
const ln = (p: string, inp: string): string => n('LayerNormalization', [inp, c(`${p}.g`, [D], new Float32Array(D).fill(1)), c(`${p}.b`, [D], new Float32Array(D))], [`${p}.out`], { axis: -1, epsilon: { f: 1e-6 } });
const linear = (p: string, inp: string, k: number, m: number): string => n('Add', [n('MatMul', [inp, w(`${p}.w`, [k, m])], [`${p}.mm`]), c(`${p}.b`, [m], new Float32Array(m))], [`${p}.out`]);
for (let b = 0; b < BLOCKS; b++) {
  const p = `blocks.${b}`;
  const h = ln(`${p}.ln1`, x);
  let qkv = linear(`${p}.attn.qkv`, h, D, 3 * D);
  qkv = n('Reshape', [qkv, 'shape_qkv'], [`${p}.qkv5`]);
  qkv = n('Transpose', [qkv], [`${p}.qkvT`], { perm: [2, 0, 3, 1, 4] });
  nodes.push(node('Split', [qkv], [`${p}.q5`, `${p}.k5`, `${p}.v5`], { axis: 0 }, `${p}.split`));
  const q = n('Squeeze', [`${p}.q5`, 'axes0'], [`${p}.q`]);
  const k = n('Squeeze', [`${p}.k5`, 'axes0'], [`${p}.k`]);
  const v = n('Squeeze', [`${p}.v5`, 'axes0'], [`${p}.v`]);
  const kt = n('Transpose', [k], [`${p}.kT`], { perm: [0, 1, 3, 2] });
  let att = n('MatMul', [q, kt], [`${p}.scores`]);
  att = n('Mul', [att, 'scale'], [`${p}.scaled`]);
  att = n('Softmax', [att], [`${p}.probs`], { axis: -1 });
  let ctx = n('MatMul', [att, v], [`${p}.ctx`]);
  ctx = n('Transpose', [ctx], [`${p}.ctxT`], { perm: [0, 2, 1, 3] });
  ctx = n('Reshape', [ctx, 'shape_merge'], [`${p}.merged`]);
  x = n('Add', [x, linear(`${p}.attn.proj`, ctx, D, D)], [`${p}.res1`]);
  const h2 = ln(`${p}.ln2`, x);
  const f1 = linear(`${p}.mlp.fc1`, h2, D, MLP);
  const erf = n('Erf', [n('Div', [f1, 'sqrt2'], [`${p}.gelu.div`])], [`${p}.gelu.erf`]);
  const gelu = n('Mul', [n('Mul', [f1, n('Add', [erf, 'one'], [`${p}.gelu.add`])], [`${p}.gelu.mul`]), 'half'], [`${p}.gelu`]);
  x = n('Add', [x, linear(`${p}.mlp.fc2`, gelu, MLP, D)], [`${p}.res2`]);
}
x = ln('norm', x);
x = n('Gather', [x, 'cls_index'], ['cls'], { axis: 1 });
linear('head', x, D, CLASSES);
nodes.at(-1)!.output[0] = 'logits';
const model = makeModel({ nodes, inputs: [valueInfo('pixel_values', F, [1, 3, 224, 224])], outputs: [valueInfo('logits', F, [1, CLASSES])], initializers: inits, opset: 17 } as never);
if (external) {
  const dataName = `${basename(out)}.data`;
  const fd = openSync(`${out}.data`, 'w');
  let offset = 0;
  for (const t of model.graph!.initializer) {
    if (t.rawData.length < 1024) continue;
    writeSync(fd, t.rawData);
    t.externalData = [['location', dataName], ['offset', String(offset)], ['length', String(t.rawData.length)]].map(([key, value]) => create(StringStringEntryProtoSchema, { key, value }));
    t.dataLocation = TensorProto_DataLocation.EXTERNAL;
    offset += t.rawData.length;
    t.rawData = new Uint8Array(0);
  }
  closeSync(fd);
}
writeFileSync(out, encodeModel(model));
console.log(out, 'written');
