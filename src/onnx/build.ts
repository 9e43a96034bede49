// Small builders for ModelProto pieces (value infos, nodes, attributes, models) used by generators and tests.
import { create } from '@bufbuild/protobuf';
import {
  AttributeProto_AttributeType as AT,
  AttributeProtoSchema,
  GraphProtoSchema,
  ModelProtoSchema,
  NodeProtoSchema,
  OperatorSetIdProtoSchema,
  StringStringEntryProtoSchema,
  TensorShapeProto_DimensionSchema,
  TensorShapeProtoSchema,
  TypeProto_TensorSchema,
  TypeProtoSchema,
  ValueInfoProtoSchema,
  type AttributeProto,
  type ModelProto,
  type NodeProto,
  type TensorProto,
  type ValueInfoProto,
} from './proto/onnx_pb';

/** A graph input/output declaration: dims are numbers, or strings for symbolic dims ("batch"). */
export function valueInfo(name: string, elemType: number, dims: readonly (number | string)[]): ValueInfoProto {
  const dim = dims.map((d) =>
    create(TensorShapeProto_DimensionSchema, { value: typeof d === 'number' ? { case: 'dimValue', value: BigInt(d) } : { case: 'dimParam', value: d } }),
  );
  const tensorType = create(TypeProto_TensorSchema, { elemType, shape: create(TensorShapeProtoSchema, { dim }) });
  return create(ValueInfoProtoSchema, { name, type: create(TypeProtoSchema, { value: { case: 'tensorType', value: tensorType } }) });
}

/** An attribute from a plain value: int (number|bigint), float (use {f}), string, int list, float list, tensor. */
export type AttrValue = number | bigint | string | readonly number[] | { f: number } | { floats: readonly number[] } | { t: TensorProto };

export function attribute(name: string, value: AttrValue): AttributeProto {
  if (typeof value === 'number' || typeof value === 'bigint') return create(AttributeProtoSchema, { name, type: AT.INT, i: BigInt(value) });
  if (typeof value === 'string') return create(AttributeProtoSchema, { name, type: AT.STRING, s: new TextEncoder().encode(value) });
  if (Array.isArray(value)) return create(AttributeProtoSchema, { name, type: AT.INTS, ints: (value as number[]).map((v) => BigInt(v)) });
  if ('f' in value) return create(AttributeProtoSchema, { name, type: AT.FLOAT, f: value.f });
  if ('floats' in value) return create(AttributeProtoSchema, { name, type: AT.FLOATS, floats: [...value.floats] });
  return create(AttributeProtoSchema, { name, type: AT.TENSOR, t: (value as { t: TensorProto }).t });
}

/** A node; `attrs` values follow `attribute`. */
export function node(opType: string, inputs: readonly string[], outputs: readonly string[], attrs: Record<string, AttrValue> = {}, name = '', domain = ''): NodeProto {
  return create(NodeProtoSchema, {
    opType,
    input: [...inputs],
    output: [...outputs],
    name,
    domain,
    attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
  });
}

export interface ModelSpec {
  nodes: NodeProto[];
  inputs: ValueInfoProto[];
  outputs: ValueInfoProto[];
  initializers?: TensorProto[];
  /** Default-domain opset (default 13); extra domains go in `opsets`. */
  opset?: number;
  opsets?: Record<string, number>;
  irVersion?: number;
  producerName?: string;
  graphName?: string;
  docString?: string;
  metadata?: Record<string, string>;
}

/** Assembles a ModelProto (IR 8 by default, which onnx 1.12's checker accepts). */
export function makeModel(spec: ModelSpec): ModelProto {
  const opsets = [create(OperatorSetIdProtoSchema, { domain: '', version: BigInt(spec.opset ?? 13) })];
  for (const [domain, version] of Object.entries(spec.opsets ?? {})) opsets.push(create(OperatorSetIdProtoSchema, { domain, version: BigInt(version) }));
  return create(ModelProtoSchema, {
    irVersion: BigInt(spec.irVersion ?? 8),
    producerName: spec.producerName ?? 'quantbench',
    docString: spec.docString ?? '',
    opsetImport: opsets,
    metadataProps: Object.entries(spec.metadata ?? {}).map(([key, value]) => create(StringStringEntryProtoSchema, { key, value })),
    graph: create(GraphProtoSchema, {
      name: spec.graphName ?? 'main',
      node: spec.nodes,
      input: spec.inputs,
      output: spec.outputs,
      initializer: spec.initializers ?? [],
    }),
  });
}
