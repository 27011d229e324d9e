// Several models, one arena (TFLM's multi-tenant arena). Interpreters that
// run one after another (a front end, then a classifier) need their
// activations only while they run, so one region can hold everyone's; only
// what must outlive an invoke (state: variables, op state) and what the
// native layer keeps (context, program copy) is per model. Layout, from the
// block's first 16-byte aligned byte (native/include/tinyml.h):
//
//   [ctx A][A state][A program][ctx B][B state][B program][shared region]
//
// A program's state is the start of its planned section (the planner puts
// state first): [0, split); the rest, [split, planned), lies in the shared
// region, as big as the largest such rest. The native layer checks every
// offset; this module only chooses them.
import type { Interpreter } from '../core/interpreter';
import { fail } from '../core/errors';
import { W_ARENA, W_PROGRAM, W_PROGRAM_WORDS } from '../core/packed';
import { newArena } from '../core/native';

const CTX_BYTES = 64;
const PLACE_KNOWN = 0x1ff, STATE_IN_ARENA = 0x101, IN_ARENA = 1;

/** Where each program goes in a shared block, and what it saves. */
export interface SharedLayout {
  /** Offset of each program's context from the block's first 16-byte aligned byte. */
  at: number[];
  /** Offset of the shared region from each context (0: the program shares nothing). */
  sharedAt: number[];
  /** Bytes in use from the aligned base: what arenaUsedBytes() reports. */
  usedBytes: number;
  /** Bytes the block needs: usedBytes plus the worst alignment pad (15). */
  arenaBytes: number;
  /** What the programs need in separate arenas, added up (their arenaBytes). */
  separateBytes: number;
}

function align16(n: number): number {
  return Math.ceil(n / 16) * 16;
}

/**
 * The own part of a program (tml_load_shared's split): its state tensors
 * end below it. A plan where another tensor crosses that line (an offline
 * memory plan) cannot share: the whole planned section is its own then.
 */
function splitOf(w: Int32Array): number {
  const p = w[W_PROGRAM], n = w[p + 2], planned = w[p + 4];
  let split = 0;
  for (let t = p + 6; t < p + 6 + 4 * n; t += 4) {
    if ((w[t + 1] & PLACE_KNOWN) === STATE_IN_ARENA) split = Math.max(split, align16(w[t + 2] + w[t + 3]));
  }
  split = Math.min(split, planned);
  for (let t = p + 6; t < p + 6 + 4 * n; t += 4) {
    if ((w[t + 1] & 0xff) === IN_ARENA && w[t + 2] < split && w[t + 2] + w[t + 3] > split) return planned;
  }
  return split;
}

/** The layout of a shared block for packed sections (as Int32Arrays over their words). */
export function sharedLayout(sections: Int32Array[]): SharedLayout {
  const at: number[] = [], sharedAt: number[] = [];
  let end = 0, shared = 0, separate = 0;
  for (let i = 0; i < sections.length; i++) {
    const w = sections[i];
    const planned = w[w[W_PROGRAM] + 4];
    const split = splitOf(w);
    at.push(end);
    end += CTX_BYTES + align16(split) + align16(4 * w[W_PROGRAM_WORDS]);
    shared = Math.max(shared, planned - split);
    separate += w[W_ARENA];
  }
  // The shared region follows every program; a program that shares nothing
  // gets sharedAt 0 (its planned section is all its own).
  for (let i = 0; i < sections.length; i++) {
    const w = sections[i];
    sharedAt.push(splitOf(w) < w[w[W_PROGRAM] + 4] ? end - at[i] : 0);
  }
  const used = end + align16(shared);
  return { at: at, sharedAt: sharedAt, usedBytes: used, arenaBytes: used + 15, separateBytes: separate };
}

/** Options of allocateShared. */
export interface SharedOptions {
  /** Block size in bytes; default: exactly what the layout needs. */
  arenaSize?: number;
}

/**
 * allocateTensors() for several interpreters at once, in one arena block:
 * each keeps its context, state and program; their activations share one
 * region. Use it instead of allocateTensors(); invoke, input(), output() and
 * resetVariables() then work as usual, and arenaUsedBytes() reports the
 * block's total. Because they share activations, an interpreter's input and
 * output views hold its data only until another one's invoke(): write the
 * inputs before each invoke and read the outputs before the next model runs
 * (TFLM's multi-tenant arena works the same way). State (LSTM, SVDF and
 * signal-op state) is kept per interpreter across the others' invokes.
 */
export function allocateShared(interpreters: Interpreter[], options?: SharedOptions): SharedLayout {
  const list = interpreters;
  if (!(list && typeof list.length === 'number' && list.length >= 1)) {
    fail('E_BAD_INPUT', 'allocateShared takes an array of one or more Interpreters');
  }
  const first = list[0];
  const words: Int32Array[] = [];
  for (let i = 0; i < list.length; i++) {
    const m = list[i];
    if (!(m && m.words instanceof Int32Array && typeof m.place === 'function')) {
      fail('E_BAD_INPUT', 'allocateShared: item ' + i + ' is not an Interpreter');
    }
    if (m.native !== first.native) fail('E_BAD_INPUT', 'allocateShared: the interpreters must use the same native module');
    for (let k = 0; k < i; k++) if (list[k] === m) fail('E_BAD_INPUT', 'allocateShared: interpreter ' + i + ' is listed twice');
    words.push(m.words);
  }
  const layout = sharedLayout(words);
  const o = options || {};
  const size = o.arenaSize === undefined ? layout.arenaBytes : o.arenaSize;
  if (!(typeof size === 'number' && Math.floor(size) === size && size >= 1 && size <= 0x7fffffff)) {
    fail('E_BAD_INPUT', 'arenaSize must be an integer number of bytes from 1 to 2147483647, got ' + String(size));
  }
  if (size < layout.arenaBytes) {
    fail('E_ARENA_TOO_SMALL', 'shared arena of ' + size + ' bytes is too small: these ' + list.length +
      ' models need ' + layout.arenaBytes + ' bytes together (arenaSize >= ' + layout.arenaBytes + ')');
  }
  const native = first.native;
  const block = newArena(native, size);
  for (let i = 0; i < list.length; i++) {
    const at = layout.at[i];
    // Each program sees the block from its context on. Espruino's views take
    // no byteOffset above 65535: its binding's view() makes one without.
    const view = at === 0 ? block : native.view ? native.view(block, at, size - at) : new Uint8Array(block, at);
    list[i].place(view, layout.sharedAt[i], layout.usedBytes);
    // Espruino's view() does not keep the block alive; the interpreters do.
    (list[i] as any).sharedBlock = block;
  }
  return layout;
}
