// Turns verified .tflite bytes into the plain objects of ./types. Reads the
// tables directly by field slot (the same slots verify.ts lists) instead of
// through the generated classes, which keeps them out of the device bundle.
import { ByteBuffer } from './flatbuffers';
import { elementBits, verifyModel } from './verify';
import { ModelInfo, OperatorInfo, SubgraphInfo, TensorInfo } from './types';

let bb: ByteBuffer;

/** Position of field `slot` of the table at t, or 0 when absent. */
function field(t: number, slot: number): number {
  const o = bb.__offset(t, 4 + 2 * slot);
  return o ? t + o : 0;
}

/** Table or vector that field `slot` refers to, or 0. */
function ref(t: number, slot: number): number {
  const p = field(t, slot);
  return p ? bb.__indirect(p) : 0;
}

function len(v: number): number {
  return v ? bb.readUint32(v) : 0;
}

/** Table i of a vector of tables. */
function at(v: number, i: number): number {
  return bb.__indirect(v + 4 + 4 * i);
}

function int(t: number, slot: number, dflt: number): number {
  const p = field(t, slot);
  return p ? bb.readInt32(p) : dflt;
}

function byte(t: number, slot: number): number {
  const p = field(t, slot);
  return p ? bb.readInt8(p) : 0;
}

/** Low half of a uint64 field (verify.ts rejected values >= 2^32). */
function u64(t: number, slot: number): number {
  const p = field(t, slot);
  return p ? bb.readUint32(p) : 0;
}

function ints(t: number, slot: number): number[] {
  const v = ref(t, slot);
  const n = len(v);
  const out: number[] = [];
  for (let i = 0; i < n; i++) out.push(bb.readInt32(v + 4 + 4 * i));
  return out;
}

function str(t: number, slot: number): string {
  const p = field(t, slot);
  return p ? (bb.__string(p) as string) : '';
}

/** Data of buffer i: [absolute offset, length], offset -1 when it has none. */
function bufferData(buffers: number, i: number): number[] {
  if (i >= len(buffers)) return [-1, 0];
  const b = at(buffers, i);
  const data = ref(b, 0);
  if (len(data) > 0) return [data + 4, len(data)];
  const off = u64(b, 1);
  const size = u64(b, 2);
  return off > 1 && size > 0 ? [off, size] : [-1, 0];
}

function readTensor(t: number, index: number, buffers: number): TensorInfo {
  const dtype = byte(t, 1);
  const shape = ints(t, 0);
  let count = 1;
  for (let i = 0; i < shape.length; i++) count *= shape[i];
  const buffer = int(t, 2, 0) >>> 0;
  const scale: number[] = [];
  const zeroPoint: number[] = [];
  let quantizedDimension = 0;
  const q = ref(t, 4);
  if (q) {
    const s = ref(q, 2);
    for (let i = 0; i < len(s); i++) scale.push(bb.readFloat32(s + 4 + 4 * i));
    const z = ref(q, 3);
    for (let i = 0; i < len(z); i++) zeroPoint.push(bb.readInt32(z + 4 + 8 * i));
    quantizedDimension = int(q, 6, 0);
  }
  return {
    index: index,
    name: str(t, 3),
    dtype: dtype,
    shape: shape,
    bytes: Math.ceil((count * elementBits(dtype)) / 8),
    buffer: buffer,
    dataOffset: bufferData(buffers, buffer)[0],
    scale: scale,
    zeroPoint: zeroPoint,
    quantizedDimension: quantizedDimension,
    isVariable: byte(t, 5) !== 0,
  };
}

function readOperator(op: number, index: number, codes: number): OperatorInfo {
  const code = at(codes, int(op, 0, 0) >>> 0);
  const deprecated = byte(code, 0);
  const builtin = int(code, 3, 0);
  const optionsType = field(op, 3) ? bb.readUint8(field(op, 3)) : 0;
  const options2Type = field(op, 11) ? bb.readUint8(field(op, 11)) : 0;
  let customOptions: Uint8Array | null = null;
  const co = ref(op, 5);
  if (co) customOptions = bb.bytes().subarray(co + 4, co + 4 + len(co));
  else {
    const off = u64(op, 9);
    const size = u64(op, 10);
    if (off > 1 && size > 0) customOptions = bb.bytes().subarray(off, off + size);
  }
  return {
    index: index,
    builtin: deprecated > builtin ? deprecated : builtin,
    customCode: str(code, 1),
    version: int(code, 2, 1),
    inputs: ints(op, 1),
    outputs: ints(op, 2),
    intermediates: ints(op, 8),
    optionsType: optionsType,
    optionsPos: optionsType ? ref(op, 4) : 0,
    options2Type: options2Type,
    options2Pos: options2Type ? ref(op, 12) : 0,
    customOptions: customOptions,
  };
}

/** Verifies and reads a .tflite model; throws TinyMLError when it is malformed. */
export function readModel(bytes: Uint8Array): ModelInfo {
  verifyModel(bytes);
  const b = (bb = new ByteBuffer(bytes));
  const root = bb.__indirect(0);
  const codes = ref(root, 1);
  const buffers = ref(root, 4);
  const subgraphs: SubgraphInfo[] = [];
  const sgs = ref(root, 2);
  for (let s = 0; s < len(sgs); s++) {
    const sg = at(sgs, s);
    const tensors: TensorInfo[] = [];
    const tv = ref(sg, 0);
    for (let i = 0; i < len(tv); i++) tensors.push(readTensor(at(tv, i), i, buffers));
    const operators: OperatorInfo[] = [];
    const ov = ref(sg, 3);
    for (let i = 0; i < len(ov); i++) operators.push(readOperator(at(ov, i), i, codes));
    subgraphs.push({ name: str(sg, 4), tensors: tensors, inputs: ints(sg, 1), outputs: ints(sg, 2), operators: operators });
  }
  // No prototype: a metadata name like "__proto__" stays an ordinary key.
  const metadata: { [name: string]: Uint8Array } = Object.create(null);
  const mv = ref(root, 6);
  for (let i = 0; i < len(mv); i++) {
    const m = at(mv, i);
    const d = bufferData(buffers, int(m, 1, 0) >>> 0);
    metadata[str(m, 0)] = d[0] < 0 ? bytes.subarray(0, 0) : bytes.subarray(d[0], d[0] + d[1]);
  }
  return {
    version: int(root, 0, 0) >>> 0,
    description: str(root, 3),
    bytes: bytes,
    subgraphs: subgraphs,
    metadata: metadata,
    bb: b,
  };
}
