'use strict';
// The app helpers (src/app/index.ts) alone as an ES5 IIFE (global `tinymlApp`),
// built and minified exactly as rollup.config.js builds the device bundle.
// Used by test/app_helpers.test.js to run the helpers on Duktape and to
// report their size.   node scripts/app-bundle.js [out.js]   (default dist/tinyml.app.js)
const path = require('path');

const ROOT = path.join(__dirname, '..');

async function buildAppBundle(outFile) {
  const { rollup } = require(require.resolve('rollup', { paths: [ROOT] }));
  const typescript = require(require.resolve('@rollup/plugin-typescript', { paths: [ROOT] }));
  const terser = require(require.resolve('@rollup/plugin-terser', { paths: [ROOT] }));
  const bundle = await rollup({
    input: path.join(ROOT, 'src', 'app', 'index.ts'),
    plugins: [typescript({
      tsconfig: path.join(ROOT, 'tsconfig.json'), include: [path.join(ROOT, 'src', '**', '*.ts')],
      target: 'ES5', noEmitOnError: true, outDir: undefined,
    })],
  });
  await bundle.write({
    file: outFile, format: 'iife', name: 'tinymlApp',
    plugins: [terser({ ecma: 5, compress: { passes: 2, hoist_vars: true }, mangle: true, format: { comments: false } })],
  });
  await bundle.close();
  return outFile;
}

module.exports = { buildAppBundle };

if (require.main === module) {
  buildAppBundle(path.resolve(process.argv[2] || path.join(ROOT, 'dist', 'tinyml.app.js')))
    .then((f) => process.stdout.write(path.relative(process.cwd(), f) + '\n'))
    .catch((e) => { process.stderr.write(e.message + '\n'); process.exit(1); });
}
