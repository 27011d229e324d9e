// Checks a .tflite FlatBuffer before anything reads it. Two passes:
//  1. structure: a generic table walker driven by the field lists below checks
//     every offset, vtable, vector and string the reader (or an op reading its
//     options) can reach, so later reads never leave the buffer;
//  2. meaning: tensor/buffer/opcode indices, shapes, dtypes, data sizes.
// Anything past the end of the bytes is E_MODEL_TRUNCATED; offsets that point
// before the start, misalignment and impossible sizes are E_BAD_MODEL.
import { fail } from '../../core/errors';

// Field lists, one entry per vtable slot in schema order. Kinds:
//   1 2 4 8     inline scalar of that many bytes
//   s           string
//   [1] [2] ... vector of scalars of that size
//   [Table]     vector of tables        Table   one table
//   <Union>     union value (its type byte is the slot before)
// Slots not listed are not read by anyone and only bounds-checked.
export const TABLE_SPECS: { [table: string]: string } = {
  Model:
    'version:4 operator_codes:[OperatorCode] subgraphs:[SubGraph] description:s buffers:[Buffer] ' +
    'metadata_buffer:[4] metadata:[Metadata] signature_defs:[SignatureDef] ' +
    'external_buffer_groups:[ExternalBufferGroup] external_buffers:[ExternalBuffer]',
  OperatorCode: 'deprecated_builtin_code:1 custom_code:s version:4 builtin_code:4',
  SubGraph: 'tensors:[Tensor] inputs:[4] outputs:[4] operators:[Operator] name:s debug_metadata_index:4',
  Tensor:
    'shape:[4] type:1 buffer:4 name:s quantization:QuantizationParameters is_variable:1 ' +
    'sparsity:SparsityParameters shape_signature:[4] has_rank:1 variant_tensors:[VariantSubType] external_buffer:4',
  QuantizationParameters:
    'min:[4] max:[4] scale:[4] zero_point:[8] details_type:1 details:<QuantizationDetails> quantized_dimension:4',
  CustomQuantization: 'custom:[1]',
  BlockwiseQuantization: 'scales:4 zero_points:4 block_size:4',
  MultiAxisQuantization: 'scales:4 zero_points:4 block_size:4 quantized_dimensions:[4]',
  SparsityParameters: 'traversal_order:[4] block_map:[4] dim_metadata:[DimensionMetadata]',
  DimensionMetadata:
    'format:1 dense_size:4 array_segments_type:1 array_segments:<SparseIndexVector> ' +
    'array_indices_type:1 array_indices:<SparseIndexVector>',
  Int32Vector: 'values:[4]',
  Uint16Vector: 'values:[2]',
  Uint8Vector: 'values:[1]',
  VariantSubType: 'shape:[4] type:1 has_rank:1',
  Operator:
    'opcode_index:4 inputs:[4] outputs:[4] builtin_options_type:1 builtin_options:<BuiltinOptions> ' +
    'custom_options:[1] custom_options_format:1 mutating_variable_inputs:[1] intermediates:[4] ' +
    'large_custom_options_offset:8 large_custom_options_size:8 builtin_options_2_type:1 ' +
    'builtin_options_2:<BuiltinOptions2> debug_metadata_index:4',
  Buffer: 'data:[1] offset:8 size:8',
  Metadata: 'name:s buffer:4',
  SignatureDef: 'inputs:[TensorMap] outputs:[TensorMap] signature_key:s deprecated_tag:s subgraph_index:4',
  TensorMap: 'name:s tensor_index:4',
  ExternalBufferGroup: 'name:s',
  ExternalBuffer: 'id:4 group:4 offset:8 length:8 packing:s',
  // Option tables with more than scalars; every other option table gets the
  // generic check (header, vtable, every field inside the table).
  ConcatEmbeddingsOptions: 'num_channels:4 num_columns_per_channel:[4] embedding_dim_per_channel:[4]',
  ReshapeOptions: 'new_shape:[4]',
  SqueezeOptions: 'squeeze_dims:[4]',
  VarHandleOptions: 'container:s shared_name:s',
  BucketizeOptions: 'boundaries:[4]',
};

