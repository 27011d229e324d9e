// The device core: runs a packed model (its op program planned on the host by
// `tinyml pack`). It reads no FlatBuffer, prepares no op and plans nothing:
// it sizes the arena from the section's header, hands the bytes to the
// native layer (which checks the section and the program before anything
// runs) and gives typed-array views onto the arena. A raw .tflite is planned
// first only when the on-device planner add-on is present (setPlanner).
import { fail, TinyMLError } from './errors';
import { NativeModule, OpProfile, getNative, newArena, Status, STATUS_NAMES, Info } from './native';
import { TensorInfo, packedSectionAt, checkHeader, readMeta, tensorAt, corrupt, W_ARENA } from './packed';

export { TensorInfo };

export interface InterpreterOptions {
  /** Arena block size in bytes; default: exactly what the plan needs. */
  arenaSize?: number;
  /** Native module to use instead of the engine's registered one. */
  native?: NativeModule;
  /** The packed section, when it travels apart from the (plain) model bytes. */
  section?: Uint8Array;
}

/**
 * A tensor view: a typed array over the arena. Where the engine allows it
 * (not Espruino) it also carries the tensor's metadata; inputInfo() and
 * outputInfo() give the same on every engine.
 */
export type TensorView = (Int8Array | Uint8Array | Int16Array | Int32Array | Float32Array) & {
  shape: number[];
  dtype: number;
  scale: number;
  zeroPoint: number;
  tensorIndex: number;
};

/** The on-device planner add-on: model bytes in, packed section out; op names for messages. */
export interface Planner {
  pack(model: Uint8Array): Uint8Array;
  opName(code: number): string;
}

let planner: Planner | null = null;

/** Installs the on-device planner (the full bundle and the Node entry do). */
export function setPlanner(p: Planner): void {
  planner = p;
}

// Fields whose names start with `_` are private: the device bundles shorten
// them (scripts/device-terser.js), for each name costs Espruino variables.
export class Interpreter {
  /** The model bytes (a packed file, or a raw model with `section` beside it). */
  readonly bytes: Uint8Array;
  /** The packed section's words (read by allocateShared too). */
  readonly words: Int32Array;
  readonly native: NativeModule;
  private _section?: Uint8Array;
  private _size?: number;
  /** What the native calls take: the arena, or this program's view of a shared block. */
  private _arena?: ArrayBuffer | Uint8Array;
  /** A shared block's bytes in use (allocateShared). */
  private _total?: number;
  /** Where the meta's parts start (readMeta), read on first use. */
  private _meta?: number[];
  /** Tensor views made so far, by meta record position. */
  private _views?: { [p: number]: TensorView };

  constructor(model: Uint8Array | ArrayBuffer | ArrayBufferView, options?: InterpreterOptions) {
    const o: InterpreterOptions = options === undefined || options === null ? {} : options;
    if (typeof o !== 'object') fail('E_BAD_INPUT', 'options must be an object such as { arenaSize: 8192 }');
    const size = o.arenaSize;
    if (size !== undefined && !(typeof size === 'number' && size >= 1 && size <= 0x7fffffff && Math.floor(size) === size)) {
      fail('E_BAD_INPUT', 'arenaSize must be an integer number of bytes from 1 to 2147483647, got ' + describe(size));
    }
    if (size) this._size = size;
    const native = this.native = o.native || getNative();
    let bytes = asBytes(model);
    // Tensors are read in place: the bytes must start 16-byte aligned.
    if (bytes.byteOffset % 16) bytes = new Uint8Array(bytes);
    this.bytes = bytes;
    let section = o.section ? asBytes(o.section) : undefined;
    let at = packedSectionAt(bytes);
    if (!section && at < 0) {
      if (!planner) {
        fail('E_NOT_PACKED', 'the model has no packed section (a plain .tflite, or a packed file cut short): ' +
          'pack it on the host (`tinyml pack model.tflite`) or use the bundle with the on-device planner');
      }
      section = (planner as Planner).pack(bytes);
    }
    if (section) {
      if (section.byteOffset % 4) section = new Uint8Array(section);
      this._section = section;
      at = 0;
    }
    const holder = section || bytes;
    if (!(at >= 0 && at % 16 === 0 && at <= holder.length - 8)) fail('E_BAD_PACK', 'the packed section is truncated or corrupt (footer)');
    // An Int32Array over the section (Espruino: through view(), past 64 KB).
    let buffer = holder.buffer as ArrayBuffer;
    let offset = holder.byteOffset + at;
    const words = (holder.length - at) >> 2;
    if (offset > 65535 && native.view) {
      const region = native.view(buffer, offset, words * 4);
      buffer = region.buffer as ArrayBuffer;
      offset = region.byteOffset;
    }
    checkHeader(this.words = new Int32Array(buffer, offset, words));
  }

