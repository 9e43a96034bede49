// ONNX element types: names, sizes in bytes and the typed-array class that holds each one.
import { TensorProto_DataType as DT } from './proto/onnx_pb';

export { TensorProto_DataType as DataType } from './proto/onnx_pb';

/** A typed array that can hold an ONNX tensor's elements (float16/bfloat16/float8 as raw bits). */
export type TensorArray =
  | Float32Array
  | Float64Array
  | Int8Array
  | Uint8Array
  | Int16Array
  | Uint16Array
  | Int32Array
  | Uint32Array
  | BigInt64Array
  | BigUint64Array;

type ArrayCtor =
  | Float32ArrayConstructor
  | Float64ArrayConstructor
  | Int8ArrayConstructor
  | Uint8ArrayConstructor
  | Int16ArrayConstructor
  | Uint16ArrayConstructor
  | Int32ArrayConstructor
  | Uint32ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor;

interface DTypeInfo {
  name: string;
  /** Bytes per stored element; 0.5 for the packed 4-bit types, 0 for strings. */
  bytes: number;
  /** Typed array holding one element per entry (two per entry for complex types). */
  array: ArrayCtor | null;
  /** Array entries per element: 2 for complex, 0.5 for packed 4-bit types (bytes hold two). */
  lanes: number;
}

const INFO: Record<number, DTypeInfo> = {
  [DT.FLOAT]: { name: 'float32', bytes: 4, array: Float32Array, lanes: 1 },
  [DT.UINT8]: { name: 'uint8', bytes: 1, array: Uint8Array, lanes: 1 },
  [DT.INT8]: { name: 'int8', bytes: 1, array: Int8Array, lanes: 1 },
  [DT.UINT16]: { name: 'uint16', bytes: 2, array: Uint16Array, lanes: 1 },
  [DT.INT16]: { name: 'int16', bytes: 2, array: Int16Array, lanes: 1 },
  [DT.INT32]: { name: 'int32', bytes: 4, array: Int32Array, lanes: 1 },
  [DT.INT64]: { name: 'int64', bytes: 8, array: BigInt64Array, lanes: 1 },
  [DT.STRING]: { name: 'string', bytes: 0, array: null, lanes: 1 },
  [DT.BOOL]: { name: 'bool', bytes: 1, array: Uint8Array, lanes: 1 },
  [DT.FLOAT16]: { name: 'float16', bytes: 2, array: Uint16Array, lanes: 1 },
  [DT.DOUBLE]: { name: 'float64', bytes: 8, array: Float64Array, lanes: 1 },
  [DT.UINT32]: { name: 'uint32', bytes: 4, array: Uint32Array, lanes: 1 },
  [DT.UINT64]: { name: 'uint64', bytes: 8, array: BigUint64Array, lanes: 1 },
  [DT.COMPLEX64]: { name: 'complex64', bytes: 8, array: Float32Array, lanes: 2 },
  [DT.COMPLEX128]: { name: 'complex128', bytes: 16, array: Float64Array, lanes: 2 },
  [DT.BFLOAT16]: { name: 'bfloat16', bytes: 2, array: Uint16Array, lanes: 1 },
  [DT.FLOAT8E4M3FN]: { name: 'float8e4m3fn', bytes: 1, array: Uint8Array, lanes: 1 },
  [DT.FLOAT8E4M3FNUZ]: { name: 'float8e4m3fnuz', bytes: 1, array: Uint8Array, lanes: 1 },
  [DT.FLOAT8E5M2]: { name: 'float8e5m2', bytes: 1, array: Uint8Array, lanes: 1 },
  [DT.FLOAT8E5M2FNUZ]: { name: 'float8e5m2fnuz', bytes: 1, array: Uint8Array, lanes: 1 },
  [DT.UINT4]: { name: 'uint4', bytes: 0.5, array: Uint8Array, lanes: 0.5 },
  [DT.INT4]: { name: 'int4', bytes: 0.5, array: Uint8Array, lanes: 0.5 },
  [DT.FLOAT4E2M1]: { name: 'float4e2m1', bytes: 0.5, array: Uint8Array, lanes: 0.5 },
};

/** Lower-case name of an ONNX element type ("float32", "int8", …); "type#N" for unknown numbers. */
export function dtypeName(dataType: number): string {
  return INFO[dataType]?.name ?? `type#${dataType}`;
}

/** Bytes one element occupies in raw_data (0.5 for packed 4-bit, 0 for string/unknown). */
export function dtypeBytes(dataType: number): number {
  return INFO[dataType]?.bytes ?? 0;
}

/** The info record, or undefined for an unknown type number. */
export function dtypeInfo(dataType: number): Readonly<DTypeInfo> | undefined {
  return INFO[dataType];
}

/** True for the floating-point types whose values a quantizer would touch. */
export function isFloatType(dataType: number): boolean {
  return dataType === DT.FLOAT || dataType === DT.FLOAT16 || dataType === DT.BFLOAT16 || dataType === DT.DOUBLE;
}

/** True for the 8/4-bit integer types that quantized models store weights in. */
export function isLowBitIntType(dataType: number): boolean {
  return dataType === DT.INT8 || dataType === DT.UINT8 || dataType === DT.INT4 || dataType === DT.UINT4;
}
