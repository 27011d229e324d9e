// Host-side (and on-device add-on) preparation of a model: read and verify
// the FlatBuffer, prepare every op (shapes, fixed-point multipliers, padding),
// plan the arena and build the op program the native layer runs. The packer
// (pack.ts) turns the result into a packed section; the device core never
// needs any of this.
import { readModel } from './model/reader';
import { ModelInfo, SubgraphInfo, TensorInfo, DType } from './model/types';
import { opName } from './model/names';
import { OpContext, PreparedOp } from './ops/types';
import { resolveOp } from './resolver';
import { planMemory, PlanBuffer } from './memory';
import { fuseOps } from './fuse';
import { fail } from '../core/errors';
import {
  arenaBytesNeeded, PROGRAM_MAGIC, PROGRAM_VERSION, HEADER_WORDS, TENSOR_WORDS, CTX_BYTES,
} from '../core/native';

/** Where one tensor lives after planning. */
export interface TensorPlacement {
  where: number; // 0 none, 1 arena (planned section), 2 model
  offset: number;
  state?: boolean;
  fill?: number;
}

/** A tensor as the planner sees it: a model tensor or an op's scratch/state buffer. */
interface TensorSpec {
  dtype: number;
  bytes: number;
  /** Constant data in the model bytes, -1 if none. */
  dataOffset: number;
  state: boolean;
  fill: number;
}

const PLACE_STATE = 0x100;

/** TFLite dtypes the native layer knows (tml_dtype_size), as ",n," tokens. */
const NATIVE_DTYPES = ',0,2,3,4,6,7,9,12,15,';

/** What planning decided, for the packer, inspect and tests. */
export interface Plan {
  ops: PreparedOp[];
  placements: TensorPlacement[];
  plannedBytes: number;
  programWords: number;
  persistentBytes: number;
  /** What an arena block must hold: tml_load's figure, alignment pad included. */
  arenaBytes: number;
}

const WHERE_NONE = 0, WHERE_ARENA = 1, WHERE_MODEL = 2;

export class PreparedModel {
  readonly model: ModelInfo;
  private readonly graph: SubgraphInfo;
  private planInfo: Plan | null = null;

  constructor(modelBytes: Uint8Array) {
    this.model = readModel(modelBytes);
    if (this.model.subgraphs.length < 1) fail('E_BAD_MODEL', 'the model has no subgraph');
    this.graph = this.model.subgraphs[0];
  }

  /**
   * Prepares every op and plans the arena, in steps: prepare (and fuse) the
   * ops, list the tensors the program touches, alias RESHAPE-like outputs,
   * lifetimes, in-place outputs, placement, and the program's size.
   */
  plan(): Plan {
    if (this.planInfo) return this.planInfo;
    const g = this.graph;
    const prepared: PreparedOp[] = [];
    for (let i = 0; i < g.operators.length; i++) prepared.push(this.prepareOp(i));
    fuseOps(this.model, g, prepared);
    const tensors = tensorSpecs(g, prepared);
    const alias = this.aliasReshapes(prepared, tensors);
    const kept = alias.kept;
    const life = lifetimes(g, tensors, alias.root, kept);
    this.planInPlace(kept, tensors, alias.root, life.last);
    const place = placeTensors(tensors, alias.root, life, offlineOffsets(this.model, g.tensors.length));

    let programWords = HEADER_WORDS + TENSOR_WORDS * tensors.length;
    for (let s = 0; s < kept.length; s++) {
      programWords += 4 + kept[s].inputs.length + kept[s].outputs.length + kept[s].params.length;
    }
    const needed = arenaBytesNeeded(place.plannedBytes, programWords);
    if (needed > 0x7fffffff) {
      fail('E_ARENA_TOO_SMALL', 'this model needs ' + needed + ' bytes of arena, more than any arena can hold (2 GiB)');
    }
    this.specs = tensors;
    this.keptOpIndex = alias.keptIndex;
    this.planInfo = {
      ops: kept,
      placements: place.placements,
      plannedBytes: place.plannedBytes,
      programWords: programWords,
      persistentBytes: CTX_BYTES + programWords * 4,
      arenaBytes: needed,
    };
    return this.planInfo;
  }

