// Two bundles from one source tree:
//  dist/tinyml.device.js  ES5 IIFE (global `tinyml`), minified: what the boards run
//  dist/tinyml.node.js    CommonJS for Node: the same runtime plus the CLI
const typescript = require('@rollup/plugin-typescript');
const terser = require('@rollup/plugin-terser');

// src/model/flatbuffers.ts is our own small ES5 ByteBuffer (the package's
// calls TextDecoder, which JerryScript and Espruino lack).
const include = ['src/**/*.ts'];

module.exports = [
  {
    input: 'src/index.ts',
    output: {
      file: 'dist/tinyml.device.js',
      format: 'iife',
      name: 'tinyml',
      plugins: [terser({
        ecma: 5,
        // hoist_vars: Espruino does not hoist `var`, and terser reuses names in ways
        // that depend on hoisting (seen: a module variable clobbered by a loop var).
        compress: { passes: 2, hoist_vars: true },
        mangle: true,
        format: { comments: false },
      })],
    },
    plugins: [typescript({ tsconfig: './tsconfig.json', include, target: 'ES5', noEmitOnError: true, outDir: undefined })],
  },
  {
    // The OTA device API (src/ota/device.ts): global `tinymlOta` for boards with an update store.
    input: 'src/ota/device.ts',
    output: { file: 'dist/tinyml.ota.js', format: 'iife', name: 'tinymlOta', plugins: [terser({ ecma: 5, compress: { passes: 2, hoist_vars: true }, mangle: true, format: { comments: false } })] },
    plugins: [typescript({ tsconfig: './tsconfig.json', include, target: 'ES5', noEmitOnError: true, outDir: undefined })],
  },
  {
    input: 'src/node.ts',
    external: ['fs', 'path', 'child_process', 'os', 'crypto'],
    output: { file: 'dist/tinyml.node.js', format: 'cjs', exports: 'named' },
    plugins: [typescript({ tsconfig: './tsconfig.json', include, target: 'ES2019', noEmitOnError: true, outDir: undefined })],
  },
];
