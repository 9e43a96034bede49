// Models that share weight bytes instead of copying them: clones for rewriting, external weights as views, and the
// (graph, weights) form a runtime session loads without a second copy of the weights.
import { clone, create } from '@bufbuild/protobuf';
import { forEachWeight } from './graph';
import { encodeModel } from './model-io';
import { ModelProtoSchema, StringStringEntryProtoSchema, TensorProto_DataLocation, type ModelProto, type TensorProto } from './proto/onnx_pb';
import { isExternal, rawBytes, type ExternalDataResolver } from './tensor-data';

const EMPTY = new Uint8Array(0);

function weightsOf(model: ModelProto): TensorProto[] {
  const out: TensorProto[] = [];
  if (model.graph !== undefined) forEachWeight(model.graph, (t) => out.push(t));
  return out;
}

/**
 * A deep copy of `model` whose weights' raw_data are the same bytes as the original's (views, not copies).
 * protobuf-es' clone copies every bytes field: a 346 MB model would be held twice by each rewriting step. Every
 * rewrite in Quantbench replaces a weight's raw_data with a new array (writeTensor) and never writes into it, so
 * sharing is safe; do not mutate raw_data bytes in place on either model.
 */
export function cloneModel(model: ModelProto): ModelProto {
  // Only tensors holding raw_data are touched: ONNX is proto2, so assigning even an empty raw_data would mark the
  // field present and the copy would say "my data is these 0 bytes" instead of using float_data.
  const tensors = weightsOf(model).filter((t) => t.rawData.byteLength > 0);
  const raws = tensors.map((t) => t.rawData);
  for (const t of tensors) t.rawData = EMPTY;
  let out: ModelProto;
  try {
    out = clone(ModelProtoSchema, model);
  } finally {
    tensors.forEach((t, i) => (t.rawData = raws[i]!));
  }
  // forEachWeight walks the copy in the same order as the original: the k-th tensor with raw_data gets its bytes back.
  const copies = weightsOf(out);
  let k = 0;
  weightsOf(model).forEach((t, i) => {
    if (t.rawData.byteLength > 0) copies[i]!.rawData = raws[k++]!;
  });
  return out;
}

/**
 * Turns every external-data weight of `model` into an ordinary raw_data weight whose bytes are a view of its
 * external file (no copy): the model can then be rewritten and encoded as one self-contained file.
 * @throws QbError('missing-external-data' | 'bad-external-data') when a file is missing or too short.
 */
export function externalAsViews(model: ModelProto, external: ExternalDataResolver | undefined): void {
  for (const t of weightsOf(model)) {
    if (!isExternal(t)) continue;
    const bytes = rawBytes(t, external)!;
    t.externalData = [];
    // Unset rather than DEFAULT: proto2 would otherwise write the field out.
    delete (t as Partial<TensorProto>).dataLocation;
    t.rawData = bytes;
  }
}

/** A model as a runtime loads it without copying its weights first: the graph alone plus one buffer per weight. */
export interface SessionParts {
  /** The encoded model with every large initializer pointing at an external "file" below. */
  graph: Uint8Array;
  /** The initializers' bytes (views of the model's own buffers), by the location the graph gives them. */
  externalData: { path: string; data: Uint8Array }[];
}

/** Initializers smaller than this stay inside the graph: mounting them costs more than it saves. */
const MIN_MOUNT_BYTES = 1024;

/**
 * Splits `model` into a small graph and its weights as separate buffers (views, no copy) for
 * onnxruntime's `externalData` option. Loading a 346 MB model from one buffer makes the runtime hold the file,
 * its parsed copy and the tensors at once; from parts it copies each weight once, straight into its tensor.
 * External-data weights are read through `external` (as views of their files). `model` is left as it was.
 * @throws QbError('missing-external-data' | 'bad-external-data') when an external file is missing or too short.
 */
export function sessionParts(model: ModelProto, external?: ExternalDataResolver): SessionParts {
  const inits = model.graph?.initializer ?? [];
  const own = (t: TensorProto, key: keyof TensorProto): boolean => Object.prototype.hasOwnProperty.call(t, key);
  const saved: { t: TensorProto; rawData: Uint8Array; hadRaw: boolean; externalData: TensorProto['externalData']; dataLocation: number; hadLocation: boolean }[] = [];
  const externalData: SessionParts['externalData'] = [];
  try {
    inits.forEach((t, i) => {
      const bytes = rawBytes(t, external);
      if (bytes === undefined || (bytes.byteLength < MIN_MOUNT_BYTES && !isExternal(t))) return;
      saved.push({ t, rawData: t.rawData, hadRaw: own(t, 'rawData'), externalData: t.externalData, dataLocation: t.dataLocation, hadLocation: own(t, 'dataLocation') });
      const path = `qb-weight-${i}`;
      externalData.push({ path, data: bytes });
      t.rawData = EMPTY;
      t.dataLocation = TensorProto_DataLocation.EXTERNAL;
      t.externalData = [
        ['location', path],
        ['offset', '0'],
        ['length', String(bytes.byteLength)],
      ].map(([key, value]) => create(StringStringEntryProtoSchema, { key: key!, value: value! }));
    });
    return { graph: encodeModel(model), externalData };
  } finally {
    // Restored field by field, presence included (proto2): the model encodes exactly as before.
    for (const s of saved) {
      if (s.hadRaw) s.t.rawData = s.rawData;
      else delete (s.t as Partial<TensorProto>).rawData;
      s.t.externalData = s.externalData;
      if (s.hadLocation) s.t.dataLocation = s.dataLocation;
      else delete (s.t as Partial<TensorProto>).dataLocation;
    }
  }
}

/** External-data files by the names a model uses for them, as onnxruntime's `externalData` option takes them. */
export type ExternalFiles = { path: string; data: Uint8Array }[];

/** Creates a runtime session from a model's bytes and, for weights kept outside them, their files. */
export type RunnerFactory<R> = (bytes: Uint8Array, externalData?: ExternalFiles) => Promise<R>;

/** Loads a decoded model through sessionParts: the runtime copies each weight once, the caller copies none. */
export function runnerFor<R>(makeRunner: RunnerFactory<R>, model: ModelProto, external?: ExternalDataResolver): Promise<R> {
  const parts = sessionParts(model, external);
  return makeRunner(parts.graph, parts.externalData);
}
