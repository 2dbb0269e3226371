import { onnx } from 'onnx-proto';

/**
 * The initializers (constant tensors) of an ONNX model file. onnxruntime-node runs a model but does not expose its
 * weights, so the file is decoded with the ONNX schema compiled for protobufjs (`onnx-proto`).
 */
export interface OnnxTensor {
  name: string;
  dims: number[];
  /** ONNX TensorProto.DataType: 1 float, 2 uint8, 3 int8, 6 int32, 7 int64. */
  dataType: number;
  /** raw_data bytes (a view into the file buffer), when the tensor uses raw_data. */
  raw?: Uint8Array;
  floatData?: number[];
  int32Data?: number[];
}

export const ONNX_FLOAT = onnx.TensorProto.DataType.FLOAT;
export const ONNX_UINT8 = onnx.TensorProto.DataType.UINT8;
export const ONNX_INT8 = onnx.TensorProto.DataType.INT8;

/** The initializers of an ONNX model (ModelProto bytes), optionally only those whose name passes `want`. */
export function readOnnxInitializers(model: Uint8Array, want: (name: string) => boolean = () => true): OnnxTensor[] {
  const decoded = onnx.ModelProto.decode(model);
  return (decoded.graph?.initializer ?? [])
    .filter((t) => want(t.name ?? ''))
    .map((t) => ({
      name: t.name ?? '',
      dims: (t.dims ?? []).map(Number),
      dataType: t.dataType ?? 0,
      ...(t.rawData && t.rawData.length ? { raw: t.rawData } : {}),
      ...(t.floatData && t.floatData.length ? { floatData: t.floatData } : {}),
      ...(t.int32Data && t.int32Data.length ? { int32Data: t.int32Data } : {}),
    }));
}

/** A tensor's values as float32: float tensors directly, int8/uint8 ones as their integer values (not dequantised). */
export function tensorValues(t: OnnxTensor): Float32Array {
  if (t.raw) {
    if (t.dataType === ONNX_FLOAT) {
      const copy = new Uint8Array(t.raw); // aligned copy
      return new Float32Array(copy.buffer, 0, copy.length / 4);
    }
    if (t.dataType === ONNX_INT8) return Float32Array.from(new Int8Array(t.raw.buffer, t.raw.byteOffset, t.raw.length));
    if (t.dataType === ONNX_UINT8) return Float32Array.from(t.raw);
    throw new Error(`tensor ${t.name}: unsupported data type ${t.dataType}`);
  }
  if (t.floatData) return Float32Array.from(t.floatData);
  if (t.int32Data) return Float32Array.from(t.int32Data);
  return new Float32Array(0);
}
