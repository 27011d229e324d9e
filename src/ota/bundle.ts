// Update bundles on the host (Node only): pack a build directory, sign it
// with Ed25519 (Node's crypto), read and verify bundles. The layout is the
// one native/ota/ota.c checks on the device (native/ota/README.md):
//   header (128) | Ed25519 signature of the header (64) | manifest (80 per file) | files
import * as fs from 'fs';
import * as path from 'path';
import * as crypto from 'crypto';
import { TinyMLError, ErrorCode } from '../core/errors';
import { formatVersion, parseVersion } from './codes';

export const MAGIC = 'TMLOTA01';
export const FORMAT = 1;
export const HEADER_SIZE = 128;
export const SIG_SIZE = 64;
export const ENTRY_SIZE = 80;
export const PREFIX_SIZE = HEADER_SIZE + SIG_SIZE;
export const BOARD_MAX = 24;
export const NAME_MAX = 32;
export const MAX_FILES = 64;
export const FILE_APP = 1;

/** Byte offsets of the header fields (also what the bad-bundle tests flip). */
export const H = {
  magic: 0, format: 8, headerSize: 10, total: 12, version: 16, flags: 20, board: 24, keyId: 48,
  fileCount: 56, payloadSize: 60, manifestHash: 64, reserved: 96,
};

export interface BundleFile {
  name: string;
  data: Uint8Array;
  app?: boolean;
}

export interface FileInfo {
  name: string;
  size: number;
  offset: number; // from the start of the bundle
  app: boolean;
  sha256: string;
}

export interface BundleInfo {
  version: number;
  versionText: string;
  board: string;
  keyId: string;
  total: number;
  files: FileInfo[];
  manifestSha256: string;
  signatureVerified: boolean;
}

function fail(code: ErrorCode, message: string): never {
  throw new TinyMLError(code, message);
}

function sha256(b: Uint8Array): Buffer {
  return crypto.createHash('sha256').update(b).digest();
}

function nameBytes(name: string): Buffer {
  const b = Buffer.alloc(NAME_MAX);
  b.write(name, 'latin1');
  return b;
}

function nameOk(name: string): boolean {
  return /^[A-Za-z0-9._-]{1,31}$/.test(name);
}

// ---- keys ----

