// A small FlexBuffers reader for CUSTOM ops' custom_options: the root must be
// a map; values are looked up by key. Scalars (int, uint, bool, float, their
// indirect forms) and typed or untyped vectors of numbers are understood.
// Every read is bounds-checked; a broken blob calls `invalid`, which throws
// (E_BAD_MODEL naming the op, when given ctx.invalid). Helpers are module
// functions rather than methods so the minifier can shorten their names.

// FlexBuffers value types (the high six bits of a packed type byte).
const T_INT = 1, T_UINT = 2, T_FLOAT = 3, T_KEY = 4;
const T_IND_INT = 6, T_IND_UINT = 7, T_IND_FLOAT = 8, T_MAP = 9, T_VECTOR = 10;
const T_VEC_INT = 11, T_VEC_KEY = 14, T_VEC_INT2 = 16;
const T_VEC_FLOAT4 = 24, T_BOOL = 26, T_VEC_BOOL = 36;

const scratch = new Uint8Array(8);
const asF32 = new Float32Array(scratch.buffer, 0, 1);
const asF64 = new Float64Array(scratch.buffer, 0, 1);

type Fail = (what: string) => never;

/** One value: where it sits, the width it was stored with, its type and its own width. */
interface Ref {
  pos: number;
  parentWidth: number;
  type: number;
  width: number;
}

function bad(fail: Fail, what: string): never {
  return fail('custom options: ' + what);
}

function validWidth(w: number): boolean {
  return w === 1 || w === 2 || w === 4 || w === 8;
}

function check(b: Uint8Array, fail: Fail, pos: number, bytes: number): void {
  if (!(pos >= 0 && bytes >= 0 && pos + bytes <= b.length)) bad(fail, 'FlexBuffers data runs past the end');
}

function checkWidth(b: Uint8Array, fail: Fail, pos: number, w: number): void {
  if (!validWidth(w)) bad(fail, 'bad FlexBuffers width ' + w);
  check(b, fail, pos, w);
}

function uint(b: Uint8Array, fail: Fail, pos: number, w: number): number {
  checkWidth(b, fail, pos, w);
  let v = 0;
  for (let i = w - 1; i >= 0; i--) v = v * 256 + b[pos + i];
  return v;
}

/** Low 32 bits as a signed int32 (two's complement makes int and uint agree). */
function low32(b: Uint8Array, fail: Fail, pos: number, w: number): number {
  checkWidth(b, fail, pos, w);
  if (w === 1) return (b[pos] << 24) >> 24;
  if (w === 2) return ((b[pos] | b[pos + 1] << 8) << 16) >> 16;
  return b[pos] | b[pos + 1] << 8 | b[pos + 2] << 16 | b[pos + 3] << 24;
}

function readFloat(b: Uint8Array, fail: Fail, pos: number, w: number): number {
  if (w !== 4 && w !== 8) return bad(fail, 'bad FlexBuffers float width ' + w);
  check(b, fail, pos, w);
  for (let i = 0; i < w; i++) scratch[i] = b[pos + i];
  return w === 4 ? asF32[0] : asF64[0];
}

function ref(fail: Fail, pos: number, parentWidth: number, packed: number): Ref {
  const type = packed >> 2;
  if (type > T_VEC_BOOL || (type > T_BOOL && type < T_VEC_BOOL)) bad(fail, 'unknown FlexBuffers type ' + type);
  return { pos: pos, parentWidth: parentWidth, type: type, width: 1 << (packed & 3) };
}

/** Where an offset-typed value points (offsets are stored backwards). */
function target(b: Uint8Array, fail: Fail, r: Ref): number {
  const t = r.type;
  if (t === T_INT || t === T_UINT || t === T_FLOAT || t === T_BOOL) bad(fail, 'inline value used as an offset');
  const at = r.pos - uint(b, fail, r.pos, r.parentWidth);
  if (!(at >= 0)) bad(fail, 'FlexBuffers offset out of range');
  return at;
}

/** An int, uint or bool (inline or indirect) as int32; null if not one. */
function scalarInt(b: Uint8Array, fail: Fail, r: Ref): number | null {
  switch (r.type) {
    case T_INT: case T_UINT: case T_BOOL: return low32(b, fail, r.pos, r.parentWidth);
    case T_IND_INT: case T_IND_UINT: return low32(b, fail, target(b, fail, r), r.width);
    default: return null;
  }
}

export class FlexMap {
  private readonly b: Uint8Array;
  private readonly fail: Fail;
  private readonly keys: string[] = [];
  private readonly values: Ref[] = [];