  /** Loads the program into a fresh arena: the native layer checks it first. */
  allocateTensors(): void {
    const needed = this.words[W_ARENA];
    const size = this._size || needed;
    if (size < needed) {
      fail('E_ARENA_TOO_SMALL', 'arena of ' + size + ' bytes is too small: this model needs ' +
        needed + ' bytes (arenaSize >= ' + needed + ')');
    }
    this.place(newArena(this.native, size));
  }

  /**
   * Loads the program into `arena`: a fresh block (allocateTensors), or this
   * program's view of a shared block whose shared region starts `sharedAt`
   * bytes past its context and which has `total` bytes in use (allocateShared).
   */
  place(arena: ArrayBuffer | Uint8Array, sharedAt?: number, total?: number): void {
    const native = this.native;
    const self = this as any;
    delete self.invoke;
    delete this._arena;
    delete this._total;
    this._views = {};
    const status = native.load(arena, this.bytes, this._section, sharedAt);
    if (status) this._failure(arena, status);
    this._arena = arena;
    if (total) this._total = total;
    // From now on m.invoke() is the native call itself: the binding hands a
    // failed status to the handler, which throws. On a microcontroller a
    // script-level call costs more than a small model's kernels. The handler
    // is bound, not a closure: a closure would keep this call's scope alive.
    if (native.invoke.bind) self.invoke = native.invoke.bind(native, arena, this._failure.bind(this, arena));
  }

  /** Runs every op. (After allocateTensors, an own property: the bound native call.) */
  invoke(): void {
    const arena = this._loaded();
    const status = this.native.invoke(arena);
    if (status) this._failure(arena, status);
  }

  /** Variable tensors and op state start over (TFLM ResetVariableTensors). */
  resetVariables(): void {
    this.native.reset(this._loaded());
  }

  inputCount(): number { return this._at()[0]; }
  outputCount(): number { return this._at()[1]; }

  /** Name, dtype, shape, scale and zero point of input i (every engine, Espruino too). */
  inputInfo(i: number): TensorInfo { return tensorAt(this.words, this._record(0, i)); }
  outputInfo(i: number): TensorInfo { return tensorAt(this.words, this._record(1, i)); }

  input(i: number): TensorView { return this._view(this._record(0, i)); }
  output(i: number): TensorView { return this._view(this._record(1, i)); }

  /**
   * Per-op figures of the last invoke (qemu-m4: instructions per op), or null
   * where the board has no per-op profiler.
   */
  profile(): OpProfile | null {
    const native = this.native;
    return native.profile ? native.profile(this._loaded()) : null;
  }

  /**
   * Arena bytes in use (context + planned section + program; in a shared
   * block, the whole block's); before allocateTensors, the bytes it will need.
   */
  arenaUsedBytes(): number {
    return this._total || (this._arena ? this.native.info(this._arena, Info.USED_BYTES) : this.words[W_ARENA]);
  }

  private _at(): number[] {
    return this._meta || (this._meta = readMeta(this.words));
  }

  /** Where input (list 0) or output (list 1) i's meta record starts. */
  private _record(list: number, i: number): number {
    const at = this._at();
    const what = list ? 'output' : 'input';
    if (!((i | 0) === i && i >= 0 && i < at[list])) fail('E_BAD_INPUT', what + '(' + i + '): the model has ' + at[list] + ' ' + what + '(s)');
    return at[2 + list * at[0] + i];
  }

  private _loaded(): ArrayBuffer | Uint8Array {
    return this._arena || fail('E_BAD_STATE', 'call allocateTensors() before invoke()/input()/output()');
  }