  /** RESHAPE-like ops whose output can share its input's memory disappear: root[t] is the tensor t lives in. */
  private aliasReshapes(prepared: PreparedOp[], tensors: TensorSpec[]): { root: number[]; kept: PreparedOp[]; keptIndex: number[] } {
    const root: number[] = [];
    for (let t = 0; t < tensors.length; t++) root.push(t);
    const kept: PreparedOp[] = [];
    const keptIndex: number[] = [];
    for (let i = 0; i < prepared.length; i++) {
      const p = prepared[i];
      if (p.absorbed) continue;
      if (p.aliasOutputToInput && p.inputs[0] >= 0 && this.canAlias(p.inputs[0], p.outputs[0])) {
        root[p.outputs[0]] = root[p.inputs[0]];
      } else {
        kept.push(p);
        keptIndex.push(i);
      }
    }
    return { root: root, kept: kept, keptIndex: keptIndex };
  }

  /** Model op index of every op of the program (fused and aliased ops left out). */
  keptOpIndex: number[] = [];
  private specs: TensorSpec[] = [];

  /**
   * Element-wise ops write their output over an input that dies at that op
   * (not state, same byte size): one buffer fewer. A graph input counts as
   * dying at its last use, so after invoke() an input view may hold
   * intermediate data: write the inputs before every invoke (TFLM keeps them).
   */
  private planInPlace(kept: PreparedOp[], tensors: TensorSpec[], root: number[], last: number[]): void {
    for (let s = 0; s < kept.length; s++) {
      const p = kept[s];
      const out = p.outputs[0];
      if (!p.inPlaceInputs || out < 0 || root[out] !== out || tensors[out].state) continue;
      for (let k = 0; k < p.inPlaceInputs.length; k++) {
        const slot: number = (p.inPlaceInputs as number[])[k];
        const t: number = slot < p.inputs.length ? p.inputs[slot] : -1;
        if (t < 0) continue;
        const r = root[t];
        if (tensors[r].dataOffset >= 0 || tensors[r].state || last[r] !== s ||
          tensors[r].bytes !== tensors[out].bytes) continue;
        for (let x = 0; x < root.length; x++) if (root[x] === out) root[x] = r;
        last[r] = Math.max(last[r], last[out]);
        break;
      }
    }
  }

  /** Reshape-like ops share memory unless state is involved (state must keep its own place). */
  private canAlias(input: number, output: number): boolean {
    const g = this.graph;
    return !g.tensors[input].isVariable && !g.tensors[output].isVariable &&
      g.tensors[input].bytes === g.tensors[output].bytes;
  }

  private prepareOp(index: number): PreparedOp {
    const g = this.graph;
    const op = g.operators[index];
    const where = 'op ' + index + ' (' + opName(op) + ')';
    const ctx: OpContext = {
      model: this.model,
      op: op,
      tensors: g.tensors,
      input: function (i: number): TensorInfo | null {
        const t = i < op.inputs.length ? op.inputs[i] : -1;
        return t >= 0 ? g.tensors[t] : null;
      },
      output: function (i: number): TensorInfo {
        if (i >= op.outputs.length || op.outputs[i] < 0) {
          return fail('E_BAD_MODEL', where + ': output ' + i + ' is missing');
        }
        return g.tensors[op.outputs[i]];
      },
      unsupported: function (what: string): never {
        return fail('E_UNSUPPORTED_OP', where + ': ' + what);
      },
      invalid: function (what: string): never {
        return fail('E_BAD_MODEL', where + ': ' + what);
      },
    };
    const prepare = resolveOp(op.builtin, op.customCode);
    if (!prepare) {
      fail('E_UNSUPPORTED_OP', where + ': this op is not supported by tinyml-ts');
    }
    const prepared = prepare(ctx);
    // Checks every op shares: outputs are writable activations, and every
    // tensor the kernel touches has a dtype the native layer knows.
    for (let k = 0; k < op.outputs.length; k++) {
      const t = op.outputs[k] >= 0 ? g.tensors[op.outputs[k]] : null;
      if (t && t.dataOffset >= 0 && !t.isVariable) fail('E_BAD_MODEL', where + ': output ' + k + ' (tensor ' + t.index + ') is a constant');
    }
    const slots = prepared.inputs.concat(prepared.outputs);
    for (let k = 0; k < slots.length; k++) {
      const t = slots[k] >= 0 && slots[k] < g.tensors.length ? g.tensors[slots[k]] : null;
      if (t && NATIVE_DTYPES.indexOf(',' + t.dtype + ',') < 0) {
        fail('E_UNSUPPORTED_OP', where + ': tensor ' + t.index + ' has dtype ' + t.dtype + ', which no kernel handles');
      }
    }
    return prepared;
  }

