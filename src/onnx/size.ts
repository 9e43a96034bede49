// Size of a model as shipped: file bytes, gzip bytes (what a web server with compression sends) and parameters by
// element type. Pure: CompressionStream is a web standard that browsers, workers and Node 20 all provide.
import { DataType, dtypeName } from './dtypes';
import type { ModelProto } from './proto/onnx_pb';
import { elementCount } from './tensor-data';

/** The shipped size of a model (runtime/bench-types ModelSize has this shape). */
export interface ModelFileSize {
  /** The .onnx file plus its external-data files. */
  bytes: number;
  /** The same files gzipped one by one (as a web server sends them). */
  gzipBytes: number;
  paramsByType: Record<string, number>;
}

/** Bytes handed to the compressor at a time: the input is streamed, never copied whole. */
const GZIP_CHUNK_BYTES = 1 << 20;

/**
 * ONNX's own name of an element type, lower-case: 'float', 'float16', 'double', 'int8', 'uint8', 'int64'… (the
 * TensorProto.DataType enum). Unknown numbers fall back to dtypes.ts's "type#N".
 */
export function onnxTypeName(dataType: number): string {
  const name = (DataType as unknown as Record<number, string | undefined>)[dataType];
  return name !== undefined ? name.toLowerCase() : dtypeName(dataType);
}

/**
 * Parameters (elements of the main graph's initializers, the convention of onnx tools and the model card) by ONNX
 * element type name, e.g. { float: 1235496 } or { int8: 1230000, float: 5496, int32: 1000 }. Constant nodes and
 * subgraph weights are not counted.
 * @throws QbError('bad-tensor') for an initializer with negative dims.
 */
export function paramsByType(model: ModelProto): Record<string, number> {
  const out: Record<string, number> = {};
  for (const t of model.graph?.initializer ?? []) {
    const name = onnxTypeName(t.dataType);
    out[name] = (out[name] ?? 0) + elementCount(t.dims, `weight "${t.name}"`);
  }
  return out;
}

/**
 * Size of `bytes` after gzip (CompressionStream('gzip'), the platform's default level, 6 in zlib), counted while
 * streaming: the compressed output is never held. `checkpoint` runs between 1 MB chunks (cancel, yielding).
 * @throws whatever `checkpoint` throws; QbError never (a compressor failure is a platform bug, rethrown as is).
 */
export async function gzipBytes(bytes: Uint8Array, checkpoint?: () => Promise<void>): Promise<number> {
  const stream = new CompressionStream('gzip');
  const writer = stream.writable.getWriter();
  const reader = stream.readable.getReader();
  // The reader drains concurrently: a compressor whose output is not read stops accepting input (backpressure).
  const counting = (async () => {
    let total = 0;
    for (;;) {
      const chunk = await reader.read();
      if (chunk.done) return total;
      total += chunk.value.byteLength;
    }
  })();
  try {
    for (let offset = 0; offset < bytes.byteLength; offset += GZIP_CHUNK_BYTES) {
      if (checkpoint !== undefined) await checkpoint();
      await writer.ready;
      await writer.write(chunkOf(bytes, offset));
    }
    await writer.close();
  } catch (err) {
    await writer.abort(err).catch(() => undefined);
    await counting.catch(() => undefined);
    throw err;
  }
  return counting;
}

/** One input chunk as a view when the bytes live in a plain ArrayBuffer (a SharedArrayBuffer view is copied). */
function chunkOf(bytes: Uint8Array, offset: number): Uint8Array<ArrayBuffer> {
  const end = Math.min(bytes.byteLength, offset + GZIP_CHUNK_BYTES);
  if (bytes.buffer instanceof ArrayBuffer) return new Uint8Array(bytes.buffer, bytes.byteOffset + offset, end - offset);
  return bytes.slice(offset, end) as Uint8Array<ArrayBuffer>;
}

/**
 * The shipped size of a model: `bytes` is the .onnx file, `model` its decoded form; the files of `external` (its
 * external data, if any) count too, each gzipped on its own as a server sends them.
 */
export async function modelSize(
  bytes: Uint8Array,
  model: ModelProto,
  options: { external?: readonly { data: Uint8Array }[]; checkpoint?: () => Promise<void> } = {},
): Promise<ModelFileSize> {
  let total = bytes.byteLength;
  let gzip = await gzipBytes(bytes, options.checkpoint);
  for (const f of options.external ?? []) {
    total += f.data.byteLength;
    gzip += await gzipBytes(f.data, options.checkpoint);
  }
  return { bytes: total, gzipBytes: gzip, paramsByType: paramsByType(model) };
}
