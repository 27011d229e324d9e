// runFrames: the file conventions of `tinyml run` (and golden.json) on any
// engine. Input = every input tensor's raw bytes in model order, concatenated,
// one block per frame; output likewise. Frames run back to back on one
// interpreter, so stateful models see their state carried over.
import { Interpreter, TensorView } from '../core/interpreter';
import { fail } from '../core/errors';
import { NativeModule } from '../core/native';

function bytesOf(v: TensorView): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

export function runFrames(model: Uint8Array, input: Uint8Array, frames: number,
  arenaSize?: number, native?: NativeModule): Uint8Array {
  const m = new Interpreter(model, { arenaSize: arenaSize || undefined, native: native });
  m.allocateTensors();
  const inputs: Uint8Array[] = [];
  const outputs: Uint8Array[] = [];
  let inBytes = 0, outBytes = 0;
  for (let i = 0; i < m.inputCount(); i++) { inputs.push(bytesOf(m.input(i))); inBytes += inputs[i].length; }
  for (let i = 0; i < m.outputCount(); i++) { outputs.push(bytesOf(m.output(i))); outBytes += outputs[i].length; }
  if (!(frames >= 1) || Math.floor(frames) !== frames) fail('E_BAD_INPUT', 'frames must be a positive integer, got ' + frames);
  if (input.length !== inBytes * frames) {
    fail('E_BAD_INPUT', 'input is ' + input.length + ' bytes, expected ' + inBytes * frames +
      ' (' + frames + ' frame(s) of ' + inBytes + ' bytes: ' + describe(m) + ')');
  }
  const result = new Uint8Array(outBytes * frames);
  let r = 0, p = 0;
  for (let f = 0; f < frames; f++) {
    for (let i = 0; i < inputs.length; i++) {
      // A plain loop: Espruino's subarray() refuses offsets above 65535.
      const dst = inputs[i];
      for (let k = 0; k < dst.length; k++) dst[k] = input[p + k];
      p += dst.length;
    }
    m.invoke();
    for (let i = 0; i < outputs.length; i++) {
      result.set(outputs[i], r);
      r += outputs[i].length;
    }
  }
  return result;
}

/** "input 0 dtype 9 [1,49,10,1]" style summary of the inputs (the core carries no dtype names). */
function describe(m: Interpreter): string {
  const parts: string[] = [];
  for (let i = 0; i < m.inputCount(); i++) {
    const t = m.inputInfo(i);
    parts.push('input ' + i + ' ' + (DTYPE_NAMES[t.dtype] || 'dtype ' + t.dtype) + ' [' + t.shape.join(',') + ']');
  }
  return parts.join(', ');
}

const DTYPE_NAMES: { [dtype: number]: string } = { 0: 'FLOAT32', 2: 'INT32', 3: 'UINT8', 6: 'BOOL', 7: 'INT16', 9: 'INT8' };
