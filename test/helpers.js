'use strict';
// Shared test plumbing: where the shared models live, the golden manifest,
// the built bundles, and a CLI runner that never hides stderr.
const fs = require('fs');
const path = require('path');
const os = require('os');
const { spawnSync } = require('child_process');

const ROOT = path.join(__dirname, '..');
const MODELS = process.env.TINYML_MODELS || path.resolve(ROOT, '..', 'shared', 'models');

function requireFile(file, hint) {
  if (!fs.existsSync(file)) throw new Error(file + ' is missing: ' + hint);
  return file;
}

function golden() {
  requireFile(path.join(MODELS, 'golden', 'golden.json'), 'set TINYML_MODELS to the shared/models directory');
  return JSON.parse(fs.readFileSync(path.join(MODELS, 'golden', 'golden.json'), 'utf8'));
}

function opsGolden() {
  return JSON.parse(fs.readFileSync(path.join(MODELS, 'ops', 'golden', 'ops.json'), 'utf8'));
}

/** The Node bundle (runtime + CLI), built by `npm run build`. */
function tinyml() {
  return require(requireFile(path.join(ROOT, 'dist', 'tinyml.node.js'), 'run `npm run build`'));
}

function readBytes(file) {
  const b = fs.readFileSync(file);
  const u = new Uint8Array(b.length);
  u.set(b);
  return u;
}

function tmpDir() {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tinyml-test-'));
}

/** Runs `tinyml ...` as a user would; returns { status, signal, stdout, stderr }. */
function cli(args, opts) {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'bin', 'tinyml.js')].concat(args),
    Object.assign({ encoding: 'utf8', cwd: ROOT }, opts || {}));
  return { status: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr };
}

/** A function writing files into `dir`: write(name, bytes) -> path. */
function tmpWriter(dir) {
  return function write(name, bytes) {
    const f = path.join(dir, name);
    fs.writeFileSync(f, bytes);
    return f;
  };
}

/**
 * Runs the CLI expecting the failure contract: no signal, a non-zero exit and
 * exactly one stderr line `tinyml: CODE: ...`; returns that line.
 */
function runFails(args, code) {
  const assert = require('assert');
  const r = cli(args);
  assert.strictEqual(r.signal, null, 'died with ' + r.signal);
  assert.notStrictEqual(r.status, 0, 'expected a failure, stderr: ' + r.stderr);
  const lines = r.stderr.trim().split('\n');
  assert.strictEqual(lines.length, 1, 'expected one line, got:\n' + r.stderr);
  assert.ok(lines[0].startsWith('tinyml: ' + code + ': '), 'expected ' + code + ', got: ' + lines[0]);
  return lines[0];
}

/** runFails for `tinyml run <model> --input <input> --engine <engine>`. */
function runModelFails(model, input, engine, code) {
  return runFails(['run', model, '--input', input, '--output', path.join(os.tmpdir(), 'tinyml-fail.bin'),
    '--engine', engine], code);
}

/** A shipped single-op model's bytes, as a Buffer to patch. */
function opModel(name) {
  return Buffer.from(fs.readFileSync(path.join(MODELS, 'ops', name + '.tflite')));
}

/** xorshift32 inputs as golden.json's `prng` section defines them. */
function prngInput(model, seed, variant) {
  let x = seed >>> 0;
  const next = () => {
    x = (x ^ (x << 13)) >>> 0;
    x = (x ^ (x >>> 17)) >>> 0;
    x = (x ^ (x << 5)) >>> 0;
    return x;
  };
  const chunks = [];
  for (const t of model.inputs) {
    const n = t.shape.reduce((a, b) => a * b, 1);
    const buf = Buffer.alloc(t.bytes);
    for (let i = 0; i < n; i++) {
      const v = next();
      switch (t.dtype) {
        case 'INT8':
          buf.writeInt8(variant === 'zp' ? Math.max(-128, Math.min(127, t.zero_point + (v & 0x3f) - 32)) : ((v & 0xff) ^ 0x80) - 0x80, i);
          break;
        case 'UINT8': buf.writeUInt8(v & 0xff, i); break;
        case 'INT16': buf.writeInt16LE(((v & 0xffff) ^ 0x8000) - 0x8000, i * 2); break;
        case 'INT32': buf.writeInt32LE(v | 0, i * 4); break;
        case 'FLOAT32': buf.writeFloatLE((v >>> 8) * Math.pow(2, -23) - 1, i * 4); break;
        case 'BOOL': buf.writeUInt8(v & 1, i); break;
        default: throw new Error('prng: dtype ' + t.dtype);
      }
    }
    chunks.push(buf);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/** Index of the first differing byte, or -1. */
function firstDiff(a, b) {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

module.exports = {
  ROOT, MODELS, golden, opsGolden, tinyml, readBytes, tmpDir, cli, prngInput, firstDiff,
  tmpWriter, runFails, runModelFails, opModel,
};