/** Union type number -> table with a field list (others: generic check). */
export const UNION_SPECS: { [union: string]: string } = {
  QuantizationDetails: '1:CustomQuantization 2:BlockwiseQuantization 3:MultiAxisQuantization',
  SparseIndexVector: '1:Int32Vector 2:Uint16Vector 3:Uint8Vector',
  BuiltinOptions: '3:ConcatEmbeddingsOptions 17:ReshapeOptions 30:SqueezeOptions 111:VarHandleOptions 115:BucketizeOptions',
  BuiltinOptions2: '',
};

const K_STRING = 16;
const K_VECTOR = 32; // + element size
const K_TABLES = 64;
const K_TABLE = 65;
const K_UNION = 66;

interface Spec {
  names: string[];
  kinds: number[];
  subs: string[];
}

const parsed: { [table: string]: Spec } = {};

function spec(table: string): Spec {
  let s = parsed[table];
  if (!s) {
    s = parsed[table] = { names: [], kinds: [], subs: [] };
    const fields = TABLE_SPECS[table].split(' ');
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i].split(':');
      const t = f[1];
      const c = t.charAt(0);
      let kind: number;
      let sub = '';
      if (c === 's') kind = K_STRING;
      else if (c === '<') {
        kind = K_UNION;
        sub = t.slice(1, -1);
      } else if (c === '[') {
        sub = t.slice(1, -1);
        kind = +sub ? K_VECTOR + +sub : K_TABLES;
      } else if (+t) kind = +t;
      else {
        kind = K_TABLE;
        sub = t;
      }
      s.names.push(f[0]);
      s.kinds.push(kind);
      s.subs.push(sub);
    }
  }
  return s;
}

function unionTable(union: string, type: number): string {
  const entries = UNION_SPECS[union].split(' ');
  for (let i = 0; i < entries.length; i++) {
    const e = entries[i].split(':');
    if (+e[0] === type) return e[1];
  }
  return '';
}

/** Bits per element of a TensorType, 0 for types without fixed-size data, -1 if unknown. */
export function elementBits(dtype: number): number {
  // FLOAT32 FLOAT16 INT32 UINT8 INT64 STRING BOOL INT16 COMPLEX64 INT8 FLOAT64
  // COMPLEX128 UINT64 RESOURCE VARIANT UINT32 UINT16 INT4 BFLOAT16 INT2 UINT4
  // FLOAT8_E4M3FN FLOAT8_E5M2
  const bits = [32, 16, 32, 8, 64, 0, 8, 16, 64, 8, 64, 128, 64, 0, 0, 32, 16, 4, 16, 2, 4, 8, 8];
  return dtype >= 0 && dtype < bits.length ? bits[dtype] : -1;
}

// ---- state of one verifyModel() call (JS is single-threaded) ----
let B: Uint8Array = new Uint8Array(0);
let N = 0;
let tablesLeft = 0;
let elemsLeft = 0;

function u16(p: number): number {
  return B[p] | (B[p + 1] << 8);
}
function i32(p: number): number {
  return B[p] | (B[p + 1] << 8) | (B[p + 2] << 16) | (B[p + 3] << 24);
}
function u32(p: number): number {
  return i32(p) >>> 0;
}

function truncated(where: string, what: string, p: number, len: number): never {
  return fail(
    'E_MODEL_TRUNCATED',
    where + ': ' + what + ' at byte ' + p + ' (' + len + ' bytes) runs past the end of the model (' + N + ' bytes)'
  );
}

function bad(where: string, what: string): never {
  return fail('E_BAD_MODEL', where + ': ' + what);
}

function need(p: number, len: number, where: string, what: string): void {
  if (p + len > N) truncated(where, what, p, len);
}

/** Follows the uoffset stored at p (p already checked: aligned, inside). */
function deref(p: number, where: string, what: string): number {
  const o = u32(p);
  if (o === 0 || o > 0x7fffffff) bad(where, 'offset ' + o + ' to ' + what + ' at byte ' + p + ' is invalid');
  const t = p + o;
  need(t, 1, where, what);
  return t;
}

