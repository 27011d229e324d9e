'use strict';
// `tinyml init <dir>`: a starter app that builds for every board in one step
// (`npm run build`) and runs on the emulated ones (`npm run emulate:*`).
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..');

class InitError extends Error {}

const APP_TS = `// A starter app: runs the model built into the image as "model" on a
// frame of zeros every 100 ms, prints the top class, stops after 3 frames.
// Build: npm run build    Run: npm run emulate:host (or :duktape, :qemu)
import { Interpreter } from 'tinyml-ts';

const bytes = board.file('model');
if (bytes === null) throw new Error('no "model" in the image: build with --file model=<path.tflite>');
const m = new Interpreter(bytes);
m.allocateTensors();
let frames = 0;

board.loop(function () {
  const input = m.input(0);
  for (let i = 0; i < input.length; i++) input[i] = 0;
  const t0 = board.millis();
  m.invoke();
  const out = m.output(0);
  let best = 0;
  for (let i = 1; i < out.length; i++) if (out[i] > out[best]) best = i;
  board.print('frame', frames, 'top class', best, 'score', out[best], 'in', board.millis() - t0, 'ms');
  if (++frames === 3) board.exit(0);
}, 100);
`;

function init(dir, log) {
  const d = path.resolve(dir);
  if (fs.existsSync(d) && fs.readdirSync(d).length > 0) throw new InitError(dir + ' exists and is not empty');
  fs.mkdirSync(d, { recursive: true });
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const devDeps = pkg.devDependencies || {};
  const pick = function (n) { return devDeps[n] || '*'; };
  const model = 'model=' + (process.env.TINYML_MODEL || 'model.tflite');
  fs.writeFileSync(path.join(d, 'app.ts'), APP_TS);
  fs.writeFileSync(path.join(d, 'tsconfig.json'), JSON.stringify({
    compilerOptions: {
      strict: true, target: 'ES5', lib: ['ES5'], module: 'ESNext', moduleResolution: 'bundler',
      types: ['tinyml-ts/board'], noEmit: true,
    },
    files: ['app.ts'],
  }, null, 2) + '\n');
  fs.writeFileSync(path.join(d, 'package.json'), JSON.stringify({
    name: path.basename(d).toLowerCase().replace(/[^a-z0-9-]/g, '-'),
    version: '0.1.0',
    private: true,
    scripts: {
      build: 'npm run build:host && npm run build:qemu',
      'build:host': 'tinyml build app.ts --board host --file ' + model + ' --out build/host',
      'build:qemu': 'tinyml build app.ts --board qemu-m4 --file ' + model + ' --out build/qemu-m4',
      'emulate:host': 'tinyml emulate build/host --board host',
      'emulate:duktape': 'tinyml emulate build/host --board duktape',
      'emulate:qemu': 'tinyml emulate build/qemu-m4 --board qemu-m4',
    },
    devDependencies: {
      'tinyml-ts': 'file:' + ROOT,
      rollup: pick('rollup'),
      '@rollup/plugin-typescript': pick('@rollup/plugin-typescript'),
      '@rollup/plugin-terser': pick('@rollup/plugin-terser'),
      typescript: pick('typescript'),
      tslib: pick('tslib'),
    },
  }, null, 2) + '\n');
  fs.writeFileSync(path.join(d, 'README.md'), '# ' + path.basename(d) + '\n\nA tinyml-ts app. Put your model at `model.tflite` ' +
    '(or edit the `--file` in package.json), then:\n\n```sh\nnpm install\nnpm run build          # host and qemu-m4 images, with size reports\n' +
    'npm run emulate:host   # or emulate:duktape, emulate:qemu\n```\n\nThe board API: `node_modules/tinyml-ts/docs/board-api.md`.\n');
  log('tinyml init: wrote ' + ['app.ts', 'tsconfig.json', 'package.json', 'README.md'].join(', ') + ' in ' + dir);
  log('next: cd ' + dir + ' && npm install && npm run build && npm run emulate:host');
}

module.exports = { init: init, InitError: InitError };
