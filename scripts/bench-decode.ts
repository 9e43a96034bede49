// Decode/encode benchmark of a large synthetic model: timings (median of N), zero-copy check, memory deltas,
// model card time. Run: node --expose-gc --import tsx scripts/bench-decode.ts [sizeMB]  (or npx tsx …)
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { decodeModel, encodeModel } from '../src/onnx/model-io';
import type { ModelProto } from '../src/onnx/proto/onnx_pb';
import { summarizeModel } from '../src/onnx/summary';
import { readTensor } from '../src/onnx/tensor-data';
import { bigModel } from '../test/fixtures';

const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** Where the direct run writes its JSON. */
export const DECODE_RESULTS = resolve(repoRoot, 'bench-results/decode.json');

export interface Timing {
  medianMs: number;
  runsMs: number[];
}

export interface DecodeBenchResult {
  sizeMB: number;
  fileBytes: number;
  layers: number;
  dim: number;
  initializers: number;
  generateMs: number;
  decode: Timing;
  encode: Timing;
  card: Timing;
  /** Every initializer's raw_data is a view of the input buffer (nothing copied by decoding). */
  zeroCopy: boolean;
  /** readTensor results that are views of the input buffer (aligned raw_data) vs. copies (misaligned). */
  readTensorViews: number;
  readTensorCopies: number;
  /** Re-encoding gives the input bytes back exactly. */
  roundTripIdentical: boolean;
  memory: {
    /** Growth of process.memoryUsage() across one decode, model still alive (median over runs), MB. */
    arrayBuffersDeltaMB: number;
    rssDeltaMB: number;
    heapUsedDeltaMB: number;
    /** Process peak RSS so far (includes generating and encoding the model), MB. */
    peakRssMB: number;
    /** RSS after generating the model, before the first decode, MB. */
    rssBeforeDecodeMB: number;
  };
  gcExposed: boolean;
  node: string;
}

function getGc(): { gc: () => void; exposed: boolean } {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return { gc: g, exposed: true };
  try {
    setFlagsFromString('--expose-gc');
    return { gc: runInNewContext('gc') as () => void, exposed: true };
  } catch {
    return { gc: () => undefined, exposed: false };
  }
}

const MB = 1024 * 1024;
const round = (x: number, digits = 1): number => Number(x.toFixed(digits));

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

function timing(runsMs: number[]): Timing {
  return { medianMs: round(median(runsMs), 2), runsMs: runsMs.map((x) => round(x, 2)) };
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(Buffer.from(a.buffer, a.byteOffset, a.byteLength), Buffer.from(b.buffer, b.byteOffset, b.byteLength)) === 0;
}

/** Generates a `sizeMB` (10^6 bytes) MatMul-chain model and measures decode, encode and model card. */
export function benchDecode({ sizeMB = 120, runs = 5 }: { sizeMB?: number; runs?: number } = {}): DecodeBenchResult {
  const { gc, exposed } = getGc();
  let t = performance.now();
  const big = bigModel(sizeMB * 1e6);
  const generateMs = performance.now() - t;
  const bytes = big.bytes;
  big.model = undefined as unknown as ModelProto; // keep only the bytes alive
  gc();
  const rssBeforeDecode = process.memoryUsage().rss;

  const decodeRuns: number[] = [];
  const abDeltas: number[] = [];
  const rssDeltas: number[] = [];
  const heapDeltas: number[] = [];
  let model: ModelProto | undefined;
  for (let i = 0; i < runs; i++) {
    gc();
    const before = process.memoryUsage();
    t = performance.now();
    model = decodeModel(bytes, 'big.onnx');
    decodeRuns.push(performance.now() - t);
    const after = process.memoryUsage();
    abDeltas.push((after.arrayBuffers - before.arrayBuffers) / MB);
    rssDeltas.push((after.rss - before.rss) / MB);
    heapDeltas.push((after.heapUsed - before.heapUsed) / MB);
  }
  const m = model!;
  const inits = m.graph!.initializer;
  const zeroCopy = inits.length > 0 && inits.every((x) => x.rawData.byteLength > 0 && x.rawData.buffer === bytes.buffer);
  let views = 0;
  let copies = 0;
  for (const x of inits) {
    if (readTensor(x).buffer === bytes.buffer) views++;
    else copies++;
  }

  const encodeRuns: number[] = [];
  let identical = true;
  for (let i = 0; i < runs; i++) {
    gc();
    t = performance.now();
    const out = encodeModel(m);
    encodeRuns.push(performance.now() - t);
    identical &&= sameBytes(out, bytes);
  }

  const cardRuns: number[] = [];
  for (let i = 0; i < runs; i++) {
    t = performance.now();
    summarizeModel(m, 'big.onnx', bytes.length);
    cardRuns.push(performance.now() - t);
  }

  return {
    sizeMB,
    fileBytes: bytes.length,
    layers: big.layers,
    dim: big.dim,
    initializers: inits.length,
    generateMs: round(generateMs),
    decode: timing(decodeRuns),
    encode: timing(encodeRuns),
    card: timing(cardRuns),
    zeroCopy,
    readTensorViews: views,
    readTensorCopies: copies,
    roundTripIdentical: identical,
    memory: {
      arrayBuffersDeltaMB: round(median(abDeltas), 2),
      rssDeltaMB: round(median(rssDeltas), 2),
      heapUsedDeltaMB: round(median(heapDeltas), 2),
      peakRssMB: round(process.resourceUsage().maxRSS / 1024),
      rssBeforeDecodeMB: round(rssBeforeDecode / MB),
    },
    gcExposed: exposed,
    node: process.version,
  };
}

if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  const sizeMB = Number(process.argv[2] ?? '120');
  const result = benchDecode({ sizeMB });
  const json = JSON.stringify(result, null, 2);
  mkdirSync(dirname(DECODE_RESULTS), { recursive: true });
  writeFileSync(DECODE_RESULTS, `${json}\n`);
  console.log(json);
  if (!result.zeroCopy || !result.roundTripIdentical) {
    console.error('bench-decode: zero-copy or round-trip check FAILED');
    process.exitCode = 1;
  }
}
