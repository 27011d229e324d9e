'use strict';
// A few lines of FlatBuffer walking so tests can corrupt real models at the
// exact field they mean (instead of at hard-coded byte offsets).
function u32(b, p) { return b.readUInt32LE(p); }

/** Absolute position of field `id` of the table at `pos`, or -1 if absent. */
function field(b, pos, id) {
  const vt = pos - b.readInt32LE(pos);
  const vtSize = b.readUInt16LE(vt);
  if (4 + 2 * id >= vtSize) return -1;
  const off = b.readUInt16LE(vt + 4 + 2 * id);
  return off ? pos + off : -1;
}

/** Vector referenced by field `id`: { start, length }. */
function vector(b, pos, id) {
  const f = field(b, pos, id);
  if (f < 0) return null;
  const v = f + u32(b, f);
  return { start: v + 4, length: u32(b, v) };
}

/** Table element i of a vector of tables. */
function tableAt(b, vec, i) {
  const p = vec.start + 4 * i;
  return p + u32(b, p);
}

const root = (b) => u32(b, 0);
const subgraph = (b, i) => tableAt(b, vector(b, root(b), 2), i || 0);
const operator = (b, i, sg) => tableAt(b, vector(b, subgraph(b, sg), 3), i);
const tensor = (b, i, sg) => tableAt(b, vector(b, subgraph(b, sg), 0), i);
const opcode = (b, i) => tableAt(b, vector(b, root(b), 1), i);

/** Tensor index in input (output) slot `slot` of operator `op`. */
const opInput = (b, op, slot) => b.readInt32LE(vector(b, operator(b, op), 1).start + 4 * slot);
const opOutput = (b, op, slot) => b.readInt32LE(vector(b, operator(b, op), 2).start + 4 * slot);

/** Sets a tensor's stored dtype (the field must be present). */
function setType(b, t, dtype) {
  const f = field(b, tensor(b, t), 1);
  if (f < 0) throw new Error('tensor ' + t + ' has no stored type');
  b.writeInt8(dtype, f);
}

/**
 * A copy of the model at `file` whose subgraph 0 keeps only operators
 * first..last, with the given graph inputs and outputs (cut models for
 * checking ops against TFLM's per-op intermediates).
 */
function subModel(file, first, last, inputs, outputs) {
  const b = Buffer.from(require('fs').readFileSync(file));
  const sg = subgraph(b, 0);
  const ops = vector(b, sg, 3);
  const targets = [];
  for (let i = first; i <= last; i++) targets.push(tableAt(b, ops, i));
  targets.forEach((t, k) => b.writeUInt32LE(t - (ops.start + 4 * k), ops.start + 4 * k));
  b.writeUInt32LE(targets.length, ops.start - 4);
  const ins = vector(b, sg, 1);
  const outs = vector(b, sg, 2);
  if (ins.length < inputs.length || outs.length < outputs.length) throw new Error('io vectors too short');
  inputs.forEach((t, k) => b.writeInt32LE(t, ins.start + 4 * k));
  b.writeUInt32LE(inputs.length, ins.start - 4);
  outputs.forEach((t, k) => b.writeInt32LE(t, outs.start + 4 * k));
  b.writeUInt32LE(outputs.length, outs.start - 4);
  return b;
}

module.exports = {
  field, vector, tableAt, root, subgraph, operator, tensor, opcode,
  opInput, opOutput, setType, subModel,
};
