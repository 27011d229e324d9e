// The update API an app uses on the device (ES5; global `tinymlOta` in
// dist/tinyml.ota.js), over the native store (`__tinyml_ota`,
// native/bindings/common/ota_glue.h). Every refusal throws a TinyMLError
// whose code says why (E_OTA_DOWNGRADE, E_OTA_BAD_SIGNATURE, ...); the
// running version keeps running whatever happens.
import { TinyMLError } from '../core/errors';
import { OTA_CODES, OTA_MESSAGES } from './codes';

interface OtaNative {
  begin(size: number): number;
  write(chunk: Uint8Array, offset: number): number;
  finish(): number;
  confirm(): number;
  abort(): number;
  info(key: number): number;
  file(name: string): Uint8Array | null;
}

declare const __tinyml_ota: OtaNative | undefined;

export interface OtaStatus {
  state: string; // 'empty' | 'normal' | 'pending' | 'trying'
  version: number; // running version
  trial: boolean; // this boot is a trial: confirm() or the next boot falls back
  pendingVersion: number;
  received: number;
  size: number;
  rolledBack: boolean;
  failedVersion: number;
  slotBytes: number;
}

const STATES = ['empty', 'normal', 'pending', 'trying'];

function native(): OtaNative {
  if (typeof __tinyml_ota === 'undefined') throw new TinyMLError('E_NO_NATIVE', 'this board has no update store (__tinyml_ota)');
  return __tinyml_ota;
}

function check(status: number, what: string): void {
  if (status === 0) return;
  const code = OTA_CODES[status] || 'E_OTA_ARG';
  throw new TinyMLError(code, what + ': ' + (OTA_MESSAGES[status] || 'status ' + status));
}

function uint(v: number, what: string): number {
  if (typeof v !== 'number' || !(v >= 0 && v <= 4294967295) || Math.floor(v) !== v) {
    throw new TinyMLError('E_OTA_ARG', what + ' must be an integer from 0 to 4294967295');
  }
  return v;
}

/** Opens a session for a bundle of `size` bytes (into the inactive slot). */
export function begin(size: number): void {
  check(native().begin(uint(size, 'begin: size')), 'begin');
}

/** The next chunk, of any size; offset (default: right after the last one) catches lost or repeated chunks. */
export function write(chunk: Uint8Array, offset?: number): void {
  if (!(chunk instanceof Uint8Array)) throw new TinyMLError('E_OTA_ARG', 'write: chunk must be a Uint8Array');
  const n = native();
  const at = offset === undefined ? n.info(4) : uint(offset, 'write: offset');
  check(n.write(chunk, at), 'write at ' + at);
}

/** Verifies what is in flash (signature, manifest, every file); the next boot runs it on trial. */
export function finish(): void {
  check(native().finish(), 'finish');
}

/** Keeps the version on trial. Harmless when nothing is on trial. */
export function confirm(): void {
  check(native().confirm(), 'confirm');
}

export function abort(): void {
  native().abort();
}

export function status(): OtaStatus {
  const n = native();
  return {
    state: STATES[n.info(0)] || 'unknown',
    version: n.info(1),
    trial: n.info(2) === 1,
    pendingVersion: n.info(3),
    received: n.info(4),
    size: n.info(5),
    rolledBack: n.info(6) === 1,
    failedVersion: n.info(7),
    slotBytes: n.info(8),
  };
}

/**
 * A file of the running version (a packed model, data...), in place in
 * memory-mapped flash: no copy, and read-only (it is flash). null if the
 * bundle has no such file or the board's flash is not memory-mapped.
 */
export function file(name: string): Uint8Array | null {
  if (typeof name !== 'string') throw new TinyMLError('E_OTA_ARG', 'file: name must be a string');
  return native().file(name);
}

export function version(): number {
  return native().info(1);
}
