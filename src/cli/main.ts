// `tinyml` command line (Node only): run and inspect models.
import * as fs from 'fs';
import * as path from 'path';
import { spawnSync } from 'child_process';
import { Interpreter, Plan } from '../runtime/interpreter';
import { TinyMLError } from '../runtime/errors';
import { runFrames } from '../app/run';
import { builtinName } from '../model/names';
import { ModelInfo, OperatorInfo } from '../model/types';
import { numElements } from '../ops/quant';

const HELP = `tinyml - run TFLite models the way a microcontroller would

Usage:
  tinyml run <model.tflite> --input <in.bin> --output <out.bin> [options]
      Runs the model and writes every output tensor's raw bytes.
      --engine node|duktape   where to run it (default node; duktape runs the
                              ES5 device bundle on Duktape via build/tinyml-duk)
      --frames N              the input file holds N frames back to back; they run
                              in order on one interpreter (stateful models keep state)
      --arena BYTES           arena block size (default: exactly what the plan needs)
  tinyml inspect <model.tflite> [--json]
      Ops, tensors (shape, dtype, quantization), MACs and the arena plan
      (arenaBytes = persistent + planned bytes) without running anything.
  tinyml help

File conventions: the input file is the raw little-endian bytes of every input
tensor in model order, concatenated (times N frames); the output file likewise.
Errors are one line "tinyml: E_CODE: message" and a non-zero exit code.
`;

type Flags = { [name: string]: string | boolean };

function parseArgs(argv: string[]): { positional: string[]; flags: Flags } {
  const positional: string[] = [];
  const flags: Flags = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.slice(0, 2) === '--') {
      const eq = a.indexOf('=');
      if (eq > 0) flags[a.slice(2, eq)] = a.slice(eq + 1);
      else if (a === '--json' || a === '--help') flags[a.slice(2)] = true;
      else if (i + 1 < argv.length) flags[a.slice(2)] = argv[++i];
      else throw new UsageError('option ' + a + ' needs a value');
    } else if (a === '-h') {
      flags.help = true;
    } else {
      positional.push(a);
    }
  }
  return { positional, flags };
}

class UsageError extends Error {}

function readFile(file: string, what: string): Uint8Array {
  let data: Buffer;
  try {
    data = fs.readFileSync(file);
  } catch (e) {
    throw new UsageError('cannot read ' + what + ' ' + file + ': ' + (e as NodeJS.ErrnoException).code);
  }
  // A private, aligned copy: Node may hand out slices of a shared pool.
  const bytes = new Uint8Array(data.length);
  bytes.set(data);
  return bytes;
}

function intFlag(flags: Flags, name: string, fallback: number): number {
  const v = flags[name];
  if (v === undefined) return fallback;
  const n = Number(v);
  if (typeof v !== 'string' || !/^\d+$/.test(v) || !(n >= 1)) {
    throw new UsageError('--' + name + ' must be a positive integer, got ' + String(v));
  }
  return n;
}

function cmdRun(positional: string[], flags: Flags): number {
  const modelFile = positional[1];
  const inputFile = flags.input;
  const outputFile = flags.output;
  if (!modelFile || typeof inputFile !== 'string' || typeof outputFile !== 'string') {
    throw new UsageError('usage: tinyml run <model.tflite> --input <in.bin> --output <out.bin> [--engine node|duktape] [--frames N]');
  }
  const engine = (flags.engine as string) || 'node';
  const frames = intFlag(flags, 'frames', 1);
  const arena = intFlag(flags, 'arena', 0);
  if (engine === 'node') {
    const out = runFrames(readFile(modelFile, 'model'), readFile(inputFile, 'input'), frames, arena || undefined);
    fs.writeFileSync(outputFile, out);
    return 0;
  }
  if (engine === 'duktape') return runDuktape(modelFile, inputFile, outputFile, frames, arena);
  throw new UsageError('unknown --engine ' + engine + ' (node, duktape)');
}

/** Runs the device bundle on Duktape through the host runner. */
function runDuktape(model: string, input: string, output: string, frames: number, arena: number): number {
  const buildDir = path.join(__dirname);
  const runner = path.join(buildDir, 'tinyml-duk');
  const bundle = path.join(buildDir, 'tinyml.device.js');
  if (!fs.existsSync(runner) || !fs.existsSync(bundle)) {
    throw new UsageError('the Duktape runner is not built: run `npm run build` (needs `apt-get install duktape-dev`)');
  }
  const r = spawnSync(runner, [bundle, model, input, output, String(frames), String(arena)], { encoding: 'utf8' });
  if (r.error) throw new UsageError('cannot start ' + runner + ': ' + r.error.message);
  process.stdout.write(r.stdout || '');
  process.stderr.write(r.stderr || '');
  if (r.signal) {
    process.stderr.write('tinyml: the Duktape runner died with ' + r.signal + '\n');
    return 3;
  }
  return r.status === null ? 3 : r.status;
}

/** Multiply-accumulates of one op, from the tensor shapes (0 for data movement). */
function opMacs(model: ModelInfo, op: OperatorInfo): number {
  const t = model.subgraphs[0].tensors;
  const out = op.outputs[0] >= 0 ? t[op.outputs[0]] : null;
  const filter = op.inputs[1] >= 0 ? t[op.inputs[1]] : null;
  if (!out || !filter) return 0;
  const outElems = numElements(out.shape);
  switch (op.builtin) {
    case 3: return outElems * filter.shape[1] * filter.shape[2] * filter.shape[3]; // CONV_2D
    case 4: return outElems * filter.shape[1] * filter.shape[2]; // DEPTHWISE_CONV_2D
    case 9: return outElems * filter.shape[filter.shape.length - 1]; // FULLY_CONNECTED
    default: return 0;
  }
}

