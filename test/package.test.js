'use strict';
// The package as a user gets it: `npm pack` the repository, install the
// tarball in a fresh project outside the repository (its install script
// builds the addon there), then run hello_world_int8 over every int8 input
// (golden case sweep_all_int8) from a strict TypeScript app
// (`import { Interpreter } from 'tinyml-ts'`), a CommonJS app and an ES module,
// each checked byte for byte against TFLM's outputs. Device code type-checks
// against `tinyml-ts/board` with an ES5 lib. Nothing is fetched: the package
// has no dependencies; TypeScript and @types/node come from this repository.
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const { spawnSync } = require('child_process');
const h = require('./helpers');

const TSC = path.join(h.ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
const TYPE_ROOTS = path.join(h.ROOT, 'node_modules', '@types');
const MODEL = 'hello_world_int8';
const CASE = 'sweep_all_int8';

const { run, requireFile, packAndInstall } = require('./package-helpers');

const APP_TS = `import * as fs from 'fs';
import { Interpreter, TinyMLError, ErrorCode, InterpreterOptions, TensorView } from 'tinyml-ts';

function bytes(v: TensorView): Uint8Array {
  return new Uint8Array(v.buffer, v.byteOffset, v.byteLength);
}

const [modelFile, inputFile, outputFile] = process.argv.slice(2);
const options: InterpreterOptions = {};
const m = new Interpreter(new Uint8Array(fs.readFileSync(modelFile)), options);
m.allocateTensors();
const input = bytes(m.input(0));
const output: TensorView = m.output(0);
const frames = new Uint8Array(fs.readFileSync(inputFile));
const result = new Uint8Array(frames.length / input.length * output.byteLength);
for (let f = 0; f * input.length < frames.length; f++) {
  input.set(frames.subarray(f * input.length, (f + 1) * input.length));
  m.invoke();
  result.set(bytes(output), f * output.byteLength);
}
fs.writeFileSync(outputFile, result);

let badModel: ErrorCode | 'none' = 'none';
try {
  new Interpreter(new Uint8Array(16));
} catch (e) {
  if (e instanceof TinyMLError) badModel = e.code;
}
console.log(JSON.stringify({ shape: output.shape, scale: output.scale, zeroPoint: output.zeroPoint, badModel }));
`;

const APP_CJS = `'use strict';
const fs = require('fs');
const { Interpreter, TinyMLError } = require('tinyml-ts');
const [modelFile, inputFile, outputFile] = process.argv.slice(2);
const m = new Interpreter(new Uint8Array(fs.readFileSync(modelFile)));
m.allocateTensors();
const out = m.output(0);
const frames = fs.readFileSync(inputFile);
const n = m.input(0).byteLength;
const result = new Uint8Array(frames.length / n * out.byteLength);
for (let f = 0; f * n < frames.length; f++) {
  new Uint8Array(m.input(0).buffer, m.input(0).byteOffset, n).set(frames.subarray(f * n, (f + 1) * n));
  m.invoke();
  result.set(new Uint8Array(out.buffer, out.byteOffset, out.byteLength), f * out.byteLength);
}
fs.writeFileSync(outputFile, result);
let badModel = 'none';
try { new Interpreter(new Uint8Array(16)); } catch (e) { if (e instanceof TinyMLError) badModel = e.code; }
console.log(JSON.stringify({ shape: out.shape, scale: out.scale, zeroPoint: out.zeroPoint, badModel }));
`;

// The same app as an ES module: Node's named imports from the CommonJS bundle.
const APP_MJS = APP_CJS.replace("'use strict';\n", '')
  .replace("const fs = require('fs');", "import * as fs from 'fs';")
  .replace("const { Interpreter, TinyMLError } = require('tinyml-ts');", "import { Interpreter, TinyMLError } from 'tinyml-ts';");

// Device code: the board global and the runtime's types on an ES5 lib. Each
// @ts-expect-error fails the compile if `board` were untyped (any).
const DEVICE_TS = `import { Interpreter, TinyMLError } from 'tinyml-ts';

const model: Uint8Array | null = board.file('model');
if (model === null) {
  board.print('no model on', board.name);
  board.exit(1);
} else {
  const m = new Interpreter(model);
  m.allocateTensors();
  board.loop(function () {
    m.input(0)[0] = board.millis() % 256 - 128;
    try {
      m.invoke();
    } catch (e) {
      if (e instanceof TinyMLError) board.print(e.code);
    }
    const sent: boolean = board.output('y', new Uint8Array(m.output(0).buffer, m.output(0).byteOffset, 1));
    board.print(board.args.length, sent, board.input('x') === null);
  }, 100);
}
// @ts-expect-error millis takes no argument
board.millis(1);
// @ts-expect-error file names are strings
board.file(1);
// @ts-expect-error file() may return null
const n: number = board.file('model').length;
// @ts-expect-error name is read-only
board.name = 'other';
`;

describe('package: npm pack, install in a fresh project, use it', function () {
  this.timeout(10 * 60 * 1000);
  let work, app, pkg, tarball, golden, expected;

  before(function () {
    requireFile(path.join(h.ROOT, 'dist', 'tinyml.node.js'), 'run `npm run build`');
    requireFile(TSC, 'run `npm ci` in the repository (typescript is a devDependency)');
    const model = h.golden().models.find((x) => x.name === MODEL);
    golden = { model, case: model.cases.find((c) => c.name === CASE) };
    expected = h.readBytes(path.join(h.MODELS, golden.case.output.file));

    work = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyml-pkg-'));
    const p = packAndInstall(work);
    app = p.app;
    tarball = p.tarball;
    pkg = p.pkg;
    console.log('      package: ' + pkg.files.length + ' files, ' + (pkg.size / 1024).toFixed(1) + ' KB packed; npm pack ' +
      pkg.ms + ' ms, npm install (addon build) ' + pkg.installMs + ' ms');
  });

  after(function () {
    if (work && !process.env.TINYML_KEEP_TMP) fs.rmSync(work, { recursive: true, force: true });
  });

  function inputs() {
    return [path.join(h.MODELS, golden.model.file), path.join(h.MODELS, golden.case.input.file)];
  }

  /** The app's printed metadata and output bytes against golden.json and TFLM's outputs. */
  function check(stdout, outFile, what) {
    const meta = JSON.parse(stdout.trim().split('\n').pop());
    const o = golden.model.outputs[0];
    assert.deepStrictEqual(meta.shape, o.shape, what + ': output shape');
    assert.strictEqual(meta.scale, Math.fround(o.scale), what + ': output scale');
    assert.strictEqual(meta.zeroPoint, o.zero_point, what + ': output zero point');
    assert.match(meta.badModel, /^E_(MODEL_TRUNCATED|BAD_IDENTIFIER|BAD_MODEL)$/, what + ': a 16-byte model must be a TinyMLError');
    const got = h.readBytes(outFile);
    assert.strictEqual(got.length, expected.length, what + ': output length');
    const d = h.firstDiff(got, expected);
    assert.strictEqual(d, -1, what + ': first difference with TFLM at byte ' + d);
  }

  it('ships the bundles, type declarations, bin and what `npm install` needs to build the addon', function () {
    for (const f of ['package.json', 'README.md', 'bin/tinyml.js', 'binding.gyp', 'scripts/native-sources.js',
      'dist/tinyml.node.js', 'dist/tinyml.device.js', 'dist/types/node.d.ts', 'dist/types/index.d.ts',
      'dist/types/board.d.ts', 'native/include/tinyml.h', 'native/bindings/node/tinyml_node.c']) {
      assert.ok(pkg.files.indexOf(f) >= 0, f + ' is not in the tarball');
    }
    const stray = pkg.files.filter((f) => /^(test|fuzz|bench)\/|^dist\/(obj|qemu-m4|tinyml-duk)|\.(o|node|tflite)$/.test(f));
    assert.deepStrictEqual(stray, [], 'files the package must not ship');
    // Every target of `exports` exists in the installed package.
    const root = path.join(app, 'node_modules', 'tinyml-ts');
    const manifest = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
    assert.deepStrictEqual(manifest.dependencies || {}, {}, 'the package has no runtime dependencies');
    const targets = [];
    (function walk(v) {
      if (typeof v === 'string') targets.push(v);
      else Object.keys(v).forEach((k) => walk(v[k]));
    })(manifest.exports);
    for (const t of targets.concat([manifest.main, manifest.types])) {
      assert.ok(fs.existsSync(path.join(root, t)), 'package.json names ' + t + ', which is not in the package');
    }
    assert.ok(fs.existsSync(path.join(root, 'build', 'Release', 'tinyml.node')), 'the install script did not build the addon');
  });

  it('a strict TypeScript app: import { Interpreter } from \'tinyml-ts\' (tsc, then node)', function () {
    fs.writeFileSync(path.join(app, 'app.ts'), APP_TS);
    fs.writeFileSync(path.join(app, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        strict: true, target: 'ES2020', module: 'node16', moduleResolution: 'node16', skipLibCheck: false,
        noUnusedLocals: true, typeRoots: [TYPE_ROOTS], types: ['node'], outDir: 'out',
      },
      files: ['app.ts'],
    }));
    run(process.execPath, [TSC, '-p', 'tsconfig.json'], app, 'tsc (strict app)');
    const out = path.join(app, 'ts.out.bin');
    const r = run(process.execPath, [path.join('out', 'app.js')].concat(inputs(), [out]), app, 'the TypeScript app');
    check(r.stdout, out, 'TypeScript app');
  });

  it('a CommonJS app: require(\'tinyml-ts\'); tinyml-ts/device resolves; version matches package.json', function () {
    fs.writeFileSync(path.join(app, 'app.cjs'), APP_CJS);
    const out = path.join(app, 'cjs.out.bin');
    const r = run(process.execPath, ['app.cjs'].concat(inputs(), [out]), app, 'the CommonJS app');
    check(r.stdout, out, 'CommonJS app');
    // The subpath exports resolve, and the runtime reports the package's version.
    const root = path.join(app, 'node_modules', 'tinyml-ts');
    const v = run(process.execPath, ['-p', "JSON.stringify([require.resolve('tinyml-ts/device'), " +
      "require('tinyml-ts/package.json').version, require('tinyml-ts').version])"], app, 'require.resolve');
    const [device, manifestVersion, runtimeVersion] = JSON.parse(v.stdout);
    assert.strictEqual(device, path.join(fs.realpathSync(root), 'dist', 'tinyml.device.js'));
    assert.strictEqual(runtimeVersion, manifestVersion, 'version in src/index.ts vs package.json');
  });

  it('an ES module: import { Interpreter } from \'tinyml-ts\' in Node', function () {
    fs.writeFileSync(path.join(app, 'app.mjs'), APP_MJS);
    const out = path.join(app, 'mjs.out.bin');
    const r = run(process.execPath, ['app.mjs'].concat(inputs(), [out]), app, 'the ES module app');
    check(r.stdout, out, 'ES module app');
  });

  it('the `tinyml` command is installed: npx tinyml inspect lists the model\'s ops', function () {
    const r = run('npx', ['--no-install', 'tinyml', 'inspect', inputs()[0], '--json'], app, 'npx tinyml inspect');
    const ops = JSON.parse(r.stdout).ops.map((o) => o.op);
    assert.deepStrictEqual(ops, golden.model.subgraphs[0].ops);
  });

  it('device code type-checks against tinyml-ts/board with an ES5 lib, both module resolutions (and misuse of board does not)', function () {
    const dir = path.join(app, 'device');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'main.ts'), DEVICE_TS);
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({
      compilerOptions: {
        strict: true, target: 'ES5', lib: ['ES5'], module: 'ESNext', moduleResolution: 'bundler', skipLibCheck: false,
        noEmit: true, types: ['tinyml-ts/board'],
      },
      files: ['main.ts'],
    }));
    run(process.execPath, [TSC, '-p', 'tsconfig.json'], dir, 'tsc (device code with tinyml-ts/board)');
    // Older resolution (no `exports`): typesVersions maps tinyml-ts/board.
    run(process.execPath, [TSC, '-p', 'tsconfig.json', '--module', 'commonjs', '--moduleResolution', 'node10'], dir,
      'tsc (device code, moduleResolution node10)');
  });

  it('without the addon, importing it is a TinyMLError E_NO_NATIVE that says how to build it', function () {
    const addon = path.join(app, 'node_modules', 'tinyml-ts', 'build', 'Release', 'tinyml.node');
    fs.renameSync(addon, addon + '.away');
    try {
      const r = spawnSync(process.execPath, ['-e',
        "try { require('tinyml-ts'); console.log('loaded'); } catch (e) { console.log(e.name + ' ' + e.code + ' ' + e.message); }"],
      { cwd: app, encoding: 'utf8' });
      assert.match(r.stdout, /^TinyMLError E_NO_NATIVE E_NO_NATIVE: cannot load the native addon .*npm rebuild tinyml-ts/, r.stdout + r.stderr);
    } finally {
      fs.renameSync(addon + '.away', addon);
    }
  });
});
