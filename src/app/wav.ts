// RIFF/WAVE reading: 16-bit PCM (format 1), any channel count, samples
// interleaved. Anything else is refused with E_BAD_INPUT naming what it is.
import { fail } from '../core/errors';
import { needArray } from './util';

export interface Wav {
  sampleRate: number;
  channels: number;
  bitsPerSample: number;
  /** Interleaved samples: a view on the file bytes when possible, else a copy. */
  samples: Int16Array;
}

function u16(b: Uint8Array, p: number): number { return b[p] | (b[p + 1] << 8); }
function u32(b: Uint8Array, p: number): number { return (b[p] | (b[p + 1] << 8) | (b[p + 2] << 16)) + b[p + 3] * 0x1000000; }
function tag(b: Uint8Array, p: number): string {
  return String.fromCharCode(b[p], b[p + 1], b[p + 2], b[p + 3]);
}

// Views share the file bytes only on little-endian hosts (every target we know).
const littleEndian = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Parses a WAV file. `copy` forces the samples into a new Int16Array;
 * otherwise they are a view on `bytes` when its alignment allows.
 */
export function readWav(bytes: Uint8Array, copy?: boolean): Wav {
  needArray('WAV bytes', bytes);
  const n = bytes.length;
  if (n < 12 || tag(bytes, 0) !== 'RIFF' || tag(bytes, 8) !== 'WAVE') {
    fail('E_BAD_INPUT', 'not a WAV file (no RIFF/WAVE header)');
  }
  let p = 12;
  let channels = 0, rate = 0, bits = 0;
  while (p + 8 <= n) {
    const id = tag(bytes, p), size = u32(bytes, p + 4), body = p + 8;
    if (body + size > n) fail('E_BAD_INPUT', 'WAV chunk "' + id + '" says ' + size + ' bytes, the file has ' + (n - body) + ' left');
    if (id === 'fmt ') {
      if (size < 16) fail('E_BAD_INPUT', 'WAV fmt chunk is ' + size + ' bytes, expected at least 16');
      const format = u16(bytes, body);
      channels = u16(bytes, body + 2);
      rate = u32(bytes, body + 4);
      bits = u16(bytes, body + 14);
      if (format !== 1) fail('E_BAD_INPUT', 'WAV format ' + format + ' is not supported (only PCM, format 1)');
      if (bits !== 16) fail('E_BAD_INPUT', 'WAV has ' + bits + '-bit samples (only 16-bit PCM is supported)');
      if (channels < 1) fail('E_BAD_INPUT', 'WAV has ' + channels + ' channels');
      if (rate < 1) fail('E_BAD_INPUT', 'WAV sample rate is ' + rate);
    } else if (id === 'data') {
      if (channels === 0) fail('E_BAD_INPUT', 'WAV data chunk comes before its fmt chunk');
      if (size % (2 * channels) !== 0) {
        fail('E_BAD_INPUT', 'WAV data is ' + size + ' bytes, not whole frames of ' + channels + ' 16-bit sample(s)');
      }
      const at = bytes.byteOffset + body;
      let samples: Int16Array;
      // Espruino takes view offsets below 65536 only.
      if (!copy && littleEndian && at % 2 === 0 && at < 65536) {
        samples = new Int16Array(bytes.buffer, at, size / 2);
      } else {
        samples = new Int16Array(size / 2);
        for (let i = 0; i < samples.length; i++) samples[i] = u16(bytes, body + 2 * i);
      }
      return { sampleRate: rate, channels: channels, bitsPerSample: bits, samples: samples };
    }
    p = body + size + (size & 1); // chunks are padded to even sizes
  }
  return fail('E_BAD_INPUT', channels === 0 ? 'WAV has no fmt chunk' : 'WAV has no data chunk');
}