  constructor(bytes: Uint8Array | null, invalid: Fail) {
    const b = bytes || new Uint8Array(0);
    this.b = b;
    this.fail = invalid;
    const n = b.length;
    if (n < 3) invalid('custom options are missing or too short for a FlexBuffers map');
    const rootWidth = b[n - 1];
    if (!validWidth(rootWidth)) bad(invalid, 'bad FlexBuffers root width ' + rootWidth);
    const root = ref(invalid, n - 2 - rootWidth, rootWidth, b[n - 2]);
    if (root.type !== T_MAP) bad(invalid, 'the FlexBuffers root is not a map (type ' + root.type + ')');
    // A map is a vector of values preceded by its keys vector and key width.
    const data = target(b, invalid, root);
    const w = root.width;
    const size = uint(b, invalid, data - w, w);
    const keysAt = target(b, invalid, { pos: data - 3 * w, parentWidth: w, type: T_VEC_KEY, width: 0 });
    const keyWidth = uint(b, invalid, data - 2 * w, w);
    if (uint(b, invalid, keysAt - keyWidth, keyWidth) !== size) bad(invalid, 'FlexBuffers map keys and values differ in count');
    check(b, invalid, data, size * w + size);
    for (let i = 0; i < size; i++) {
      let k = target(b, invalid, { pos: keysAt + i * keyWidth, parentWidth: keyWidth, type: T_KEY, width: 1 });
      let s = '';
      for (; b[k] !== 0; k++) {
        if (k >= n) bad(invalid, 'unterminated FlexBuffers key');
        s += String.fromCharCode(b[k]);
      }
      this.keys.push(s);
      this.values.push(ref(invalid, data + i * w, w, b[data + size * w + i]));
    }
  }

  has(key: string): boolean {
    return this.find(key) >= 0;
  }

  /** An int/uint/bool value as int32 (the low 32 bits, as TFLM's ElementAsInt32). */
  int(key: string): number {
    const v = scalarInt(this.b, this.fail, this.get(key));
    return v !== null ? v : this.fail('custom option "' + key + '" is not an integer');
  }

  /** A bool (or any integer: nonzero is true). */
  bool(key: string): boolean {
    const r = this.get(key);
    const t = r.type;
    // All stored bits count (TFLM reads bools as uint64 != 0).
    if (t === T_BOOL || t === T_INT || t === T_UINT) return uint(this.b, this.fail, r.pos, r.parentWidth) !== 0;
    return this.int(key) !== 0;
  }

  /** A float (or an integer, converted). */
  float(key: string): number {
    const r = this.get(key);
    if (r.type === T_FLOAT) return readFloat(this.b, this.fail, r.pos, r.parentWidth);
    if (r.type === T_IND_FLOAT) return readFloat(this.b, this.fail, target(this.b, this.fail, r), r.width);
    return this.int(key);
  }

  /** A vector of numbers (typed, fixed-size typed or untyped); integers as int32. */
  ints(key: string): number[] {
    const b = this.b, fail = this.fail;
    const r = this.get(key);
    const t = r.type;
    const out: number[] = [];
    let n: number;
    let elemType = T_INT;
    if (t === T_VECTOR || (t >= T_VEC_INT && t <= T_VEC_KEY) || t === T_VEC_BOOL) {
      n = uint(b, fail, target(b, fail, r) - r.width, r.width);
      if (t !== T_VECTOR) elemType = t === T_VEC_BOOL ? T_BOOL : t - T_VEC_INT + T_INT;
    } else if (t >= T_VEC_INT2 && t <= T_VEC_FLOAT4) {
      n = 2 + Math.floor((t - T_VEC_INT2) / 3);
      elemType = (t - T_VEC_INT2) % 3 + T_INT;
    } else {
      return fail('custom option "' + key + '" is not a vector');
    }
    const data = target(b, fail, r);
    check(b, fail, data, n * r.width + (t === T_VECTOR ? n : 0));
    for (let i = 0; i < n; i++) {
      const e = ref(fail, data + i * r.width, r.width, t === T_VECTOR ? b[data + n * r.width + i] : elemType << 2);
      const v = e.type === T_FLOAT ? readFloat(b, fail, e.pos, e.parentWidth) : scalarInt(b, fail, e);
      out.push(v !== null ? v : fail('custom option "' + key + '" holds a non-number at ' + i));
    }
    return out;
  }

  private find(key: string): number {
    for (let i = 0; i < this.keys.length; i++) if (this.keys[i] === key) return i;
    return -1;
  }

  private get(key: string): Ref {
    const i = this.find(key);
    return i >= 0 ? this.values[i] : this.fail('custom option "' + key + '" is missing');
  }
}
