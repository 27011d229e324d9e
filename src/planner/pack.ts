// The packer: a model's op program and the metadata the device core needs,
// as a packed section (layout in native/include/tinyml.h). Runs on the host
// (`tinyml pack`) and, as the on-device planner add-on, on a board. The
// section depends only on the model bytes: packing is deterministic.
import { PreparedModel } from './prepare';
import { TensorInfo } from './model/types';
import { builtinName } from './model/names';
import { fail } from '../core/errors';
import { PROGRAM_VERSION } from '../core/native';
import {
  PACK_MAGIC, PACK_VERSION, PACK_HEADER_WORDS, PACK_FOOTER_WORDS, packedSectionAt, wordAt,
  W_MAGIC, W_VERSION, W_RUNTIME, W_MODEL_BYTES, W_MODEL_HASH, W_WORDS, W_HASH, W_PROGRAM, W_PROGRAM_WORDS,
  W_META, W_META_WORDS, W_ARENA,
} from '../core/packed';

/** The model proper of a possibly packed file (the bytes before its section). */
export function modelPart(bytes: Uint8Array): Uint8Array {
  const at = packedSectionAt(bytes);
  if (at < 0) return bytes;
  if (!(at >= 0 && at + 4 * PACK_HEADER_WORDS <= bytes.length)) fail('E_BAD_PACK', 'the packed section is truncated or corrupt (footer)');
  const m = wordAt(bytes, at + 4 * W_MODEL_BYTES);
  if (!(m >= 0 && m <= at)) fail('E_BAD_PACK', 'the packed section is truncated or corrupt (model size)');
  return bytes.subarray(0, m);
}

/** The packed section of a model (a packed file's model part is re-planned). */
export function packSection(bytes: Uint8Array): Uint8Array {
  return sectionOf(new PreparedModel(modelPart(bytes)));
}

/** The packed section of a prepared model. */
export function sectionOf(prepared: PreparedModel): Uint8Array {
  const model = prepared.model.bytes;
  const plan = prepared.plan();
  const program = prepared.program();
  const meta = metaWords(prepared);
  const words = PACK_HEADER_WORDS + program.length + meta.length + PACK_FOOTER_WORDS;
  const out = new Int32Array(words);
  out[W_MAGIC] = PACK_MAGIC;
  out[W_VERSION] = PACK_VERSION;
  out[W_RUNTIME] = PROGRAM_VERSION;
  out[W_MODEL_BYTES] = model.length;
  out[W_MODEL_HASH] = packHash(model, 0, model.length, -1);
  out[W_WORDS] = words;
  out[W_PROGRAM] = PACK_HEADER_WORDS;
  out[W_PROGRAM_WORDS] = program.length;
  out[W_META] = PACK_HEADER_WORDS + program.length;
  out[W_META_WORDS] = meta.length;
  out[W_ARENA] = plan.arenaBytes;
  out.set(program, PACK_HEADER_WORDS);
  for (let i = 0; i < meta.length; i++) out[PACK_HEADER_WORDS + program.length + i] = meta[i];
  out[words - 2] = align16(model.length);
  out[words - 1] = PACK_MAGIC;
  const section = new Uint8Array(out.buffer);
  out[W_HASH] = packHash(section, 0, section.length, W_HASH);
  return section;
}

/** A packed file: the model, zeros to a 16-byte boundary, its section. */
export function packModel(bytes: Uint8Array): Uint8Array {
  const model = modelPart(bytes);
  const section = packSection(model);
  const at = align16(model.length);
  const file = new Uint8Array(at + section.length);
  file.set(model, 0);
  file.set(section, at);
  return file;
}

/** The on-device planner add-on for the core's setPlanner(). */
export const planner = {
  pack: packSection,
  opName: function (code: number): string { return builtinName(code); },
};

/** FNV-1a over little-endian 32-bit words (tml_pack_hash), word `skip` read as 0. */
export function packHash(b: Uint8Array, start: number, bytes: number, skip: number): number {
  let h = 0x811c9dc5;
  const words = Math.ceil(bytes / 4);
  for (let i = 0; i < words; i++) {
    let x = 0;
    for (let k = 3; k >= 0; k--) x = x << 8 | (4 * i + k < bytes ? b[start + 4 * i + k] : 0);
    if (i === skip) x = 0;
    h = mul32(h ^ x, 0x01000193);
  }
  return h | 0;
}

/** a * b mod 2^32 without Math.imul (ES5, Espruino): exact in doubles by halves. */
function mul32(a: number, b: number): number {
  return ((a & 0xffff) * b + (((a >>> 16) * b & 0xffff) << 16)) >>> 0;
}

function align16(n: number): number {
  return Math.ceil(n / 16) * 16;
}

const scratchF = new Float32Array(1);
const scratch = new Int32Array(scratchF.buffer);

/** Graph inputs and outputs (placement, dtype, shape, quantization, name), then the op table. */
function metaWords(prepared: PreparedModel): number[] {
  const g = prepared.model.subgraphs[0];
  const plan = prepared.plan();
  const out: number[] = [g.inputs.length, g.outputs.length];
  const tensor = function (index: number) {
    const t: TensorInfo = g.tensors[index];
    const place = plan.placements[index];
    scratchF[0] = t.scale.length ? t.scale[0] : 0;
    out.push(index, t.dtype, place.where, place.offset, t.bytes, scratch[0], t.zeroPoint.length ? t.zeroPoint[0] : 0, t.shape.length);
    for (let k = 0; k < t.shape.length; k++) out.push(t.shape[k]);
    const name = t.name;
    out.push(name.length);
    for (let k = 0; k < name.length; k += 4) {
      let w = 0;
      for (let j = Math.min(name.length, k + 4) - 1; j >= k; j--) w = w << 8 | name.charCodeAt(j) & 0xff;
      out.push(w);
    }
  };
  for (let i = 0; i < g.inputs.length; i++) tensor(g.inputs[i]);
  for (let i = 0; i < g.outputs.length; i++) tensor(g.outputs[i]);
  out.push(plan.ops.length);
  for (let s = 0; s < plan.ops.length; s++) {
    const op = g.operators[prepared.keptOpIndex[s]];
    out.push(op.index, op.builtin);
  }
  return out;
}