  /** The op program tml_load checks and runs. */
  program(): Int32Array {
    const plan = this.plan();
    const tensors = this.specs;
    const words = new Int32Array(plan.programWords);
    let w = 0;
    words[w++] = PROGRAM_MAGIC;
    words[w++] = PROGRAM_VERSION;
    words[w++] = tensors.length;
    words[w++] = plan.ops.length;
    words[w++] = plan.plannedBytes;
    words[w++] = plan.programWords;
    for (let t = 0; t < tensors.length; t++) {
      const place = plan.placements[t];
      words[w++] = tensors[t].dtype;
      words[w++] = place.where | (place.state ? PLACE_STATE | (place.fill as number) << 16 : 0);
      words[w++] = place.offset;
      words[w++] = place.where === WHERE_NONE ? 0 : tensors[t].bytes;
    }
    for (let s = 0; s < plan.ops.length; s++) {
      const p = plan.ops[s];
      words[w++] = p.kind;
      words[w++] = p.inputs.length;
      words[w++] = p.outputs.length;
      words[w++] = p.params.length;
      for (let k = 0; k < p.inputs.length; k++) words[w++] = p.inputs[k];
      for (let k = 0; k < p.outputs.length; k++) words[w++] = p.outputs[k];
      for (let k = 0; k < p.params.length; k++) words[w++] = p.params[k];
    }
    return words;
  }
}

/** The model's tensors, then the ops' scratch and state buffers as extra tensors (appended to their op's outputs). */
function tensorSpecs(g: SubgraphInfo, prepared: PreparedOp[]): TensorSpec[] {
  const tensors: TensorSpec[] = [];
  for (let t = 0; t < g.tensors.length; t++) {
    const info = g.tensors[t];
    // Variables are state even when the model gives them a buffer: TFLM
    // fills them with the zero point (int8) or 0, whatever the buffer holds.
    const fill = info.isVariable && info.dtype === DType.INT8 && info.zeroPoint.length ? info.zeroPoint[0] & 0xff : 0;
    tensors.push({
      dtype: info.dtype, bytes: info.bytes, state: info.isVariable, fill: fill,
      dataOffset: info.isVariable ? -1 : info.dataOffset,
    });
  }
  for (let i = 0; i < prepared.length; i++) {
    const extra = prepared[i].buffers || [];
    for (let k = 0; k < extra.length; k++) {
      prepared[i].outputs.push(tensors.length);
      tensors.push({ dtype: DType.INT8, bytes: extra[k].bytes, state: extra[k].state, fill: (extra[k].fill || 0) & 0xff, dataOffset: -1 });
    }
  }
  return tensors;
}

interface Lifetimes {
  /** First and last program step (kept-op index) at which each root tensor holds data. */
  first: number[];
  last: number[];
  /** Whether the program touches the tensor (or, for a root, any tensor aliased to it). */
  used: boolean[];
}

