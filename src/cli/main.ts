// `tinyml` command line (Node only): run and inspect models.
import * as fs from 'fs';
import * as path from 'path';
import * as os from 'os';
import { spawnSync } from 'child_process';
import { PreparedModel, Plan } from '../planner/prepare';
import { packModel, modelPart } from '../planner/pack';
import { TinyMLError } from '../core/errors';
import { packedSectionAt } from '../core/packed';
import { runFrames } from '../app/run';
import { inspectShared } from './inspect-shared';
import { opName } from '../planner/model/names';
import { ModelInfo, OperatorInfo } from '../planner/model/types';
import { dtypeName, numElements } from '../planner/ops/quant';
import { otaMain, OtaUsage, OTA_HELP } from '../ota/cli';
import { APP_HELP, appCommand, inspectFit } from './app';

const HELP = `tinyml - run TFLite models the way a microcontroller would

Usage:
  tinyml run <model.tflite> --input <in.bin> --output <out.bin> [options]
      Runs the model and writes every output tensor's raw bytes.
      --engine node|duktape   where to run it (default node; duktape runs the
                              ES5 device bundle on Duktape via dist/tinyml-duk:
                              the device core for a packed model, the core with
                              the on-device planner for a raw .tflite)
      --engine jerryscript|jerryscript-snapshot|espruino
                              the device bundle on a JerryScript 3.0 build (from
                              source, or compiled to a snapshot first) or on an
                              Espruino Linux build, both made with the tinyml
                              module: set TINYML_JERRYSCRIPT_DIR (holds tinyml-jerry)
                              or TINYML_ESPRUINO_DIR (holds espruino); see boards/README.md
      --engine qemu-m4        the device core on Duktape on an emulated Cortex-M4
                              with 256 KB of RAM, the model packed by the build
                              (QEMU mps2-an386; boards/qemu-m4):
                              needs qemu-system-arm, gcc-arm-none-eabi and
                              picolibc-arm-none-eabi; the firmware is built on first use
      --kernels reference|optimized|cmsis-nn
                              qemu-m4: the kernel backend to build (default: the
                              board's, boards/qemu-m4/board.json); cmsis-nn needs
                              CMSIS_NN_DIR = a checkout of ARM-software/CMSIS-NN
      --frames N              the input file holds N frames back to back; they run
                              in order on one interpreter (stateful models keep state)
      --arena BYTES           arena block size (default: exactly what the plan needs)
  tinyml pack <model.tflite> [-o <out.tflite>]
      Reads, verifies, prepares and plans the model here, on the host, and
      writes it with its op program appended (default: <model>.packed.tflite).
      A packed file is still a normal .tflite for TFLM and other tools; the
      device core (dist/tinyml.core.js) runs it with no parsing or planning.
      The same model always gives the same bytes.
  tinyml inspect <model.tflite> [--json]   (several models: their shared arena)
      Ops, tensors (shape, dtype, quantization), MACs and the arena plan
      (arenaBytes: the block to give, = persistent + planned bytes + up to 15
      bytes of alignment) without running anything.
  tinyml inspect <model.tflite> --board <name>
      Also the fit on that board: flash and RAM (arena, predicted JS heap,
      stack) for the model alone with the device core.
` + APP_HELP + `  tinyml help
${OTA_HELP}
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
    } else if (a === '-o') {
      if (i + 1 < argv.length) flags.o = argv[++i];
      else throw new UsageError('option -o needs a value');
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
  if (engine === 'jerryscript' || engine === 'jerryscript-snapshot') {
    return runJerryScript(modelFile, inputFile, outputFile, frames, arena, engine === 'jerryscript-snapshot');
  }
  if (engine === 'espruino') return runEspruino(modelFile, inputFile, outputFile, frames, arena);
  if (engine === 'qemu-m4') return runQemu(modelFile, inputFile, outputFile, frames, arena, kernelsFlag(flags));
  throw new UsageError('unknown --engine ' + engine + ' (node, duktape, jerryscript, jerryscript-snapshot, espruino, qemu-m4)');
}

/**
 * The ES5 bundle a device engine runs for a model file: the device core for a
 * packed model (what a board runs), the core with the on-device planner for a
 * raw one.
 */
function deviceBundleFor(model: string): string {
  let packed = false;
  try {
    packed = packedSectionAt(new Uint8Array(fs.readFileSync(model))) >= 0;
  } catch (e) {
    // unreadable: the engine reports it
  }
  return path.join(__dirname, packed ? 'tinyml.core.js' : 'tinyml.device.js');
}

/** Runs the device bundle on Duktape through the host runner. */
function runDuktape(model: string, input: string, output: string, frames: number, arena: number): number {
  const buildDir = path.join(__dirname);
  const runner = path.join(buildDir, 'tinyml-duk');
  const bundle = deviceBundleFor(model);
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

/** The engine build a --engine jerryscript|espruino run needs, from its environment variable. */
function engineBinary(envName: string, binary: string, what: string): string {
  const dir = process.env[envName];
  if (!dir) {
    throw new UsageError('--engine ' + what + ' needs ' + envName + ': the directory holding ' + binary +
      ' built with the tinyml module (see boards/README.md)');
  }
  const file = path.join(dir, binary);
  if (!fs.existsSync(file)) throw new UsageError(envName + '=' + dir + ' holds no ' + binary);
  return file;
}

/** Runs an engine's host program; passes its output through. Returns its exit code. */
function spawnEngine(name: string, cmd: string, args: string[]): { status: number; stdout: string } {
  // stdin is passed through: `--input -` reads it.
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, stdio: ['inherit', 'pipe', 'pipe'] });
  if (r.error) throw new UsageError('cannot start ' + cmd + ': ' + r.error.message);
  process.stderr.write(r.stderr || '');
  if (r.signal) {
    process.stderr.write('tinyml: the ' + name + ' runner died with ' + r.signal + '\n');
    return { status: 3, stdout: r.stdout || '' };
  }
  return { status: r.status === null ? 3 : r.status, stdout: r.stdout || '' };
}

/** Runs the device bundle on JerryScript (tinyml-jerry), from source or from a snapshot. */
function runJerryScript(model: string, input: string, output: string, frames: number, arena: number,
  snapshot: boolean): number {
  const runner = engineBinary('TINYML_JERRYSCRIPT_DIR', 'tinyml-jerry', snapshot ? 'jerryscript-snapshot' : 'jerryscript');
  let bundle = deviceBundleFor(model);
  if (!fs.existsSync(bundle)) throw new UsageError('the device bundle is not built: run `npm run build`');
  let tmp = '';
  try {
    if (snapshot) {
      // Snapshots are tied to the exact engine build: make one per run.
      tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyml-jerry-'));
      const snap = path.join(tmp, 'tinyml.device.snapshot');
      const s = spawnSync(runner, ['--snapshot', bundle, snap], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
      if (s.error || s.status !== 0) {
        process.stderr.write(s.stderr || 'tinyml: cannot make a JerryScript snapshot\n');
        return s.status || 3;
      }
      bundle = snap;
    }
    const r = spawnEngine('JerryScript', runner, [bundle, model, input, output, String(frames), String(arena)]);
    process.stdout.write(r.stdout);
    return r.status;
  } finally {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Runs the device bundle on an Espruino Linux build: the bundle plus a few
 * lines that read the files (as flat strings, so the native module sees
 * contiguous bytes) and print the output as hex between marker lines.
 */
function runEspruino(model: string, input: string, output: string, frames: number, arena: number): number {
  const espruino = engineBinary('TINYML_ESPRUINO_DIR', 'espruino', 'espruino');
  const bundle = deviceBundleFor(model);
  if (!fs.existsSync(bundle)) throw new UsageError('the device bundle is not built: run `npm run build`');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyml-espruino-'));
  try {
    if (input === '-') {
      const stdin = path.join(tmp, 'input.bin');
      fs.writeFileSync(stdin, fs.readFileSync(0));
      input = stdin;
    }
    const script = path.join(tmp, 'run.js');
    fs.writeFileSync(script, fs.readFileSync(bundle, 'utf8') + '\n;(function () {\n' +
      '  function bytes(file) {\n' +
      '    var s = require("fs").readFileSync(file);\n' +
      '    if (s === undefined) throw new Error("cannot read " + file);\n' +
      '    var f = E.toFlatString(s);\n' +
      '    if (f === undefined) throw new Error("not enough contiguous memory for " + file);\n' +
      '    return new Uint8Array(E.toArrayBuffer(f));\n' +
      '  }\n' +
      '  console.log("TINYML_BEGIN");\n' +
      '  try {\n' +
      '    var out = tinyml.runFrames(bytes(' + JSON.stringify(model) + '), bytes(' + JSON.stringify(input) +
      '), ' + frames + ', ' + arena + ');\n' +
      '    for (var p = 0; p < out.length; p += 512) {\n' +
      '      var h = "";\n' +
      '      for (var i = p; i < out.length && i < p + 512; i++) h += (out[i] < 16 ? "0" : "") + out[i].toString(16);\n' +
      '      console.log("TINYML_OUT " + h);\n' +
      '    }\n' +
      '    console.log("TINYML_END");\n' +
      '  } catch (e) {\n' +
      '    console.log("TINYML_ERR " + (e && e.message !== undefined ? e.message : String(e)));\n' +
      '  }\n' +
      '})();\n');
    const r = spawnEngine('Espruino', espruino, [script]);
    // Espruino prints a banner and a prompt around the script's output.
    const lines = r.stdout.split(/\r?\n/);
    const begin = lines.indexOf('TINYML_BEGIN');
    let hex = '';
    for (let i = begin + 1; begin >= 0 && i < lines.length; i++) {
      const line = lines[i];
      if (line.slice(0, 11) === 'TINYML_ERR ') {
        process.stderr.write('tinyml: ' + line.slice(11) + '\n');
        return 1;
      }
      if (line === 'TINYML_END') {
        fs.writeFileSync(output, Buffer.from(hex, 'hex'));
        return 0;
      }
      if (line.slice(0, 11) === 'TINYML_OUT ') hex += line.slice(11);
      else process.stdout.write(line + '\n');
    }
    const tail = lines.filter(function (l) { return l.trim() !== '' && l.trim() !== '>'; }).slice(-3).join(' | ');
    process.stderr.write('tinyml: the Espruino run ended without a result: ' + tail + '\n');
    return r.status || 1;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/**
 * Runs the model on the emulated Cortex-M4 (boards/qemu-m4): builds the
 * model's firmware (Duktape + native module + the model's bundle + the model
 * in flash; scripts/build-qemu.js caches everything), then QEMU. The firmware
 * reads the input and writes the output through semihosting.
 */
/** --kernels: a backend name for the qemu-m4 build (checked there), or undefined. */
function kernelsFlag(flags: Flags): string | undefined {
  const k = flags.kernels;
  if (k === undefined) return undefined;
  if (typeof k !== 'string' || !/^[a-z-]+$/.test(k)) throw new UsageError('--kernels must be reference, optimized or cmsis-nn');
  return k;
}

function runQemu(model: string, input: string, output: string, frames: number, arena: number, kernels?: string): number {
  const root = path.join(__dirname, '..');
  const build = path.join(root, 'scripts', 'build-qemu.js');
  if (!fs.existsSync(build)) throw new UsageError('--engine qemu-m4 needs ' + build);
  const modelBytes = readFile(model, 'model');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyml-qemu-'));
  try {
    if (input === '-') {
      input = path.join(tmp, 'input.bin');
      fs.writeFileSync(input, fs.readFileSync(0));
    } else {
      readFile(input, 'input');
    }
    // The arena block the board sets aside: --arena, or what the plan needs
    // (0 when the model cannot be planned: the board then reports why).
    let block = arena;
    if (!block) {
      try {
        block = new PreparedModel(modelPart(modelBytes)).plan().arenaBytes;
      } catch (e) {
        if (!(e instanceof TinyMLError)) throw e;
      }
    }
    // Build progress goes straight to stderr; the firmware's path comes back on stdout.
    const b = spawnSync(process.execPath, [build].concat(kernels ? ['--kernels', kernels] : [], [model]),
      { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
    if (b.error || b.status !== 0) return b.status || 2;
    const qemu = require(build) as { qemuArgs(elf: string, args: string[]): string[] };
    const args = qemu.qemuArgs(b.stdout.trim(), ['run', path.resolve(input), path.resolve(output), String(frames),
      String(arena), String(block), '0']);
    const r = spawnSync('qemu-system-arm', args, { encoding: 'utf8', timeout: 30 * 60 * 1000 });
    if (r.error && (r.error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new UsageError('qemu-system-arm not found: apt-get install qemu-system-arm gcc-arm-none-eabi picolibc-arm-none-eabi');
    }
    process.stdout.write(r.stdout || '');
    process.stderr.write(r.stderr || '');
    if (r.error || r.signal) {
      process.stderr.write('tinyml: the qemu-m4 run ' + (r.error ? 'failed: ' + r.error.message : 'died with ' + r.signal) + '\n');
      return 3;
    }
    return r.status === null ? 3 : r.status;
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
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


function cmdInspect(positional: string[], flags: Flags): number {
  const file = positional[1];
  if (!file) throw new UsageError('usage: tinyml inspect <model.tflite> [--json]');
  if (positional.length > 2) {
    const files = positional.slice(1);
    process.stdout.write(inspectShared(files, files.map(function (f) { return readFile(f, 'model'); }), !!flags.json) + '\n');
    return 0;
  }
  const m = new PreparedModel(modelPart(readFile(file, 'model')));
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
      op: opName(op),
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
      dtype: dtypeName(t.dtype).toUpperCase(),
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
    arena: plan ? {
      persistent: plan.persistentBytes, planned: plan.plannedBytes, programWords: plan.programWords,
      alignment: plan.arenaBytes - plan.persistentBytes - plan.plannedBytes,
    } : null,
    error: error ? { code: error.code, message: error.message } : null,
    ops: ops,
    tensors: tensors,
  };
  const fitLines = typeof flags.board === 'string' && plan ? inspectFit(flags.board,
    { arenaBytes: plan.arenaBytes, inputs: g.inputs.length, outputs: g.outputs.length }, packModel(m.model.bytes).length) : null;
  if (flags.json) {
    process.stdout.write(JSON.stringify(fitLines ? Object.assign(report, { fit: fitLines.fit }) : report, null, 1) + '\n');
  } else {
    const lines: string[] = [];
    lines.push(report.model + ': ' + report.bytes + ' bytes, ' + ops.length + ' ops, ' + tensors.length + ' tensors, ' + macs + ' MACs');
    if (plan) {
      lines.push('arena: ' + plan.arenaBytes + ' bytes (persistent ' + plan.persistentBytes + ' + planned ' + plan.plannedBytes +
        ' + up to ' + (plan.arenaBytes - plan.persistentBytes - plan.plannedBytes) + ' to align the block)');
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
    if (fitLines) lines.push('', ...fitLines.lines);
    process.stdout.write(lines.join('\n') + '\n');
  }
  return error || (fitLines && !fitLines.fits) ? 1 : 0;
}

function cmdPack(positional: string[], flags: Flags): number {
  const file = positional[1];
  if (!file || positional.length > 2) throw new UsageError('usage: tinyml pack <model.tflite> [-o <out.tflite>]');
  const out = typeof flags.o === 'string' ? flags.o : file.replace(/(\.packed)?(\.tflite)?$/, '') + '.packed.tflite';
  const model = readFile(file, 'model');
  const packed = packModel(model);
  fs.writeFileSync(out, packed);
  const part = modelPart(model).length;
  process.stdout.write(out + ': ' + packed.length + ' bytes (model ' + part + ' + program and metadata ' +
    (packed.length - part) + ')\n');
  return 0;
}

function pad(s: string, n: number): string {
  while (s.length < n) s += ' ';
  return s + ' ';
}

/** Entry point; returns the process exit code. Never lets a stack trace out. */
export function main(argv: string[]): number | Promise<number> {
  // build/emulate/init parse their own arguments (repeated --file, `-- args`).
  if (argv[0] === 'build' || argv[0] === 'emulate' || argv[0] === 'init') return appCommand(argv[0], argv.slice(1));
  try {
    const { positional, flags } = parseArgs(argv);
    const cmd = positional[0];
    if (!cmd || cmd === 'help' || flags.help) {
      process.stdout.write(HELP);
      return cmd || flags.help ? 0 : 2;
    }
    if (cmd === 'run') return cmdRun(positional, flags);
    if (cmd === 'inspect') return cmdInspect(positional, flags);
    if (cmd === 'pack') return cmdPack(positional, flags);
    if (cmd === 'ota') return otaMain(positional, flags);
    throw new UsageError('unknown command "' + cmd + '" (run, pack, inspect, build, emulate, init, ota, help)');
  } catch (e) {
    if (e instanceof TinyMLError) {
      process.stderr.write('tinyml: ' + e.message + '\n');
      return 1;
    }
    if (e instanceof UsageError || e instanceof OtaUsage) {
      process.stderr.write('tinyml: ' + e.message + '\n');
      return 2;
    }
    process.stderr.write('tinyml: internal error: ' + (e instanceof Error ? e.message : String(e)) + '\n');
    return 70;
  }
}
