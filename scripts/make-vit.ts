// CLI for the seeded ViT stand-in models of scripts/vit-model.ts (big-model work, #9): parses flags, writes, reports.
// Usage: npx tsx scripts/make-vit.ts OUT.onnx [--arch deit|sam] [--external] [--blocks N] [--width D] [--heads H] [--mlp M] [--image S]
//   deit (default): DeiT-Base shape, 224x224 -> logits [1, 1000]. sam: SAM ViT-B image encoder, 1024x1024 -> [1, 256, 64, 64].
//   --external puts every initializer of >= 1 KiB in OUT.onnx.data. Overrides apply to the arch's preset.
import { statSync } from 'node:fs';
import { buildVit, countParams, DEIT_BASE, SAM_VIT_B, writeVit, type VitSpec } from './vit-model';

const USAGE = 'Usage: npx tsx scripts/make-vit.ts OUT.onnx [--arch deit|sam] [--external] [--blocks N] [--width D] [--heads H] [--mlp M] [--image S]';
const NUMERIC = { '--blocks': 'blocks', '--width': 'width', '--heads': 'heads', '--mlp': 'mlp', '--image': 'image' } as const;

function fail(msg: string): never {
  console.error(`${msg}\n${USAGE}`);
  process.exit(2);
}

function parseArgs(argv: string[]): { out: string; external: boolean; spec: VitSpec } {
  let out: string | undefined;
  let arch = 'deit';
  let external = false;
  const overrides: Partial<Record<(typeof NUMERIC)[keyof typeof NUMERIC], number>> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--external') external = true;
    else if (a === '--arch') arch = argv[++i] ?? fail('--arch needs a value.');
    else if (a in NUMERIC) {
      const raw = argv[++i] ?? fail(`${a} needs a value.`);
      const v = Number(raw);
      if (!Number.isInteger(v) || v < 1) fail(`${a} must be a positive integer (got ${raw}).`);
      overrides[NUMERIC[a as keyof typeof NUMERIC]] = v;
    } else if (a === '-h' || a === '--help') {
      console.log(USAGE);
      process.exit(0);
    } else if (a.startsWith('-')) fail(`Unknown option ${a}.`);
    else if (out === undefined) out = a;
    else fail(`Unexpected argument ${a}.`);
  }
  if (arch !== 'deit' && arch !== 'sam') fail(`--arch must be deit or sam (got ${arch}).`);
  const preset = arch === 'sam' ? SAM_VIT_B : DEIT_BASE;
  const spec: VitSpec = { ...preset, globalBlocks: [...preset.globalBlocks], ...overrides };
  if (spec.width % spec.heads !== 0) fail(`--width ${spec.width} must divide by --heads ${spec.heads}.`);
  if (spec.image % spec.patch !== 0) fail(`--image ${spec.image} must be a multiple of the patch size ${spec.patch}.`);
  return { out: out ?? (arch === 'sam' ? 'sam-vit-b-standin.onnx' : 'deit-base-standin.onnx'), external, spec };
}

const { out, external, spec } = parseArgs(process.argv.slice(2));
const model = buildVit(spec);
const params = countParams(model);
const files = writeVit(model, out, { external });
for (const f of files) {
  const bytes = statSync(f).size;
  console.log(`${f} written (${(bytes / 1e6).toFixed(bytes < 1e7 ? 3 : 1)} MB)`);
}
const windowed = spec.arch === 'sam' ? `, window ${spec.window}, global blocks [${spec.globalBlocks.filter((b) => b < spec.blocks).join(', ')}]` : '';
console.log(`${spec.arch}: ${spec.blocks} blocks, width ${spec.width}, ${spec.heads} heads, MLP ${spec.mlp}, image ${spec.image}${windowed}; ${(params / 1e6).toFixed(2)}M parameters (${params})`);
