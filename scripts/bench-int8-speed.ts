// Runtime-aware INT8 on the shared models: FP32, FP16, plain INT8 (every layer integer, what other tools make) and
// the INT8 model Quantbench recommends (layers chosen by timing them in Chromium, wasm, 2 threads), checked held-out
// against FP32, then all variants timed side by side, interleaved, in one Chromium session (scripts/bench-speed.ts).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { openBenchBrowser } from '../src/cli/browser';
import { browserSpeedProbe } from '../src/cli/speed-probe';
import type { PresetId } from '../src/data/types';
import { makeFp16Variant } from '../src/pipeline/fp16';
import type { SpeedReport as SearchReport } from '../src/pipeline/int8-speed';
import { loadOrt } from '../src/runtime/ort';
import { readFileSync } from 'node:fs';
import { heldOutInt8, type ImageSet } from '../test/int8-harness';
import { benchSpeed, formatSpeed, type SpeedReport } from './bench-speed';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const shared = resolve(root, '../shared/data');
const outDir = resolve(root, 'bench-results/int8-speed');

interface Case {
  name: string;
  model: string;
  preprocess: PresetId | undefined;
  calib: ImageSet;
  evalSet: ImageSet;
  /** Validation images for the collapse guard (default: the first 8 of evalSet). */
  validation?: ImageSet;
}

const coco = join(shared, 'images/coco128');
const CASES: Case[] = [
  { name: 'squeezenet', model: 'squeezenet1.1-7-fp32-upcast.onnx', preprocess: 'caffe-bgr', calib: { folder: join(shared, 'images/imagenet-sample') }, evalSet: { folder: join(shared, 'images/imagenet-val-1300'), labels: [join(shared, 'labels/imagenet-val-1300.txt')] } },
  { name: 'deeplabv3', model: 'deeplabv3-mobilenetv2-257.onnx', preprocess: 'tf-minus1-1', calib: { folder: join(shared, 'images/imagenet-sample'), limit: 150 }, evalSet: { folder: coco, limit: 64 } },
  // Issue #8's split: calibrate on half of coco128, measure on the other half.
  { name: 'yolox-nano', model: 'yolox-nano.onnx', preprocess: 'yolo-letterbox', calib: { folder: coco, keep: (i) => i % 2 === 0 }, evalSet: { folder: coco, keep: (i) => i % 2 === 1 }, validation: { folder: coco, keep: (i) => i % 4 === 1 } },
];

export interface Int8SpeedCase {
  model: string;
  /** Held-out fidelity of the recommended INT8 model against FP32. */
  fidelity: { sqnrDb: number; top1Agreement: number; pixelAgreement: number | null; detectionAgreement: number | null; top1: number | null; images: number };
  /** The collapse guard (default Optimize): layers it kept in float, or null when it found nothing to fix. */
  guard: { floatUnits: string[]; initial: number; final: number; presetSwitch: boolean } | null;
  /** What the search measured while choosing (its own interleaved timings). */
  search: SearchReport;
  searchSeconds: number;
}

export interface Int8SpeedResult {
  cases: Int8SpeedCase[];
  speed: SpeedReport;
}

/** Makes the variants and benchmarks them (see the file header). `only` limits the models by name. */
export async function benchInt8Speed(options: { only?: string[]; subset?: number; threads?: number; log?: (line: string) => void } = {}): Promise<Int8SpeedResult> {
  const log = options.log ?? ((line: string) => void process.stderr.write(`${line}\n`));
  const threads = options.threads ?? 2;
  await loadOrt(1);
  mkdirSync(outDir, { recursive: true });
  const cases: Int8SpeedCase[] = [];
  const speedCases: { model: string; variants: { label: string; file: string }[] }[] = [];
  const browser = await openBenchBrowser({ log });
  const probe = browserSpeedProbe(browser, threads);
  try {
    for (const c of CASES.filter((x) => options.only === undefined || options.only.includes(x.name))) {
      const modelPath = join(shared, 'models', c.model);
      const subset = options.subset ?? 100;
      log(`${c.name}: FP16`);
      const fp16 = await makeFp16Variant(new Uint8Array(readFileSync(modelPath)), {});
      const fp16File = join(outDir, `${c.name}-fp16.onnx`);
      writeFileSync(fp16File, fp16.bytes);
      log(`${c.name}: plain INT8 (every layer)`);
      const plainFile = join(outDir, `${c.name}-int8-plain.onnx`);
      // Plain = what other tools make: every layer INT8, no collapse guard.
      await heldOutInt8(modelPath, c.preprocess, c.calib, { ...c.evalSet, limit: 8 }, { subset, guard: false }, plainFile);
      log(`${c.name}: runtime-aware INT8 (timing layers in Chromium, ${threads} threads)`);
      const awareFile = join(outDir, `${c.name}-int8.onnx`);
      const t0 = performance.now();
      const aware = await heldOutInt8(modelPath, c.preprocess, c.calib, c.evalSet, { subset }, awareFile, probe, c.validation);
      const g = aware.int8.report.accuracy;
      const f = aware.eval.fidelity!;
      const search = aware.int8.report.speed!;
      cases.push({
        model: c.name,
        fidelity: { sqnrDb: f.sqnrDb, top1Agreement: f.top1Agreement, pixelAgreement: f.pixelAgreement ?? null, detectionAgreement: f.detectionAgreement ?? null, top1: aware.eval.top1, images: aware.eval.images },
        guard: g === null || g.stoppedBy === 'already-met' ? null : { floatUnits: g.floatUnits, initial: g.initial.value, final: g.final.value, presetSwitch: g.presetSwitch !== null },
        search,
        searchSeconds: (performance.now() - t0) / 1000,
      });
      log(`${c.name}: chose ${search.chosen} (${search.floatNodes.length} layers float), search measured ${search.speedup.toFixed(2)}x; held-out SQNR ${f.sqnrDb.toFixed(2)} dB`);
      speedCases.push({
        model: c.name,
        variants: [
          { label: 'FP32', file: modelPath },
          { label: 'FP16', file: fp16File },
          { label: 'INT8 plain', file: plainFile },
          { label: 'INT8 runtime-aware', file: awareFile },
        ],
      });
    }
  } finally {
    probe.dispose();
    await browser.close();
  }
  const speed = await benchSpeed(speedCases, { threads, rounds: 3, timeBudgetMs: 2000, log });
  return { cases, speed };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const only = process.argv.slice(2).filter((a) => !a.startsWith('--'));
  const result = await benchInt8Speed({ only: only.length > 0 ? only : undefined });
  writeFileSync(join(outDir, 'result.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(formatSpeed(result.speed));
  for (const c of result.cases) console.log(`${c.model}: held-out SQNR ${c.fidelity.sqnrDb.toFixed(2)} dB, agreement ${(100 * (c.fidelity.detectionAgreement ?? c.fidelity.pixelAgreement ?? c.fidelity.top1Agreement)).toFixed(2)}% on ${c.fidelity.images}${c.guard !== null ? `, guard kept ${c.guard.floatUnits.length} layers float (${c.guard.initial.toFixed(1)}% -> ${c.guard.final.toFixed(1)}% on validation)` : ''}, search ${c.searchSeconds.toFixed(0)} s`);
}
