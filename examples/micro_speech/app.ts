// micro_speech: "yes" / "no" keyword spotting, streamed as a board would.
//
// Every 20 ms (board.loop) the app takes the next 320 samples (20 ms at
// 16 kHz) of the current clip, or of silence once the clip is over. Framer
// cuts 30 ms frames every 20 ms; each frame goes through the signal-op front
// end (audio_preprocessor_int8) to a row of 40 int8 features; SlidingWindow
// keeps the last 49 rows (~1 s). Once the window is full the classifier
// (micro_speech_int8) runs on it at every new row, as TFLM's example does,
// and CommandRecognizer averages its scores over 1 s, reporting a command
// when it is new. On the 64 MHz M4 (optimized kernels) one classification
// costs about 14 ms and a row about 3 ms, so every row keeps up with the
// audio (57% busy). `-- every=N` classifies every Nth row instead, for
// slower boards or kernels (same verdicts on the shipped clips for N = 1..10).
//
// Each clip is followed by 1 s of zeros so the averaging window sees the
// whole word; each clip starts a new session (front-end state, window and
// recognizer reset), so its first full window is exactly the 49 rows TFLM
// computes for the clip alone. Time is the audio clock (20 ms per row), not
// board.millis(), so the output is the same on every board.
//
// Both models share one arena block (allocateShared): they run one after
// the other, so their activations can overlap.
//
// `-- save` hands each clip's first full window and its scores back to the
// host (board.output: <clip>.input.bin, <clip>.output.bin), for the tests
// that compare them with TFLM's.
import { Interpreter, TinyMLError } from 'tinyml-ts';
import { Framer, SlidingWindow, CommandRecognizer, readWav, allocateShared } from 'tinyml-ts/app';

const LABELS = ['silence', 'unknown', 'yes', 'no'];
const CLIPS = ['yes_1000ms', 'no_1000ms', 'silence_1000ms', 'noise_1000ms'];
const RATE = 16000;
const HOP = 320; // 20 ms: one loop tick, one feature row
const FRAME = 480; // 30 ms
const ROWS = 49, COLS = 40;
const TAIL_HOPS = 50; // 1 s of silence after each clip

function file(name: string): Uint8Array {
  const b = board.file(name);
  if (!b) throw new TinyMLError('E_BAD_INPUT', 'no file "' + name + '" in the image (tinyml build --file ' + name + '=...)');
  return b;
}

const save = board.args.indexOf('save') >= 0;
let every = 1;
for (let i = 0; i < board.args.length; i++) if (board.args[i].indexOf('every=') === 0) every = +board.args[i].slice(6);
if (!(every >= 1 && every <= ROWS && Math.floor(every) === every)) {
  throw new TinyMLError('E_BAD_INPUT', 'every=N: N must be a whole number of rows from 1 to ' + ROWS);
}

const pre = new Interpreter(file('preprocessor'));
const kws = new Interpreter(file('micro_speech'));
const layout = allocateShared([pre, kws]);
board.print('arena: ' + layout.usedBytes + ' bytes shared (block ' + layout.arenaBytes + '), ' +
  layout.separateBytes + ' bytes as two arenas: saves ' + (layout.separateBytes - layout.arenaBytes));

const audio = pre.input(0), features = pre.output(0);
const input = kws.input(0), scores = kws.output(0);
const framer = new Framer(FRAME, HOP);
// Its own storage, not the model input: the shared arena reuses the input's
// bytes while the front end runs.
const window = new SlidingWindow(ROWS, COLS);
const recognizer = new CommandRecognizer(LABELS);
const zeros = new Int16Array(HOP);

let clip = -1, samples: Int16Array = zeros, hop = 0, hops = 0;
let timeMs = 0, inferences = 0, heard: string[] = [], busy = 0;

function bytesOf(t: ArrayLike<number>): Uint8Array {
  const b = new Uint8Array(t.length);
  for (let i = 0; i < t.length; i++) b[i] = t[i] & 255;
  return b;
}

function startClip(): void {
  clip++;
  const wav = readWav(file(CLIPS[clip]));
  if (wav.sampleRate !== RATE || wav.channels !== 1) {
    throw new TinyMLError('E_BAD_INPUT', CLIPS[clip] + ': need 16 kHz mono, got ' + wav.sampleRate + ' Hz x ' + wav.channels);
  }
  samples = wav.samples;
  hop = 0;
  hops = Math.ceil(samples.length / HOP) + TAIL_HOPS;
  pre.resetVariables();
  framer.clear();
  window.clear();
  recognizer.reset();
  timeMs = 0;
  inferences = 0;
  heard = [];
  busy = 0;
}

function classify(): void {
  window.copyTo(input);
  if (save && inferences === 0) board.output(CLIPS[clip] + '.input.bin', bytesOf(input));
  kws.invoke();
  if (save && inferences === 0) board.output(CLIPS[clip] + '.output.bin', bytesOf(scores));
  inferences++;
  recognizer.process(scores, timeMs);
  const word = recognizer.heard();
  if (word) {
    heard.push(word);
    board.print(CLIPS[clip] + '.wav: heard "' + word + '" at ' + timeMs + ' ms (score ' + recognizer.score + ')');
  }
}

// One tick: 20 ms of audio in, every completed frame through the pipeline.
function tick(): void {
  if (clip < 0 || hop === hops) {
    if (clip >= 0) {
      board.print(CLIPS[clip] + '.wav: ' + (heard.length ? heard.join(' ') : 'no command') + ' (' + inferences + ' inferences)');
      board.print('time: ' + CLIPS[clip] + ' busy ' + busy + ' ms of ' + hops * 20 + ' ms of audio (board.millis() per tick)');
    }
    if (clip === CLIPS.length - 1) {
      board.exit(0);
      return;
    }
    startClip();
  }
  const from = hop * HOP;
  const src = from < samples.length ? samples : zeros;
  let p = src === samples ? from : 0;
  const end = src === samples ? Math.min(from + HOP, samples.length) : HOP;
  hop++;
  const t0 = board.millis();
  while (p < end) {
    p += framer.push(src, p, end - p);
    if (!framer.ready()) continue;
    framer.read(audio);
    pre.invoke();
    window.pushRow(features);
    timeMs += 20;
    if (window.full() && (window.pushed - ROWS) % every === 0) classify();
  }
  busy += board.millis() - t0;
}

board.loop(tick, 20);
