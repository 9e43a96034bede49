// Reads the facts e2e checks from ../shared/data/MANIFEST.md itself (IR, opset, params, I/O, op counts),
// so the browser test compares the card with the data's own documentation, not with numbers copied here.
import { readFileSync } from 'node:fs';

export interface ModelFacts {
  file: string;
  irVersion?: number;
  opset?: number;
  params?: number;
  nodeCount?: number;
  input?: { name: string; dtype: string | undefined; shape: (number | string)[] };
  output?: { name: string; dtype: string | undefined; shape: (number | string)[] };
  /** "Op N" or "(N Op)" pairs found in the section; checked only for ops the card lists. */
  opCounts: Record<string, number>;
}

function parseShape(text: string): (number | string)[] {
  return text.split(',').map((s) => {
    const t = s.trim().replace(/['"]/g, '');
    return /^\d+$/.test(t) ? Number(t) : t;
  });
}

function parseIo(section: string, which: 'input' | 'output'): ModelFacts['input'] {
  const m = new RegExp(`${which} \`([^\`]+)\`(?: (float32|float16))?[^\\[\\n]*\\[([^\\]]+)\\]`, 'i').exec(section);
  return m === null ? undefined : { name: m[1]!, dtype: m[2], shape: parseShape(m[3]!) };
}

export function readManifestFacts(manifestPath: string): Record<string, ModelFacts> {
  const text = readFileSync(manifestPath, 'utf8');
  const facts: Record<string, ModelFacts> = {};
  const parts = text.split(/^### models\//m).slice(1);
  for (const part of parts) {
    const file = part.slice(0, part.indexOf(' ')).trim();
    const section = part.split(/^## /m)[0]!;
    const num = (re: RegExp): number | undefined => {
      const m = re.exec(section);
      return m === null ? undefined : Number(m[1]!.replace(/,/g, ''));
    };
    const opCounts: Record<string, number> = {};
    for (const m of section.matchAll(/\b([A-Z][A-Za-z]+) (\d+)\b/g)) opCounts[m[1]!] = Number(m[2]);
    for (const m of section.matchAll(/\((\d+) ([A-Z][A-Za-z]+)\)/g)) opCounts[m[2]!] = Number(m[1]);
    facts[file] = {
      file,
      irVersion: num(/IR (\d+), opset/),
      opset: num(/IR \d+, opset (\d+)/),
      params: num(/([\d,]+) params/),
      nodeCount: num(/params, (\d+) nodes/),
      input: parseIo(section, 'input'),
      output: parseIo(section, 'output'),
      opCounts,
    };
  }
  // The DERIVED FP32 SqueezeNet says "same nodes and names" as the FP16 file: inherit what it does not restate.
  const up = facts['squeezenet1.1-7-fp32-upcast.onnx'];
  const base = facts['squeezenet1.1-7-winml-fp16.onnx'];
  if (up !== undefined && base !== undefined) {
    facts[up.file] = { ...base, ...Object.fromEntries(Object.entries(up).filter(([, v]) => v !== undefined)), opCounts: base.opCounts } as ModelFacts;
  }
  return facts;
}
