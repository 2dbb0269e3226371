/**
 * Just enough protobuf to read the initializers (constant tensors) of an ONNX model file, without a protobuf
 * dependency: onnxruntime-node runs a model but does not expose its weights. Only the fields needed are decoded:
 *   ModelProto.graph (field 7) → GraphProto.initializer (field 5, repeated) → TensorProto:
 *     dims (1, int64, packed or not), data_type (2), name (8), raw_data (9); also int32_data (5) and float_data (4),
 *     which small scalars (scales, zero points) sometimes use instead of raw_data.
 * Every other field is skipped by its wire type. See onnx/onnx.proto in the ONNX repository for the schema.
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

export const ONNX_FLOAT = 1;
export const ONNX_UINT8 = 2;
export const ONNX_INT8 = 3;

/** A protobuf reader over [pos, end) of a buffer. */
class Reader {
  constructor(
    readonly buf: Uint8Array,
    public pos: number,
    readonly end: number,
  ) {}

  get done(): boolean {
    return this.pos >= this.end;
  }

  /** Base-128 varint; exact up to 2^53, which covers every length and dimension in a model file. */
  varint(): number {
    let result = 0;
    let scale = 1;
    for (;;) {
      if (this.pos >= this.end) throw new Error('truncated varint');
      const b = this.buf[this.pos++]!;
      result += (b & 0x7f) * scale;
      if (b < 0x80) return result;
      scale *= 128;
    }
  }

  /** The [start, end) of a length-delimited field's payload; moves past it. */
  bytes(): [number, number] {
    const length = this.varint();
    const start = this.pos;
    this.pos += length;
    if (this.pos > this.end) throw new Error('truncated length-delimited field');
    return [start, this.pos];
  }

  skip(wireType: number): void {
    if (wireType === 0) this.varint();
    else if (wireType === 1) this.pos += 8;
    else if (wireType === 2) this.bytes();
    else if (wireType === 5) this.pos += 4;
    else throw new Error(`unsupported protobuf wire type ${wireType}`);
  }
}

/** Calls `visit(field, wireType, reader)` for each field of the message in [start, end); `visit` must consume it. */
function forEachField(buf: Uint8Array, start: number, end: number, visit: (field: number, wireType: number, r: Reader) => boolean): void {
  const r = new Reader(buf, start, end);
  while (!r.done) {
    const key = r.varint();
    const field = Math.floor(key / 8);
    const wireType = key & 7;
    if (!visit(field, wireType, r)) r.skip(wireType);
  }
}

/** Repeated scalar fields may be packed (wire type 2) or one value per field occurrence. */
function readRepeated(wireType: number, r: Reader, into: number[], read: (r: Reader) => number): void {
  if (wireType === 2) {
    const [s, e] = r.bytes();
    const inner = new Reader(r.buf, s, e);
    while (!inner.done) into.push(read(inner));
  } else {
    into.push(read(r));
  }
}

function readFloat32(r: Reader): number {
  const view = new DataView(r.buf.buffer, r.buf.byteOffset + r.pos, 4);
  r.pos += 4;
  return view.getFloat32(0, true);
}

function readInt32(r: Reader): number {
  const v = r.varint();
  // Negative int32 values are encoded as 10-byte varints of their two's-complement 64-bit form.
  return v >= 2 ** 63 ? v - 2 ** 64 : v;
}

function parseTensor(buf: Uint8Array, start: number, end: number): OnnxTensor {
  const tensor: OnnxTensor = { name: '', dims: [], dataType: 0 };
  forEachField(buf, start, end, (field, wireType, r) => {
    if (field === 1) readRepeated(wireType, r, tensor.dims, (x) => x.varint());
    else if (field === 2 && wireType === 0) tensor.dataType = r.varint();
    else if (field === 8 && wireType === 2) {
      const [s, e] = r.bytes();
      tensor.name = Buffer.from(buf.buffer, buf.byteOffset + s, e - s).toString('utf8');
    } else if (field === 9 && wireType === 2) {
      const [s, e] = r.bytes();
      tensor.raw = buf.subarray(s, e);
    } else if (field === 4) readRepeated(wireType, r, (tensor.floatData ??= []), readFloat32);
    else if (field === 5) readRepeated(wireType, r, (tensor.int32Data ??= []), readInt32);
    else return false;
    return true;
  });
  return tensor;
}

/** The initializers of an ONNX model (ModelProto bytes), optionally only those whose name passes `want`. */
export function readOnnxInitializers(model: Uint8Array, want: (name: string) => boolean = () => true): OnnxTensor[] {
  const out: OnnxTensor[] = [];
  forEachField(model, 0, model.length, (field, wireType, r) => {
    if (field !== 7 || wireType !== 2) return false; // ModelProto.graph
    const [gs, ge] = r.bytes();
    forEachField(model, gs, ge, (gField, gWire, gr) => {
      if (gField !== 5 || gWire !== 2) return false; // GraphProto.initializer
      const [ts, te] = gr.bytes();
      const tensor = parseTensor(model, ts, te);
      if (want(tensor.name)) out.push(tensor);
      return true;
    });
    return true;
  });
  return out;
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
