// Fusion passes over the prepared ops, before planning: an op whose work
// another op can do on the fly is marked `absorbed`, which saves its output
// buffer. Fused kernels compute exactly what the separate ops compute.
import { ModelInfo, SubgraphInfo } from './model/types';
import { PreparedOp } from './ops/types';

// tml_kernel_kind values (native/include/tinyml.h).
const K_CONV_S8 = 4, K_CONV_F32 = 5, K_ADDSUB_Q = 20, K_BINARY = 23;
const K_CONV_ADD_S8 = 24, K_CONV_ADD_F32 = 25;
// Param word positions: after the 18 broadcast-shape words of an ADD come
// dtype then is_sub (quantized) or op (unquantized); tml_conv_params has
// out_w, out_c at 19, 20.
const ADD_DTYPE = 18, ADD_OP = 19, CONV_OUT_W = 19, CONV_OUT_C = 20;
const DT_FLOAT32 = 0, DT_INT8 = 9;

function sameShape(a: number[], b: number[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * CONV_2D immediately followed by an ADD of its output to a same-shape
 * tensor x becomes one op that computes the conv a row at a time and adds
 * each row to x at once (over x's memory when x dies there): the conv output
 * never exists whole. Only when the conv output feeds that ADD alone and is
 * no graph output, and the conv does not read x (x may be overwritten).
 */
export function fuseOps(_model: ModelInfo, graph: SubgraphInfo, ops: PreparedOp[]): void {
  // Uses of each tensor as an op input or graph output; alias root of
  // each tensor through RESHAPE-like ops (whether or not the planner aliases).
  const uses: number[] = [], root: number[] = [];
  for (let t = 0; t < graph.tensors.length; t++) { uses.push(0); root.push(t); }
  for (let k = 0; k < graph.outputs.length; k++) if (graph.outputs[k] >= 0) uses[graph.outputs[k]]++;
  for (let i = 0; i < ops.length; i++) {
    const p = ops[i];
    for (let k = 0; k < p.inputs.length; k++) if (p.inputs[k] >= 0) uses[p.inputs[k]]++;
    if (p.aliasOutputToInput && p.inputs[0] >= 0 && p.outputs[0] >= 0) root[p.outputs[0]] = root[p.inputs[0]];
  }
  for (let i = 0; i + 1 < ops.length; i++) {
    const conv = ops[i], add = ops[i + 1];
    const s8 = conv.kind === K_CONV_S8 && add.kind === K_ADDSUB_Q &&
      add.params[ADD_DTYPE] === DT_INT8 && add.params[ADD_OP] === 0;
    const f32 = conv.kind === K_CONV_F32 && add.kind === K_BINARY &&
      add.params[ADD_DTYPE] === DT_FLOAT32 && add.params[ADD_OP] === 0;
    if (!(s8 || f32) || conv.absorbed || add.absorbed || conv.buffers || add.buffers) continue;
    const c = conv.outputs[0];
    const slot = add.inputs[0] === c ? 0 : 1;
    const x = add.inputs[1 - slot], out = add.outputs[0];
    if (add.inputs[slot] !== c || x === c || x < 0 || uses[c] !== 1) continue;
    if (graph.tensors[c].isVariable || root[x] === root[conv.inputs[0]]) continue;
    const shape = graph.tensors[c].shape;
    if (!sameShape(shape, graph.tensors[x].shape) || !sameShape(shape, graph.tensors[out].shape)) continue;
    conv.absorbed = true;
    ops[i + 1] = {
      kind: s8 ? K_CONV_ADD_S8 : K_CONV_ADD_F32,
      inputs: [conv.inputs[0], conv.inputs[1], conv.inputs[2], x],
      outputs: [out],
      params: conv.params.concat(add.params, [slot]),
      inPlaceInputs: [3],
      buffers: [{ bytes: conv.params[CONV_OUT_W] * conv.params[CONV_OUT_C] * (s8 ? 1 : 4), state: false }],
    };
    i++;
  }
}
