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

module.exports = { field, vector, tableAt, root, subgraph, operator, tensor, opcode };
