// model_swap: the app keeps running while its model is replaced.
//
// A sine generator (the hello_world model: x in, sin(x) out) ticks every
// 50 ms. Now and then an update arrives as bytes: a packed model (the output
// of `tinyml build` / `tinyml pack`). The app builds a new interpreter from
// the bytes and swaps it in only when everything checked out:
//   - the device core refuses a corrupt pack (E_BAD_PACK), a pack made for
//     other model bytes, e.g. one flipped bit in the weights (the pack
//     carries the model's hash: E_PACK_MISMATCH), a pack for another runtime
//     (E_PACK_VERSION) and a plain .tflite (E_NOT_PACKED);
//   - the app refuses a model with another signature than one value in, one
//     value out (E_BAD_INPUT), whatever its dtype: int8 or float32 both work;
//   - a model that needs a bigger arena than the app's slots: E_ARENA_TOO_SMALL.
// A refused update leaves the running model as it was, and the app says why.
//
// Where updates come from:
//   - by default, a simulated download link replaying the files built into
//     the image: model_v2 (the float model), model_v2 with one bit flipped in
//     its weights, then in its op program (the pack's last bytes), model_v2
//     cut short (without the pack's footer the bytes read as a plain .tflite,
//     which the device core cannot plan: E_NOT_PACKED), model_other (another
//     task's model), model_v1 again;
//     the faulty copies are made in RAM, as a broken transfer would leave them;
//   - `-- updates=a,b,c`: board.input(a), ... at run time (host files on the
//     host boards, semihosting on qemu-m4), one every 10 ticks.
// Output is the same on every board: x and y are printed from integers.
import { Interpreter, TinyMLError } from 'tinyml-ts';
import { quantize, dequantize } from 'tinyml-ts/app';

const FLOAT32 = 0;
const STEPS = 63; // x = i*2*pi/63: the points of the float model's golden sweep
const EVERY = 10; // ticks between updates

function file(name: string): Uint8Array {
  const b = board.file(name);
  if (!b) throw new TinyMLError('E_BAD_INPUT', 'no file "' + name + '" in the image (tinyml build --file ' + name + '=...)');
  return b;
}

// A copy in RAM, `keep` bytes long, with bit 4 of byte `flip` inverted (-1: none).
function received(src: Uint8Array, keep: number, flip: number): Uint8Array {
  const b = new Uint8Array(keep);
  for (let i = 0; i < keep; i++) b[i] = src[i];
  if (flip >= 0) b[flip] ^= 0x10;
  return b;
}

interface Update { what: string; bytes: () => Uint8Array | null }

const updates: Update[] = [];
let fromArgs = false;
for (let i = 0; i < board.args.length; i++) {
  if (board.args[i].indexOf('updates=') !== 0) continue;
  fromArgs = true;
  const names = board.args[i].slice(8).split(',');
  for (let k = 0; k < names.length; k++) {
    const n = names[k];
    updates.push({ what: 'input ' + n, bytes: function () { return board.input(n); } });
  }
}
if (!fromArgs) {
  updates.push({ what: 'model_v2', bytes: function () { return file('model_v2'); } });
  updates.push({
    what: 'model_v2, one bit flipped in its weights',
    // A byte in the middle of the model part (the pack at its end holds the model's hash).
    bytes: function () { const v = file('model_v2'); return received(v, v.length, v.length >> 2); },
  });
  updates.push({
    what: 'model_v2, one bit flipped in its op program',
    bytes: function () { const v = file('model_v2'); return received(v, v.length, v.length - 100); },
  });
  updates.push({ what: 'model_v2, cut short', bytes: function () { const v = file('model_v2'); return received(v, v.length >> 1, -1); } });
  updates.push({ what: 'model_other', bytes: function () { return file('model_other'); } });
  updates.push({ what: 'model_v1', bytes: function () { return file('model_v1'); } });
}

// Two arena slots, A/B: the running model's and the candidate's. A candidate
// is loaded into the free slot, so a refused one cannot disturb the running
// model, and the slots are made once (a board carves arenas from a fixed
// block and never takes them back). 1024 bytes: the largest model this app
// takes (hello_world needs about 550).
const SLOT_BYTES = 1024;
let slots: ArrayBuffer[] = [];
let active = 0;
let model: Interpreter;
let version = 1, label = 'model_v1';

function shape(m: Interpreter, io: string): string {
  const t = io === 'in' ? m.inputInfo(0) : m.outputInfo(0);
  return '[' + t.shape.join(',') + '] ' + (t.dtype === FLOAT32 ? 'float32' : t.dtype === 9 ? 'int8' : 'dtype ' + t.dtype);
}

