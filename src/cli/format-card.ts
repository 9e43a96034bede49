// Plain-text rendering of a model card for the terminal.
import type { ModelCard, TensorIO } from '../onnx/summary';

function shape(io: TensorIO): string {
  return io.shape === null ? '(shape not declared)' : `[${io.shape.map((d) => (d === null ? '?' : String(d))).join(', ')}]`;
}

function mb(bytes: number): string {
  return bytes >= 1e6 ? `${(bytes / 1e6).toFixed(2)} MB` : `${(bytes / 1e3).toFixed(1)} KB`;
}

export function formatCard(card: ModelCard): string {
  const lines: string[] = [];
  lines.push(`${card.fileName}  ${mb(card.fileSizeBytes)} (${card.fileSizeBytes} bytes)`);
  lines.push(`  producer   ${card.producerName || '(unknown)'} ${card.producerVersion}`.trimEnd());
  lines.push(`  IR ${card.irVersion}, opsets ${card.opsets.map((o) => `${o.domain} v${o.version}`).join(', ')}`);
  lines.push(`  nodes      ${card.nodeCount}${card.totalNodeCount !== card.nodeCount ? ` (${card.totalNodeCount} incl. subgraphs)` : ''}`);
  lines.push(`  params     ${card.params.toLocaleString('en-US')}   weights ${mb(card.weightBytes)} (${card.weightPrecision})`);
  for (const io of card.inputs) lines.push(`  input      ${io.name}: ${io.dtype} ${shape(io)}`);
  for (const io of card.outputs) lines.push(`  output     ${io.name}: ${io.dtype} ${shape(io)}`);
  const ops = Object.entries(card.opTypes).sort((a, b) => b[1] - a[1]);
  lines.push(`  operators  ${ops.map(([op, n]) => `${op} ${n}`).join(', ')}`);
  lines.push(`  bytes      ${card.bytesByDtype.map((d) => `${d.dtype} ${mb(d.bytes)}`).join(', ')}`);
  for (const e of card.externalData) lines.push(`  external   ${e.location} (${mb(e.bytes)})`);
  lines.push(`  quantizable ${card.quantizable.count} nodes (${Object.entries(card.quantizable.byOpType).map(([op, n]) => `${op} ${n}`).join(', ') || 'none'})`);
  lines.push(`  ${card.quantization.message}`);
  for (const b of card.blockers) lines.push(`  ! ${b.message}`);
  return `${lines.join('\n')}\n`;
}