/** Checks the table header and vtable at t; returns the table's inline size. */
function checkTable(t: number, where: string): number {
  if (--tablesLeft < 0) bad(where, 'too many tables for a ' + N + '-byte model (shared or looping offsets)');
  if (t & 3) bad(where, 'table at byte ' + t + ' is misaligned');
  need(t, 4, where, 'table');
  const vt = t - i32(t);
  if (vt < 0) bad(where, 'vtable of the table at byte ' + t + ' lies before the start of the model');
  if (vt & 1) bad(where, 'vtable at byte ' + vt + ' is misaligned');
  need(vt, 4, where, 'vtable');
  const vs = u16(vt);
  const ts = u16(vt + 2);
  if (vs < 4 || vs & 1) bad(where, 'vtable at byte ' + vt + ' has invalid size ' + vs);
  if (ts < 4) bad(where, 'table at byte ' + t + ' has invalid size ' + ts);
  need(vt, vs, where, 'vtable');
  need(t, ts, where, 'table');
  for (let i = 4; i < vs; i += 2) {
    const off = u16(vt + i);
    if (off !== 0 && (off < 4 || off >= ts)) {
      bad(where, 'field ' + (i - 4) / 2 + ' at offset ' + off + ' lies outside its ' + ts + '-byte table');
    }
  }
  return ts;
}

/** Position of field `slot` of the (checked) table at t, or 0. */
function fieldPos(t: number, slot: number): number {
  const vt = t - i32(t);
  const o = 4 + 2 * slot;
  const off = o < u16(vt) ? u16(vt + o) : 0;
  return off ? t + off : 0;
}

/** Checks the vector at v and returns its length. */
function checkVector(v: number, esize: number, where: string, what: string): number {
  if (v & 3) bad(where, what + ' at byte ' + v + ' is misaligned');
  need(v, 4, where, what);
  const len = u32(v);
  if (len * esize > 0x7fffffff) bad(where, what + ' length ' + len + ' is absurd');
  need(v + 4, len * esize, where, what);
  return len;
}

function walk(t: number, table: string, where: string): void {
  const ts = checkTable(t, where);
  const s = spec(table);
  for (let i = 0; i < s.kinds.length; i++) {
    const p = fieldPos(t, i);
    if (!p) continue;
    const kind = s.kinds[i];
    const name = s.names[i];
    const size = kind < K_STRING ? kind : 4;
    if (p - t + size > ts) bad(where, name + ' does not fit in its table');
    if (p & (size - 1)) bad(where, name + ' at byte ' + p + ' is misaligned');
    if (kind < K_STRING) continue;
    const at = where + '.' + name;
    if (kind === K_UNION) {
      const tp = fieldPos(t, i - 1);
      const type = tp ? B[tp] : 0;
      if (type === 0) continue;
      const sub = unionTable(s.subs[i], type);
      const v = deref(p, at, 'union value');
      if (sub) walk(v, sub, at);
      else checkTable(v, at);
      continue;
    }
    const v = deref(p, at, name);
    if (kind === K_TABLE) {
      walk(v, s.subs[i], at);
    } else if (kind === K_STRING) {
      const len = checkVector(v, 1, at, 'string');
      need(v + 4 + len, 1, at, 'string terminator');
      if (B[v + 4 + len] !== 0) bad(at, 'string at byte ' + v + ' is not terminated');
    } else if (kind === K_TABLES) {
      const len = checkVector(v, 4, at, 'vector');
      for (let j = 0; j < len; j++) {
        const e = v + 4 + 4 * j;
        walk(deref(e, at + '[' + j + ']', s.subs[i]), s.subs[i], at + '[' + j + ']');
      }
    } else {
      checkVector(v, kind - K_VECTOR, at, 'vector');
    }
  }
}

// ---- pass 2 helpers: the structure is sound, read freely ----

/** Table referenced by field `slot` of table t, or 0. */
function tableField(t: number, slot: number): number {
  const p = fieldPos(t, slot);
  return p ? p + u32(p) : 0;
}

/** Vector referenced by field `slot` (position of its length word), or 0. */
const vecField = tableField;

function vecLen(v: number): number {
  return v ? u32(v) : 0;
}

function u32Field(t: number, slot: number, dflt: number): number {
  const p = fieldPos(t, slot);
  return p ? u32(p) : dflt;
}