// The app's own check: one value in, one value out, int8 or float32.
function checkSignature(m: Interpreter): void {
  const ok = function (info: { shape: number[]; dtype: number }): boolean {
    let n = 1;
    for (let i = 0; i < info.shape.length; i++) n *= info.shape[i];
    return n === 1 && (info.dtype === FLOAT32 || info.dtype === 9);
  };
  if (m.inputCount() !== 1 || m.outputCount() !== 1 || !ok(m.inputInfo(0)) || !ok(m.outputInfo(0))) {
    throw new TinyMLError('E_BAD_INPUT', 'this app feeds one value and reads one value; the model takes ' +
      m.inputCount() + ' input(s), ' + shape(m, 'in') + ', and gives ' + shape(m, 'out'));
  }
}

/** Loads, checks and places a model in arena slot `slot`: a ready interpreter, or a TinyMLError. */
function load(bytes: Uint8Array, slot: number): Interpreter {
  const m = new Interpreter(bytes); // the pack's header, or E_NOT_PACKED / E_BAD_PACK / E_PACK_VERSION
  checkSignature(m);
  if (!slots.length) slots = [m.native.arena(SLOT_BYTES), m.native.arena(SLOT_BYTES)];
  // The native layer checks the program, the model's hash and that the slot
  // is big enough (E_ARENA_TOO_SMALL) before anything runs.
  m.place(slots[slot]);
  return m;
}

function apply(u: Update): void {
  const bytes = u.bytes(), n = updates.indexOf(u) + 1;
  if (!bytes) {
    board.print('update ' + n + ' (' + u.what + '): nothing received; still running v' + version + ' (' + label + ')');
    return;
  }
  const t0 = board.millis();
  try {
    const next = load(bytes, 1 - active);
    model = next; // the old interpreter goes with its last reference; its slot takes the next candidate
    active = 1 - active;
    version++;
    label = u.what;
    board.print('update ' + n + ' (' + u.what + ', ' + bytes.length + ' bytes): swapped in as v' + version +
      ', ' + shape(model, 'in') + ' -> ' + shape(model, 'out') + ', arena ' + model.arenaUsedBytes() + ' bytes in slot ' + 'AB'.charAt(active));
  } catch (e) {
    if (!(e && typeof (e as TinyMLError).code === 'string')) throw e; // a bug, not a bad update
    board.print('update ' + n + ' (' + u.what + ', ' + bytes.length + ' bytes) refused: ' +
      (e as TinyMLError).message + '; still running v' + version + ' (' + label + ')');
  }
  board.print('time: update ' + n + ' checked in ' + (board.millis() - t0) + ' ms');
}

// "-0.841" from a float, by way of an integer: the same text on every engine.
function fixed3(v: number): string {
  const n = Math.round(v * 1000), a = n < 0 ? -n : n;
  const frac = String(a % 1000);
  return (n < 0 ? '-' : '') + Math.floor(a / 1000) + '.' + '000'.slice(frac.length) + frac;
}

const xCell = new Float32Array(1);

function step(i: number): void {
  xCell[0] = i * 2 * Math.PI / STEPS;
  const x = xCell[0];
  const input = model.input(0), output = model.output(0);
  const inInfo = model.inputInfo(0), outInfo = model.outputInfo(0);
  if (inInfo.dtype === FLOAT32) input[0] = x;
  else input[0] = quantize(x, inInfo.scale, inInfo.zeroPoint, inInfo.dtype);
  model.invoke();
  const y = outInfo.dtype === FLOAT32 ? output[0] : dequantize(output[0], outInfo.scale, outInfo.zeroPoint);
  board.print('tick ' + i + ' v' + version + ' sin(' + fixed3(x) + ') = ' + fixed3(Math.sin(x)) + ' model ' + fixed3(y));
}

model = load(file('model_v1'), active);
board.print('running v1 (model_v1): ' + shape(model, 'in') + ' -> ' + shape(model, 'out') + ', arena ' + model.arenaUsedBytes() +
  ' bytes in slot A (two slots of ' + SLOT_BYTES + ' bytes); ' +
  updates.length + ' update(s) to come ' + (fromArgs ? 'from board.input' : 'from the simulated link'));

let tick = 0;
board.loop(function () {
  if (tick > 0 && tick % EVERY === 0) {
    const u = tick / EVERY - 1;
    if (u < updates.length) apply(updates[u]);
  }
  if (tick === EVERY * (updates.length + 1)) {
    board.print('done: ' + tick + ' ticks, running v' + version + ' (' + label + ')');
    board.exit(0);
    return;
  }
  step(tick % (STEPS + 1));
  tick++;
}, 50);
