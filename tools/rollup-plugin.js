'use strict';
// tinyml-ts/rollup: the rollup plugin `tinyml build` uses, for people with
// their own rollup config. It makes `import ... from 'tinyml-ts'` (and
// 'tinyml-ts/core', 'tinyml-ts/device') in device code read the global
// `tinyml` that the device bundle defines; put that bundle before the app's
// (tinymlRuntime() says which one and where it is). 'tinyml-ts/app' (the
// app helpers: ring buffers, windows, quantization, recognizer, WAV and BMP
// readers, shared arenas) is bundled into the app from dist/tinyml.app.mjs,
// only the helpers it uses.
//
//   const tinyml = require('tinyml-ts/rollup');
//   export default { input: 'app.ts', output: { file: 'out/app.js', format: 'iife' },
//     plugins: [tinyml(), typescript({ target: 'ES5' }), terser(tinyml.terserOptions)] };
const fs = require('fs');
const path = require('path');

const ROOT = path.join(__dirname, '..');
const VIRTUAL = '\0tinyml-ts:global';
const APP_HELPERS = path.join(ROOT, 'dist', 'tinyml.app.mjs');
const NAMES = { 'tinyml-ts': 'core', 'tinyml-ts/core': 'core', 'tinyml-ts/device': 'device' };

/** The plugin. options.onImport(which): told 'core' or 'device' for each import seen. */
function tinyml(options) {
  const o = options || {};
  return {
    name: 'tinyml-ts',
    resolveId(source) {
      if (source === 'tinyml-ts/app') return APP_HELPERS;
      if (Object.prototype.hasOwnProperty.call(NAMES, source)) {
        if (o.onImport) o.onImport(NAMES[source]);
        return VIRTUAL;
      }
      return null;
    },
    load(id) {
      if (id !== VIRTUAL) return null;
      return [
        'var t = tinyml;',
        'export var Interpreter = t.Interpreter;',
        'export var TinyMLError = t.TinyMLError;',
        'export var version = t.version;',
        'export var packModel = t.packModel;',
        'export default t;',
        // for the app helpers' errors: the core's own TinyMLError
        'export function fail(code, message) { throw new t.TinyMLError(code, message); }',
      ].join('\n');
    },
  };
}

/** The device bundle an app needs: 'core' (packed models) or 'device' (adds the on-device planner). */
function tinymlRuntime(which) {
  return path.join(ROOT, 'dist', which === 'device' ? 'tinyml.device.js' : 'tinyml.core.js');
}

module.exports = tinyml;
module.exports.default = tinyml;
module.exports.tinyml = tinyml;
module.exports.tinymlRuntime = tinymlRuntime;
module.exports.terserOptions = require('../scripts/device-terser.js');
module.exports.readRuntime = function (which) { return fs.readFileSync(tinymlRuntime(which), 'utf8'); };
