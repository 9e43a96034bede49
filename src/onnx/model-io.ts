// Bytes <-> ModelProto: decoding with plain-language errors for every way a file can be wrong, and encoding.
import { fromBinary, toBinary } from '@bufbuild/protobuf';
import { QbError } from '../shared/errors';
import { ModelProtoSchema, type ModelProto } from './proto/onnx_pb';
import { looksLikeText, sniffNonOnnx } from './sniff';

/** Protobuf cannot hold more than 2 GiB in one message, so no single .onnx file can be larger. */
export const MAX_MODEL_BYTES = 2 ** 31 - 1;

function formatMB(bytes: number): string {
  return bytes >= 1e9 ? `${(bytes / 1e9).toFixed(1)} GB` : `${(bytes / 1e6).toFixed(1)} MB`;
}

/**
 * Checks a model file's size before anything reads it into memory.
 * @throws QbError('empty-file') for 0 bytes, QbError('too-large') beyond `maxBytes` (default 2 GiB).
 */
export function checkModelSize(fileName: string, sizeBytes: number, maxBytes = MAX_MODEL_BYTES): void {
  if (sizeBytes === 0) throw new QbError('empty-file', `"${fileName}" is empty (0 bytes). Choose the model file again; the copy or download may have failed.`);
  if (sizeBytes > maxBytes) {
    throw new QbError(
      'too-large',
      `"${fileName}" is ${formatMB(sizeBytes)}, more than a browser tab can load as one model (limit ${formatMB(maxBytes)}). ` +
        'Export it with its weights in a separate file (ONNX external data) and drop both files.',
    );
  }
}

/**
 * Decodes an ONNX model. Tensor raw_data fields are views into `bytes` (no weight is copied), so keep
 * `bytes` alive and unmodified while the model is used.
 * @throws QbError with code 'empty-file', 'not-onnx', 'truncated' or 'corrupt' — never anything else.
 */
export function decodeModel(bytes: Uint8Array, fileName = 'The file'): ModelProto {
  checkModelSize(fileName, bytes.byteLength, Infinity);
  const other = sniffNonOnnx(bytes);
  if (other !== undefined) {
    throw new QbError('not-onnx', `"${fileName}" is ${other.kind}, not an ONNX model. ${other.advice}`);
  }
  let model: ModelProto;
  try {
    model = fromBinary(ModelProtoSchema, bytes);
  } catch (err) {
    const text = looksLikeText(bytes);
    if (text !== undefined) throw new QbError('not-onnx', `"${fileName}" is ${text.kind}, not an ONNX model. ${text.advice}`);
    const detail = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    if (detail.includes('premature EOF')) {
      throw new QbError(
        'truncated',
        `"${fileName}" ends too early: the model is cut off (${formatMB(bytes.byteLength)} were read). Download or copy it again.`,
        detail,
      );
    }
    throw new QbError('corrupt', `"${fileName}" is not a readable ONNX model: its bytes are damaged or it is another kind of file.`, detail);
  }
  const graph = model.graph;
  if (graph === undefined || (graph.node.length === 0 && graph.input.length === 0 && graph.output.length === 0)) {
    const text = looksLikeText(bytes);
    if (text !== undefined) throw new QbError('not-onnx', `"${fileName}" is ${text.kind}, not an ONNX model. ${text.advice}`);
    throw new QbError('not-onnx', `"${fileName}" is not an ONNX model: it has no computation graph.`);
  }
  if (model.irVersion <= 0n || model.irVersion > 1000n) {
    throw new QbError('corrupt', `"${fileName}" is not a valid ONNX model: its IR version (${model.irVersion}) is missing or impossible.`);
  }
  if (graph.output.length === 0) {
    throw new QbError('corrupt', `"${fileName}" is not a usable ONNX model: its graph declares no outputs.`);
  }
  return model;
}

/** Encodes a model to bytes (unknown fields from the source file are written back unchanged). */
export function encodeModel(model: ModelProto): Uint8Array {
  return toBinary(ModelProtoSchema, model);
}
