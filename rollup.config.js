// Three bundles from one source tree:
//  dist/tinyml.core.js    ES5 IIFE (global `tinyml`), minified: the device core
//                         that runs packed models (what the boards run)
//  dist/tinyml.device.js  the same plus the on-device planner add-on (raw .tflite)
//  dist/tinyml.node.js    CommonJS for Node: the runtime, planner, packer and CLI
//  (and dist/tinyml.ota.js, global `tinymlOta`: the over-the-air update API;
//   dist/tinyml.app.mjs: the app helpers of src/app as an ES5 module that
//   device apps import as 'tinyml-ts/app', see tools/rollup-plugin.js)
const path = require('path');
const typescript = require('@rollup/plugin-typescript');
const terser = require('@rollup/plugin-terser');

// src/model/flatbuffers.ts is our own small ES5 ByteBuffer (the package's
// calls TextDecoder, which JerryScript and Espruino lack).
const include = ['src/**/*.ts'];

function deviceBundle(input, file, name) {
  return {
    input: input,
    output: {
      file: file,
      format: 'iife',
      name: name || 'tinyml',
      plugins: [terser(require('./scripts/device-terser.js').runtime)],
    },
    plugins: [typescript({ tsconfig: './tsconfig.json', include, target: 'ES5', noEmitOnError: true, outDir: undefined })],
  };
}

// The app helpers reach the core only for its error type: in the module they
// import `fail` from 'tinyml-ts', which tools/rollup-plugin.js serves from the
// device bundle's global, so an app's errors are the core's TinyMLErrors.
const ERRORS = path.join(__dirname, 'src', 'core', 'errors');
const errorsFromCore = {
  name: 'errors-from-core',
  resolveId(source, importer) {
    if (importer && path.resolve(path.dirname(importer), source) === ERRORS) return { id: 'tinyml-ts', external: true };
    return null;
  },
};

module.exports = [
  deviceBundle('src/device-core.ts', 'dist/tinyml.core.js'),
  deviceBundle('src/index.ts', 'dist/tinyml.device.js'),
  // the OTA device API (src/ota/device.ts): global `tinymlOta` on boards with an update store
  deviceBundle('src/ota/device.ts', 'dist/tinyml.ota.js', 'tinymlOta'),
  {
    input: 'src/app/index.ts',
    output: { file: 'dist/tinyml.app.mjs', format: 'es' },
    plugins: [errorsFromCore, typescript({ tsconfig: './tsconfig.json', include, target: 'ES5', noEmitOnError: true, outDir: undefined })],
  },
  {
    input: 'src/node.ts',
    external: ['fs', 'path', 'child_process', 'os', 'crypto'],
    output: { file: 'dist/tinyml.node.js', format: 'cjs', exports: 'named' },
    plugins: [typescript({ tsconfig: './tsconfig.json', include, target: 'ES2019', noEmitOnError: true, outDir: undefined })],
  },
];