function spend(n: number, where: string): void {
  elemsLeft -= n;
  if (elemsLeft < 0) bad(where, 'too many elements for a ' + N + '-byte model (shared vectors)');
}

/** Reads a uint64 field as a number below 2^32; rejects larger values. */
function u64Field(t: number, slot: number, where: string, what: string): number {
  const p = fieldPos(t, slot);
  if (!p) return 0;
  if (u32(p + 4) !== 0) bad(where, what + ' is 2^32 or more');
  return u32(p);
}

function checkIndices(v: number, count: number, allowMinus1: boolean, where: string, what: string, of: string): void {
  const len = vecLen(v);
  spend(len, where);
  for (let i = 0; i < len; i++) {
    const x = i32(v + 4 + 4 * i);
    if (x === -1 && allowMinus1) continue;
    if (x < 0 || x >= count) {
      fail('E_BAD_INDEX', where + ' ' + what + ' ' + i + ': ' + of + ' index ' + x + ' out of range (' + count + ' ' + of + 's)');
    }
  }
}

/** Throws a TinyMLError unless `bytes` is a well-formed TFLite model. */
export function verifyModel(bytes: Uint8Array): void {
  B = bytes;
  N = bytes.length;
  try {
    verify();
  } finally {
    B = new Uint8Array(0);
  }
}

function verify(): void {
  if (N < 8) fail('E_MODEL_TRUNCATED', 'model is ' + N + ' bytes, too short for a FlatBuffer header');
  if (B[4] !== 0x54 || B[5] !== 0x46 || B[6] !== 0x4c || B[7] !== 0x33) {
    fail('E_BAD_IDENTIFIER', 'file identifier is not "TFL3": not a TFLite model');
  }
  if (N > 0x7fffffff) bad('model', 'larger than 2 GB');
  tablesLeft = (N >> 2) + 1;
  elemsLeft = N;
  const root = deref(0, 'model', 'root table');
  walk(root, 'Model', 'model');

  // Buffers: size of the data each one carries (-1 when none).
  const bufs = vecField(root, 4);
  const nBuf = vecLen(bufs);
  const bufBytes: number[] = [];
  for (let i = 0; i < nBuf; i++) {
    const where = 'buffer ' + i;
    const b = bufs + 4 + 4 * i;
    const t = b + u32(b);
    const dataLen = vecLen(vecField(t, 0));
    const off = u64Field(t, 1, where, 'offset');
    const size = u64Field(t, 2, where, 'size');
    let n = dataLen > 0 ? dataLen : -1;
    if (dataLen === 0 && off > 1 && size > 0) {
      need(off, size, where, 'external data');
      n = size;
    }
    bufBytes.push(n);
  }

  const nCodes = vecLen(vecField(root, 1));
  const sgs = vecField(root, 2);
  const nSg = vecLen(sgs);
  if (nSg === 0) bad('model', 'has no subgraphs');
  const tensorCounts: number[] = [];
  for (let s = 0; s < nSg; s++) {
    const sp = sgs + 4 + 4 * s;
    const sg = sp + u32(sp);
    const sgWhere = 'subgraph ' + s;
    const tensors = vecField(sg, 0);
    const nT = vecLen(tensors);
    tensorCounts.push(nT);
    for (let i = 0; i < nT; i++) {
      const tp = tensors + 4 + 4 * i;
      checkTensor(tp + u32(tp), sgWhere + ' tensor ' + i, nBuf, bufBytes);
    }
    checkIndices(vecField(sg, 1), nT, false, sgWhere, 'input', 'tensor');
    checkIndices(vecField(sg, 2), nT, false, sgWhere, 'output', 'tensor');
    const ops = vecField(sg, 3);
    const nOps = vecLen(ops);
    for (let i = 0; i < nOps; i++) {
      const opp = ops + 4 + 4 * i;
      const op = opp + u32(opp);
      const where = sgWhere + ' operator ' + i;
      const code = u32Field(op, 0, 0);
      if (code >= nCodes) {
        fail('E_BAD_INDEX', where + ': opcode index ' + code + ' out of range (' + nCodes + ' operator codes)');
      }
      checkIndices(vecField(op, 1), nT, true, where, 'input', 'tensor');
      checkIndices(vecField(op, 2), nT, false, where, 'output', 'tensor');
      checkIndices(vecField(op, 8), nT, true, where, 'intermediate', 'tensor');
      const lo = u64Field(op, 9, where, 'large_custom_options_offset');
      const ls = u64Field(op, 10, where, 'large_custom_options_size');
      if (lo > 1 && ls > 0) need(lo, ls, where, 'large custom options');
    }
  }

  const meta = vecField(root, 6);
  const nMeta = vecLen(meta);
  for (let i = 0; i < nMeta; i++) {
    const mp = meta + 4 + 4 * i;
    const b = u32Field(mp + u32(mp), 1, 0);
    if (b >= nBuf) fail('E_BAD_INDEX', 'metadata ' + i + ': buffer index ' + b + ' out of range (' + nBuf + ' buffers)');
  }
  const mb = vecField(root, 5);
  for (let i = 0; i < vecLen(mb); i++) {
    const b = i32(mb + 4 + 4 * i);
    if (b < 0 || b >= nBuf) {
      fail('E_BAD_INDEX', 'metadata_buffer ' + i + ': buffer index ' + b + ' out of range (' + nBuf + ' buffers)');
    }
  }

  const sigs = vecField(root, 7);
  for (let i = 0; i < vecLen(sigs); i++) {
    const gp = sigs + 4 + 4 * i;
    const g = gp + u32(gp);
    const where = 'signature ' + i;
    const s = u32Field(g, 4, 0);
    if (s >= nSg) fail('E_BAD_INDEX', where + ': subgraph index ' + s + ' out of range (' + nSg + ' subgraphs)');
    for (let k = 0; k < 2; k++) {
      const maps = vecField(g, k);
      for (let j = 0; j < vecLen(maps); j++) {
        const m = maps + 4 + 4 * j;
        const ti = u32Field(m + u32(m), 1, 0);
        if (ti >= tensorCounts[s]) {
          fail(
            'E_BAD_INDEX',
            where + (k ? ' output ' : ' input ') + j + ': tensor index ' + ti + ' out of range (' + tensorCounts[s] + ' tensors)'
          );
        }
      }
    }
  }
}