const DTYPES = 'FLOAT32,FLOAT16,INT32,UINT8,INT64,STRING,BOOL,INT16,COMPLEX64,INT8,FLOAT64,COMPLEX128,UINT64,RESOURCE,VARIANT,UINT32,UINT16,INT4'.split(',');

function cmdInspect(positional: string[], flags: Flags): number {
  const file = positional[1];
  if (!file) throw new UsageError('usage: tinyml inspect <model.tflite> [--json]');
  const m = new Interpreter(readFile(file, 'model'));
  const g = m.model.subgraphs[0];
  let plan: Plan | null = null;
  let error: TinyMLError | null = null;
  try {
    plan = m.plan();
  } catch (e) {
    if (!(e instanceof TinyMLError)) throw e;
    error = e;
  }
  const ops = g.operators.map(function (op) {
    return {
      index: op.index,
      op: op.builtin === 32 ? 'CUSTOM:' + op.customCode : builtinName(op.builtin),
      version: op.version,
      inputs: op.inputs,
      outputs: op.outputs,
      macs: opMacs(m.model, op),
    };
  });
  const tensors = g.tensors.map(function (t) {
    const place = plan ? plan.placements[t.index] : null;
    return {
      index: t.index,
      name: t.name,
      dtype: DTYPES[t.dtype] || String(t.dtype),
      shape: t.shape,
      bytes: t.bytes,
      scale: t.scale.length === 1 ? t.scale[0] : t.scale,
      zeroPoint: t.zeroPoint.length === 1 ? t.zeroPoint[0] : t.zeroPoint,
      variable: t.isVariable,
      placement: !place ? null : place.where === 1 ? 'arena@' + place.offset : place.where === 2 ? 'model' : 'unused',
    };
  });
  let macs = 0;
  for (let i = 0; i < ops.length; i++) macs += ops[i].macs;
  const report = {
    model: path.basename(file),
    bytes: m.model.bytes.length,
    inputs: g.inputs,
    outputs: g.outputs,
    macs: macs,
    arenaBytes: plan ? plan.arenaBytes : null,
    arena: plan ? { persistent: plan.persistentBytes, planned: plan.plannedBytes, programWords: plan.programWords } : null,
    error: error ? { code: error.code, message: error.message } : null,
    ops: ops,
    tensors: tensors,
  };
  if (flags.json) {
    process.stdout.write(JSON.stringify(report, null, 1) + '\n');
  } else {
    const lines: string[] = [];
    lines.push(report.model + ': ' + report.bytes + ' bytes, ' + ops.length + ' ops, ' + tensors.length + ' tensors, ' + macs + ' MACs');
    if (plan) {
      lines.push('arena: ' + plan.arenaBytes + ' bytes (persistent ' + plan.persistentBytes + ' + planned ' + plan.plannedBytes + ')');
    }
    lines.push('', 'ops:');
    for (const o of ops) {
      lines.push('  ' + pad(String(o.index), 4) + pad(o.op, 28) + pad('in [' + o.inputs.join(',') + ']', 20) +
        pad('out [' + o.outputs.join(',') + ']', 14) + (o.macs ? o.macs + ' MACs' : ''));
    }
    lines.push('', 'tensors:');
    for (const t of tensors) {
      const q = typeof t.scale === 'number' ? ' q=' + t.scale + '/' + t.zeroPoint : (t.scale as number[]).length ? ' q=per-channel(' + (t.scale as number[]).length + ')' : '';
      lines.push('  ' + pad(String(t.index), 4) + pad(t.dtype, 8) + pad('[' + t.shape.join(',') + ']', 16) +
        pad(String(t.bytes), 8) + pad(t.placement || '', 14) + t.name + q);
    }
    if (error) lines.push('', 'cannot run: ' + error.message);
    process.stdout.write(lines.join('\n') + '\n');
  }
  return error ? 1 : 0;
}

function pad(s: string, n: number): string {
  while (s.length < n) s += ' ';
  return s + ' ';
}

/** Entry point; returns the process exit code. Never lets a stack trace out. */
export function main(argv: string[]): number {
  try {
    const { positional, flags } = parseArgs(argv);
    const cmd = positional[0];
    if (!cmd || cmd === 'help' || flags.help) {
      process.stdout.write(HELP);
      return cmd || flags.help ? 0 : 2;
    }
    if (cmd === 'run') return cmdRun(positional, flags);
    if (cmd === 'inspect') return cmdInspect(positional, flags);
    throw new UsageError('unknown command "' + cmd + '" (run, inspect, help)');
  } catch (e) {
    if (e instanceof TinyMLError) {
      process.stderr.write('tinyml: ' + e.message + '\n');
      return 1;
    }
    if (e instanceof UsageError) {
      process.stderr.write('tinyml: ' + e.message + '\n');
      return 2;
    }
    process.stderr.write('tinyml: internal error: ' + (e instanceof Error ? e.message : String(e)) + '\n');
    return 70;
  }
}