/** Lifetimes in program steps: graph inputs from step 0, outputs and state to the end. */
function lifetimes(g: SubgraphInfo, tensors: TensorSpec[], root: number[], kept: PreparedOp[]): Lifetimes {
  const n = kept.length;
  const first: number[] = [], last: number[] = [], used: boolean[] = [];
  for (let t = 0; t < tensors.length; t++) { first.push(n); last.push(-1); used.push(false); }
  const touch = function (t: number, step: number) {
    if (t < 0) return;
    used[t] = true;
    const r = root[t];
    if (step < first[r]) first[r] = step;
    if (step > last[r]) last[r] = step;
  };
  for (let k = 0; k < g.inputs.length; k++) touch(g.inputs[k], 0);
  for (let k = 0; k < g.outputs.length; k++) touch(g.outputs[k], n);
  for (let t = 0; t < tensors.length; t++) {
    if (tensors[t].state) { touch(t, 0); touch(t, n); }
  }
  for (let s = 0; s < n; s++) {
    const p = kept[s];
    for (let k = 0; k < p.inputs.length; k++) touch(p.inputs[k], s);
    for (let k = 0; k < p.outputs.length; k++) touch(p.outputs[k], s);
  }
  return { first: first, last: last, used: used };
}

/** Where every tensor lives: the model (constants), the planned section (offsets from the greedy or offline plan), or nowhere. */
function placeTensors(tensors: TensorSpec[], root: number[], life: Lifetimes, offline: number[] | null):
  { placements: TensorPlacement[]; plannedBytes: number } {
  const used = life.used;
  // Aliased tensors keep their roots alive as long as they are used.
  for (let t = 0; t < tensors.length; t++) {
    if (used[t] && root[t] !== t) used[root[t]] = true;
  }
  const buffers: PlanBuffer[] = [];
  const bufferOf: number[] = [];
  for (let t = 0; t < tensors.length; t++) {
    bufferOf.push(-1);
    if (root[t] !== t || !used[t] || tensors[t].dataOffset >= 0) continue;
    bufferOf[t] = buffers.length;
    const fixed = offline !== null && t < offline.length && offline[t] >= 0;
    buffers.push({
      size: tensors[t].bytes, first: life.first[t], last: Math.max(life.last[t], life.first[t]),
      offset: fixed ? (offline as number[])[t] : 0, fixed: fixed, state: tensors[t].state,
    });
  }
  const plannedBytes = planMemory(buffers);
  const placements: TensorPlacement[] = [];
  for (let t = 0; t < tensors.length; t++) {
    const r = root[t];
    if (used[t] && NATIVE_DTYPES.indexOf(',' + tensors[t].dtype + ',') < 0) {
      fail('E_UNSUPPORTED_OP', 'tensor ' + t + ' (a graph input, output or variable) has dtype ' + tensors[t].dtype +
        ', which tinyml-ts does not support');
    }
    if (!used[t]) placements.push({ where: WHERE_NONE, offset: 0 });
    else if (tensors[r].dataOffset >= 0) placements.push({ where: WHERE_MODEL, offset: tensors[r].dataOffset });
    else placements.push({ where: WHERE_ARENA, offset: buffers[bufferOf[r]].offset, state: tensors[r].state, fill: tensors[r].fill });
  }
  return { placements: placements, plannedBytes: plannedBytes };
}

/**
 * Offsets from the model's "OfflineMemoryAllocation" metadata (TFLM's format:
 * int32 version, subgraph, count, then one offset per tensor, -1 = plan online),
 * or null when the model carries none.
 */
function offlineOffsets(model: ModelInfo, tensorCount: number): number[] | null {
  const raw = model.metadata['OfflineMemoryAllocation'];
  if (!raw) return null;
  const word = function (i: number): number {
    const p = i * 4;
    return raw[p] | (raw[p + 1] << 8) | (raw[p + 2] << 16) | (raw[p + 3] << 24);
  };
  if (raw.length < 12) fail('E_BAD_MODEL', 'OfflineMemoryAllocation metadata is ' + raw.length + ' bytes, too short');
  const count = word(2);
  if (word(1) !== 0 || count !== tensorCount || raw.length < 12 + 4 * count) {
    fail('E_BAD_MODEL', 'OfflineMemoryAllocation metadata does not match subgraph 0 (' + count + ' offsets for ' +
      tensorCount + ' tensors)');
  }
  const offsets: number[] = [];
  for (let i = 0; i < count; i++) {
    const o = word(3 + i);
    if (o < -1 || o % 16 !== 0 && o !== -1) fail('E_BAD_MODEL', 'OfflineMemoryAllocation: tensor ' + i + ' offset ' + o + ' is not 16-byte aligned');
    offsets.push(o);
  }
  return offsets;
}