function checkTensor(t: number, where: string, nBuf: number, bufBytes: number[]): void {
  const tp = fieldPos(t, 1);
  const dtype = tp ? B[tp] << 24 >> 24 : 0;
  const bits = elementBits(dtype);
  if (bits < 0) bad(where, 'unknown tensor type ' + dtype);
  const shape = vecField(t, 0);
  const rank = vecLen(shape);
  spend(rank, where);
  let count = 1;
  for (let d = 0; d < rank; d++) {
    const dim = i32(shape + 4 + 4 * d);
    if (dim < 0) bad(where, 'shape dimension ' + d + ' is negative (' + dim + ')');
    count *= dim;
  }
  const size = Math.ceil((count * bits) / 8);
  if (size > 0x7fffffff) bad(where, 'tensor of ' + count + ' elements is too large');
  const buf = u32Field(t, 2, 0);
  if (buf >= nBuf && !(buf === 0 && nBuf === 0)) {
    fail('E_BAD_INDEX', where + ': buffer index ' + buf + ' out of range (' + nBuf + ' buffers)');
  }
  const have = nBuf ? bufBytes[buf] : -1;
  if (have >= 0 && bits > 0) {
    if (tableField(t, 6)) fail('E_UNSUPPORTED_OP', where + ': sparse tensor data is not supported');
    if (have !== size) bad(where, 'needs ' + size + ' bytes of data but its buffer ' + buf + ' holds ' + have);
  }
  const q = tableField(t, 4);
  if (q) {
    const nScale = vecLen(vecField(q, 2));
    const zp = vecField(q, 3);
    const nZp = vecLen(zp);
    spend(nScale + nZp, where);
    if (nZp !== 0 && nZp !== nScale) bad(where, nScale + ' scales but ' + nZp + ' zero points');
    for (let i = 0; i < nZp; i++) {
      const lo = i32(zp + 4 + 8 * i);
      if (i32(zp + 8 + 8 * i) !== lo >> 31) bad(where, 'zero point ' + i + ' does not fit in 32 bits');
    }
  }
}