  private _view(p: number): TensorView {
    const arena = this._loaded();
    const cached = (this._views as { [p: number]: TensorView })[p];
    if (cached) return cached;
    const native = this.native;
    // The record's words (packed.ts: tensorAt), read in place: the view needs
    // no name, scale nor shape object.
    const w = this.words;
    const dtype = w[p + 1], where = w[p + 2], offset = w[p + 3], bytes = w[p + 4], rank = w[p + 7];
    let buffer: ArrayBuffer | null = arena as ArrayBuffer;
    // Planned-section offsets below the split lie in the program's own part,
    // the rest in the (maybe shared) region after it.
    const split = native.info(arena, Info.SPLIT);
    let byteOffset = (offset < split ? native.info(arena, Info.PLANNED_OFFSET) : native.info(arena, Info.SHARED_OFFSET) - split) +
      offset;
    if (!(arena instanceof ArrayBuffer)) {
      buffer = arena.buffer as ArrayBuffer;
      byteOffset += arena.byteOffset;
    }
    let limit = native.info(arena, Info.PLANNED_BYTES);
    if (where === 2) {
      buffer = this.bytes.buffer as ArrayBuffer;
      byteOffset = this.bytes.byteOffset + offset;
      limit = this.bytes.length;
    } else if (where === 0) {
      // A graph input no op reads: its view gets bytes of its own (made
      // below, once checked), no more than the arena holds.
      buffer = null;
      byteOffset = 0;
      limit = arena.byteLength;
    }
    let count = 1;
    for (let k = 0; k < rank && k < 8; k++) count *= w[p + 8 + k] >= 0 ? w[p + 8 + k] : NaN;
    // TFLite dtype -> view type (others: raw bytes) and element bytes. Only
    // the one constructor used is named: Espruino keeps each it meets.
    const V: any = dtype === 0 ? Float32Array : dtype === 2 ? Int32Array : dtype === 3 || dtype === 6 ? Uint8Array :
      dtype === 7 ? Int16Array : dtype === 9 ? Int8Array : 0;
    const size = +'4141811211118114'.charAt(dtype) || 1;
    // The section passed its hash, but a hash is no proof: every figure is
    // checked before a buffer or a view is made from it.
    if (!(offset >= 0 && bytes >= count * size && offset + bytes <= limit && where >= 0 && where <= 2 &&
      byteOffset % (V ? size : 1) === 0)) {
      fail('E_BAD_PACK', 'tensor ' + w[p] + ' lies outside its memory: pack the model again');
    }
    if (!buffer) buffer = new ArrayBuffer(bytes);
    // Espruino's typed arrays take a 16-bit byteOffset: its binding offers
    // view(), a Uint8Array over just these bytes at offset 0 of its buffer.
    if (byteOffset > 65535 && native.view) {
      const region = native.view(buffer, byteOffset, bytes);
      buffer = region.buffer as ArrayBuffer;
      byteOffset = region.byteOffset;
    }
    const v = (V ? new V(buffer, byteOffset, count) : new Uint8Array(buffer, byteOffset, bytes)) as TensorView;
    // Espruino refuses new properties on typed arrays (use inputInfo() and
    // outputInfo() there). It also lacks Object.isExtensible: asking, not
    // trying, spares it the stack trace a caught error leaves in variables.
    if (Object.isExtensible && Object.isExtensible(v)) {
      const t = tensorAt(w, p);
      v.shape = t.shape;
      v.dtype = t.dtype;
      v.scale = t.scale;
      v.zeroPoint = t.zeroPoint;
      v.tensorIndex = t.index;
    }
    return (this._views as { [p: number]: TensorView })[p] = v;
  }

  /** Turns a native status into a TinyMLError naming the op involved. */
  private _failure(arena: ArrayBuffer | Uint8Array, status: number): never {
    const native = this.native;
    const name = STATUS_NAMES.split(',')[status] || 'E_UNKNOWN';
    const errOp = native.info(arena, Info.ERR_OP);
    const detail = native.info(arena, Info.ERR_DETAIL);
    if (status === Status.ARENA_TOO_SMALL) {
      return fail('E_ARENA_TOO_SMALL', 'the arena is too small: this model needs ' + detail + ' bytes');
    }
    if (status === Status.BAD_PACK) return corrupt('check ' + detail);
    if (status === Status.PACK_MISMATCH) return fail('E_PACK_MISMATCH', 'the packed program was made for other model bytes: pack this model');
    if (status === Status.PACK_VERSION) return fail('E_PACK_VERSION', 'packed for another runtime (version ' + detail + '): pack the model again');
    let where = '';
    // The op table: [opIndex, opCode] pairs, at[n - 2] onwards, at[n - 1] words.
    const at = this._at(), n = at.length, w = this.words;
    if (errOp >= 0 && 2 * errOp + 1 < at[n - 1]) {
      const code = w[at[n - 2] + 2 * errOp + 1];
      where = 'op ' + w[at[n - 2] + 2 * errOp] + ' (' + (planner ? planner.opName(code) : 'builtin ' + code) + '): ';
    }
    if (status === Status.BAD_DATA) {
      return fail('E_BAD_INPUT', where + detail + ' input value(s) out of range at invoke (e.g. GATHER indices)');
    }
    throw new TinyMLError('E_NATIVE', where + 'native layer refused the program with ' + name + ' (detail ' + detail + ')');
  }
}

/** The bytes of a model given as a Uint8Array, an ArrayBuffer or any typed array. */
function asBytes(m: any): Uint8Array {
  if (m instanceof Uint8Array) return m;
  if (m instanceof ArrayBuffer) return new Uint8Array(m);
  if (m && m.buffer instanceof ArrayBuffer && typeof m.byteLength === 'number') {
    return new Uint8Array(m.buffer, m.byteOffset, m.byteLength);
  }
  return fail('E_BAD_INPUT', 'the model must be a Uint8Array, an ArrayBuffer or a typed array over the .tflite bytes, got ' +
    describe(m));
}

function describe(x: any): string {
  return x === null ? 'null' : typeof x === 'object' ? 'an object' : typeof x + (typeof x === 'string' ? ' "' + x + '"' : ' ' + x);
}
