'use strict';
// Test bundles for the OTA tests, the demo and the power-cut campaign: a key
// pair made on the spot (keys never live in the repository), build
// directories v1..v3 (app.js + a packed-model-sized file + build.json) and
// their signed bundles, written to `dir` with pub.raw (the device's key).
var fs = require('fs');
var path = require('path');

function tinyml() {
  var dist = path.join(__dirname, '..', 'dist', 'tinyml.node.js');
  if (!fs.existsSync(dist)) throw new Error('dist/tinyml.node.js is missing: run `npm run build`');
  return require(dist);
}

/** Deterministic filler standing in for a packed model. */
function filler(n, seed) {
  var b = Buffer.alloc(n);
  var x = seed >>> 0 || 1;
  for (var i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    b[i] = x & 255;
  }
  return b;
}

/**
 * apps: { 1: source, 2: source, 3: source } (device JS); opts.board,
 * opts.modelBytes. Returns { dir, keys, pubRaw, board, bundles: {1,2,3} (paths) }.
 */
function make(dir, apps, opts) {
  var o = opts || {};
  var ota = tinyml().ota;
  var board = o.board || 'qemu-m4';
  fs.mkdirSync(dir, { recursive: true });
  var keys = ota.generateKeyPair();
  fs.writeFileSync(path.join(dir, 'device.key'), keys.privatePem, { mode: 384 });
  fs.writeFileSync(path.join(dir, 'device.pub'), keys.publicPem);
  var pubRaw = ota.publicKeyRaw(keys.publicPem);
  fs.writeFileSync(path.join(dir, 'pub.raw'), pubRaw);
  var bundles = {};
  Object.keys(apps).forEach(function (v) {
    var build = path.join(dir, 'build-v' + v);
    fs.mkdirSync(build, { recursive: true });
    fs.writeFileSync(path.join(build, 'app.js'), apps[v]);
    fs.writeFileSync(path.join(build, 'model.tflite'), filler(o.modelBytes === undefined ? 1500 : o.modelBytes, Number(v)));
    fs.writeFileSync(path.join(build, 'build.json'), JSON.stringify({ board: board, app: 'app.js' }) + '\n');
    bundles[v] = path.join(dir, 'v' + v + '.tmlota');
    fs.writeFileSync(bundles[v], ota.packBuildDir(build, keys.privatePem, Number(v)));
  });
  return { dir: dir, keys: keys, pubRaw: pubRaw, board: board, bundles: bundles };
}

module.exports = { make: make, filler: filler, tinyml: tinyml };
