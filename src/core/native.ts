// The TypeScript face of the native module: one interface on every engine.
// Bindings (Node addon, Duktape, JerryScript, Espruino) install an object with
// these five functions as the global `__tinyml_native` (on Node the host entry
// installs the addon with setNative()).
import { fail } from './errors';

/**
 * An arena block, or a Uint8Array over a shared block from one program's
 * context on (tml_load_shared: its shared region starts `sharedAt` bytes
 * past that context).
 */
export type Arena = ArrayBuffer | Uint8Array;

export interface NativeModule {
  /** A fresh zero-filled block for one interpreter's arena. */
  arena(size: number): ArrayBuffer;
  /**
   * tml_load: checks and copies the op program into the arena; returns a
   * tml_status. Without `program`, `model` is a packed file; with a
   * Uint8Array, that is the model's packed section (tml_load_packed).
   * With `sharedAt`, the program shares its block (tml_load_shared).
   */
  load(arena: Arena, model: Uint8Array, program?: Int32Array | Uint8Array, sharedAt?: number): number;
  /** Runs the program; a failed status goes to onError (if given), whose result is returned. */
  invoke(arena: Arena, onError?: (status: number) => unknown): number;
  reset(arena: Arena): number;
  info(arena: Arena, key: number): number;
  /**
   * Optional (Espruino): a Uint8Array over `bytes` bytes of `buffer` from
   * `offset`, for engines whose typed arrays cannot take offsets above 65535.
   */
  view?(buffer: ArrayBuffer, offset: number, bytes: number): Uint8Array;
  /**
   * Optional (boards with a per-op profiler: qemu-m4): per-op figures of the
   * last invoke, in program order, and each op's kernel kind.
   */
  profile?(arena: Arena): OpProfile;
}

/** What profile() returns: `ops[i]` is op i's cost in `unit`. */
export interface OpProfile {
  unit: string;
  ops: number[];
  kinds: number[];
}

/**
 * native.arena(size) as a TinyMLError: a board whose block is used up (the
 * qemu-m4 firmware, the esp32's static block) refuses with its own error.
 */
export function newArena(native: NativeModule, size: number): ArrayBuffer {
  try {
    return native.arena(size);
  } catch (e) {
    return fail('E_ARENA_TOO_SMALL', 'no room for an arena of ' + size + ' bytes: ' + ((e as Error).message || e));
  }
}

/** tml_status values (native/include/tinyml.h). */
export const enum Status {
  OK = 0, BAD_ARG = 1, BAD_PROGRAM = 2, ARENA_TOO_SMALL = 3, BAD_INDEX = 4,
  OUT_OF_BOUNDS = 5, UNSUPPORTED_OP = 6, BAD_PARAMS = 7, MISALIGNED = 8,
  NOT_LOADED = 9, BAD_DTYPE = 10, READ_ONLY = 11, BAD_DATA = 12,
  BAD_PACK = 13, PACK_MISMATCH = 14, PACK_VERSION = 15,
}

export const STATUS_NAMES = 'OK,E_BAD_ARG,E_BAD_PROGRAM,E_ARENA_TOO_SMALL,E_BAD_INDEX,' +
  'E_OUT_OF_BOUNDS,E_UNSUPPORTED_OP,E_BAD_PARAMS,E_MISALIGNED,E_NOT_LOADED,E_BAD_DTYPE,E_READ_ONLY,E_BAD_DATA,' +
  'E_BAD_PACK,E_PACK_MISMATCH,E_PACK_VERSION';

export const enum Info {
  PLANNED_OFFSET = 1, USED_BYTES = 2, PERSISTENT_BYTES = 3, PLANNED_BYTES = 4,
  ERR_OP = 5, ERR_DETAIL = 6, SPLIT = 8, SHARED_OFFSET = 9,
}

/** Layout constants shared with native/core (TML_CTX_BYTES, alignment, record sizes). */
export const CTX_BYTES = 64;
export const ARENA_ALIGN = 16;
export const PROGRAM_MAGIC = 0x314c4d54;
export const PROGRAM_VERSION = 1;
export const HEADER_WORDS = 6;
export const TENSOR_WORDS = 4;

export function alignUp(n: number): number {
  return Math.ceil(n / ARENA_ALIGN) * ARENA_ALIGN;
}

/** Arena bytes for a plan, as tml_arena_bytes_needed computes them (incl. alignment slack). */
export function arenaBytesNeeded(plannedBytes: number, programWords: number): number {
  return ARENA_ALIGN - 1 + CTX_BYTES + alignUp(plannedBytes) + programWords * 4;
}

/** Arena bytes in use once loaded (without the block's alignment pad). */
export function arenaBytesUsed(plannedBytes: number, programWords: number): number {
  return CTX_BYTES + alignUp(plannedBytes) + programWords * 4;
}

declare const __tinyml_native: NativeModule | undefined;

let override: NativeModule | null = null;

/** Lets a host (tests, the Node entry) install the module explicitly. */
export function setNative(mod: NativeModule): void {
  override = mod;
}

export function getNative(): NativeModule {
  if (override) return override;
  if (typeof __tinyml_native !== 'undefined' && __tinyml_native) return __tinyml_native;
  return fail('E_NO_NATIVE', 'the tinyml native module is not registered on this engine ' +
    '(its binding must define the global __tinyml_native)');
}