export function generateKeyPair(): { privatePem: string; publicPem: string } {
  const k = crypto.generateKeyPairSync('ed25519');
  return {
    privatePem: k.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    publicPem: k.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
}

type KeyText = string | Uint8Array;

function keyInput(pem: KeyText): string | Buffer {
  return typeof pem === 'string' ? pem : Buffer.from(pem);
}

function toPublicKey(pem: KeyText): crypto.KeyObject {
  try {
    const k = crypto.createPublicKey(keyInput(pem));
    if (k.asymmetricKeyType !== 'ed25519') fail('E_OTA_KEY', 'not an Ed25519 public key');
    return k;
  } catch (e) {
    if (e instanceof TinyMLError) throw e;
    return fail('E_OTA_KEY', 'cannot read the public key: ' + (e as Error).message);
  }
}

function toPrivateKey(pem: KeyText): crypto.KeyObject {
  try {
    const k = crypto.createPrivateKey(keyInput(pem));
    if (k.asymmetricKeyType !== 'ed25519') fail('E_OTA_KEY', 'not an Ed25519 private key');
    return k;
  } catch (e) {
    if (e instanceof TinyMLError) throw e;
    return fail('E_OTA_KEY', 'cannot read the private key: ' + (e as Error).message);
  }
}

/** The 32 raw bytes of an Ed25519 public key (what the device stores). */
export function publicKeyRaw(pem: KeyText): Uint8Array {
  return rawOf(pem);
}

function rawOf(pem: KeyText): Buffer {
  const der = toPublicKey(pem).export({ type: 'spki', format: 'der' }) as Buffer;
  return der.subarray(der.length - 32);
}

export function keyIdOf(raw: Uint8Array): Uint8Array {
  return idOf(raw);
}

function idOf(raw: Uint8Array): Buffer {
  return sha256(raw).subarray(0, 8);
}

// ---- packing ----

export function pack(files: BundleFile[], board: string, version: number, privatePem: KeyText): Uint8Array {
  const key = toPrivateKey(privatePem);
  if (!(version >= 1 && version <= 0xffffffff && Math.floor(version) === version)) fail('E_OTA_BUILD', 'bad version ' + version);
  if (!board || board.length >= BOARD_MAX || !/^[\x21-\x7e]+$/.test(board)) fail('E_OTA_BUILD', 'bad board name "' + board + '"');
  if (files.length < 1 || files.length > MAX_FILES) fail('E_OTA_BUILD', 'a bundle holds 1 to ' + MAX_FILES + ' files, got ' + files.length);
  const sorted = files.slice().sort((a, b) => Buffer.compare(nameBytes(a.name), nameBytes(b.name)));
  let apps = 0;
  for (let i = 0; i < sorted.length; i++) {
    if (!nameOk(sorted[i].name)) fail('E_OTA_BUILD', 'file name "' + sorted[i].name + '": 1 to 31 of A-Z a-z 0-9 . _ -');
    if (i > 0 && sorted[i].name === sorted[i - 1].name) fail('E_OTA_BUILD', 'file "' + sorted[i].name + '" twice');
    if (sorted[i].app) apps++;
  }
  if (apps !== 1) fail('E_OTA_BUILD', 'exactly one file must be the app, got ' + apps);
  const manifest = Buffer.alloc(sorted.length * ENTRY_SIZE);
  const parts: Buffer[] = [];
  let off = 0;
  sorted.forEach((f, i) => {
    const e = manifest.subarray(i * ENTRY_SIZE, (i + 1) * ENTRY_SIZE);
    nameBytes(f.name).copy(e, 0);
    e.writeUInt32LE(f.data.length, 32);
    e.writeUInt32LE(off, 36);
    e.writeUInt32LE(f.app ? FILE_APP : 0, 40);
    sha256(f.data).copy(e, 48);
    const pad = (4 - (f.data.length % 4)) % 4;
    parts.push(Buffer.from(f.data), Buffer.alloc(pad));
    off += f.data.length + pad;
  });
  const payload = Buffer.concat(parts);
  const h = Buffer.alloc(HEADER_SIZE);
  h.write(MAGIC, H.magic, 'latin1');
  h.writeUInt16LE(FORMAT, H.format);
  h.writeUInt16LE(HEADER_SIZE, H.headerSize);
  h.writeUInt32LE(PREFIX_SIZE + manifest.length + payload.length, H.total);
  h.writeUInt32LE(version, H.version);
  h.write(board, H.board, 'latin1');
  idOf(rawOf(crypto.createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString())).copy(h, H.keyId);
  h.writeUInt32LE(sorted.length, H.fileCount);
  h.writeUInt32LE(payload.length, H.payloadSize);
  sha256(manifest).copy(h, H.manifestHash);
  const sig = crypto.sign(null, h, key);
  return Buffer.concat([h, sig, manifest, payload]);
}

/** build.json: { "board": name, "version"?: v, "app"?: file, "files"?: [names] }. */
export function packBuildDir(dir: string, privatePem: KeyText, version?: number): Uint8Array {
  let meta: { board?: unknown; version?: unknown; app?: unknown; files?: unknown };
  try {
    meta = JSON.parse(fs.readFileSync(path.join(dir, 'build.json'), 'utf8'));
  } catch (e) {
    return fail('E_OTA_BUILD', 'cannot read ' + path.join(dir, 'build.json') + ': ' + (e as Error).message);
  }
  if (typeof meta.board !== 'string') fail('E_OTA_BUILD', 'build.json has no "board"');
  let v = version;
  if (v === undefined && meta.version !== undefined) v = parseVersion(String(meta.version));
  if (v === undefined || v < 0) fail('E_OTA_BUILD', 'no valid version (--version, or "version" in build.json)');
  let names: string[];
  if (Array.isArray(meta.files)) names = meta.files.map(String);
  else names = fs.readdirSync(dir).filter((n) => n !== 'build.json' && fs.statSync(path.join(dir, n)).isFile());
  const appName = typeof meta.app === 'string' ? meta.app
    : ['app.js', 'app.dbc', 'app.bin'].filter((n) => names.indexOf(n) >= 0)[0];
  if (!appName || names.indexOf(appName) < 0) fail('E_OTA_BUILD', 'no app in ' + dir + ' (app.js, app.dbc, or "app" in build.json)');
  const files = names.map((n) => {
    let data: Buffer;
    try {
      data = fs.readFileSync(path.join(dir, n));
    } catch (e) {
      return fail('E_OTA_BUILD', 'cannot read ' + path.join(dir, n) + ': ' + (e as NodeJS.ErrnoException).code);
    }
    return { name: n, data, app: n === appName };
  });
  return pack(files, meta.board as string, v as number, privatePem);
}

// ---- reading and verifying ----

/** Reads a bundle's structure (no signature check unless publicPem is given). */
export function readBundle(b: Uint8Array, publicPem?: KeyText): BundleInfo {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.length);
  if (buf.length < PREFIX_SIZE) fail('E_OTA_SIZE', 'a bundle is at least ' + PREFIX_SIZE + ' bytes, got ' + buf.length);
  const h = buf.subarray(0, HEADER_SIZE);
  if (h.toString('latin1', 0, 8) !== MAGIC) fail('E_OTA_BAD_MAGIC', 'not an update bundle');
  if (h.readUInt16LE(H.format) !== FORMAT || h.readUInt16LE(H.headerSize) !== HEADER_SIZE) {
    fail('E_OTA_BAD_FORMAT', 'format ' + h.readUInt16LE(H.format) + ', header ' + h.readUInt16LE(H.headerSize) + ' bytes');
  }
  const total = h.readUInt32LE(H.total);
  const count = h.readUInt32LE(H.fileCount);
  const payload = h.readUInt32LE(H.payloadSize);
  const boardRaw = h.subarray(H.board, H.board + BOARD_MAX);
  const nul = boardRaw.indexOf(0);
  const board = boardRaw.toString('latin1', 0, nul < 0 ? BOARD_MAX : nul);
  if (h.readUInt32LE(H.flags) !== 0 || h.subarray(H.reserved).some((x) => x !== 0) || count < 1 || count > MAX_FILES ||
      payload % 4 !== 0 || total !== PREFIX_SIZE + count * ENTRY_SIZE + payload || nul < 1 ||
      boardRaw.subarray(nul).some((x) => x !== 0)) {
    fail('E_OTA_BAD_HEADER', 'inconsistent header');
  }
  if (buf.length < total) fail('E_OTA_TRUNCATED', 'the bundle is ' + buf.length + ' bytes, its header says ' + total);
  if (buf.length > total) fail('E_OTA_TOO_LONG', 'the bundle is ' + buf.length + ' bytes, its header says ' + total);
  let verified = false;
  if (publicPem !== undefined) {
    const raw = rawOf(publicPem);
    if (!idOf(raw).equals(h.subarray(H.keyId, H.keyId + 8))) fail('E_OTA_FOREIGN_KEY', 'signed with another key (key id ' + h.toString('hex', H.keyId, H.keyId + 8) + ')');
    if (!crypto.verify(null, h, toPublicKey(publicPem), buf.subarray(HEADER_SIZE, PREFIX_SIZE))) fail('E_OTA_BAD_SIGNATURE', 'the signature does not verify');
    verified = true;
  }
  const manifest = buf.subarray(PREFIX_SIZE, PREFIX_SIZE + count * ENTRY_SIZE);
  const mh = sha256(manifest);
  if (!mh.equals(h.subarray(H.manifestHash, H.manifestHash + 32))) fail('E_OTA_MANIFEST_HASH', 'the manifest does not match the header');
  const base = PREFIX_SIZE + manifest.length;
  const files: FileInfo[] = [];
  let expect = 0;
  let apps = 0;
  let prev: Buffer | null = null;
  for (let i = 0; i < count; i++) {
    const e = manifest.subarray(i * ENTRY_SIZE, (i + 1) * ENTRY_SIZE);
    const n = e.indexOf(0);
    const name = e.toString('latin1', 0, n < 0 ? NAME_MAX : n);
    const size = e.readUInt32LE(32), off = e.readUInt32LE(36), flags = e.readUInt32LE(40);
    const pad = (4 - (size % 4)) % 4;
    if (!nameOk(name) || e.subarray(n, NAME_MAX).some((x) => x !== 0) || (prev && Buffer.compare(prev, e.subarray(0, NAME_MAX)) >= 0) ||
        off !== expect || size + pad > payload - off || (flags & ~FILE_APP) !== 0 || e.readUInt32LE(44) !== 0 ||
        buf.subarray(base + off + size, base + off + size + pad).some((x) => x !== 0)) {
      fail('E_OTA_BAD_MANIFEST', 'entry ' + i + ' ("' + name + '") is malformed');
    }
    prev = e.subarray(0, NAME_MAX);
    if (!sha256(buf.subarray(base + off, base + off + size)).equals(e.subarray(48, 80))) fail('E_OTA_FILE_HASH', 'file "' + name + '" does not match its hash');
    if (flags & FILE_APP) apps++;
    files.push({ name, size, offset: base + off, app: (flags & FILE_APP) !== 0, sha256: e.toString('hex', 48, 80) });
    expect = off + size + pad;
  }
  if (expect !== payload || apps !== 1) fail('E_OTA_BAD_MANIFEST', 'the files do not fill the payload exactly, or not exactly one app');
  const version = h.readUInt32LE(H.version);
  return {
    version, versionText: formatVersion(version), board, keyId: h.toString('hex', H.keyId, H.keyId + 8), total, files,
    manifestSha256: mh.toString('hex'), signatureVerified: verified,
  };
}
