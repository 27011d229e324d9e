// The device API (tinymlOta, dist/tinyml.ota.js) and the raw binding
// (__tinyml_ota) on Duktape, run by test/ota.test.js through
// dist/ota/ota_duk_host. DIR (prepended) holds pub.raw, v1..v3.tmlota,
// foreign.tmlota (another key). ES5: it runs where the boards run it.
var checks = 0;
function fail(msg) { throw new Error('FAIL ' + msg); }
function eq(a, b, what) { checks++; if (a !== b) fail(what + ': ' + a + ' !== ' + b); }
function throwsCode(fn, code, what) {
  checks++;
  try { fn(); } catch (e) {
    if (e.name !== 'TinyMLError' || e.code !== code) fail(what + ': threw ' + e.name + ' ' + e.code + ' ' + e.message);
    if (e.message.indexOf(code + ': ') !== 0) fail(what + ': message ' + e.message);
    return;
  }
  fail(what + ': did not throw ' + code);
}
function throwsType(fn, what) {
  checks++;
  try { fn(); } catch (e) { if (!(e instanceof TypeError)) fail(what + ': ' + e); return; }
  fail(what + ': no TypeError');
}
/** Sends a bundle through subarray views at odd offsets of a bigger buffer. */
function send(bytes, chunk, withOffsets) {
  var big = new Uint8Array(bytes.length + 3);
  big.set(bytes, 3);
  tinymlOta.begin(bytes.length);
  for (var off = 0; off < bytes.length; off += chunk) {
    var n = Math.min(chunk, bytes.length - off);
    var view = big.subarray(3 + off, 3 + off + n);
    if (withOffsets) tinymlOta.write(view, off); else tinymlOta.write(view);
    eq(tinymlOta.status().received, off + n, 'received');
  }
  tinymlOta.finish();
}

var v1 = readFile(DIR + '/v1.tmlota'), v2 = readFile(DIR + '/v2.tmlota'), v3 = readFile(DIR + '/v3.tmlota');
var foreign = readFile(DIR + '/foreign.tmlota');

// a blank device: nothing runs, nothing to confirm
var b = device.reboot();
eq(b.status, 21, 'blank device boots nothing (E_NO_IMAGE)');
eq(tinymlOta.status().state, 'empty', 'state');
eq(tinymlOta.version(), 0, 'no version');
tinymlOta.confirm(); // harmless
throwsCode(function () { tinymlOta.write(new Uint8Array(4)); }, 'E_OTA_STATE', 'write before begin');
throwsCode(function () { tinymlOta.finish(); }, 'E_OTA_STATE', 'finish before begin');

// argument checks: TinyMLError from the API, TypeError from the raw binding
throwsCode(function () { tinymlOta.begin(-1); }, 'E_OTA_ARG', 'negative size');
throwsCode(function () { tinymlOta.begin(1.5); }, 'E_OTA_ARG', 'fractional size');
throwsCode(function () { tinymlOta.write([1, 2, 3]); }, 'E_OTA_ARG', 'array chunk');
throwsType(function () { __tinyml_ota.write('abcd', 0); }, 'string chunk');
throwsType(function () { __tinyml_ota.write(new Uint16Array(4), 0); }, 'Uint16Array chunk');
throwsType(function () { __tinyml_ota.write(new Uint8Array(4), NaN); }, 'NaN offset');
throwsType(function () { __tinyml_ota.write(new Uint8Array(4), -1); }, 'negative offset');
throwsType(function () { __tinyml_ota.begin({}); }, 'object size');
throwsType(function () { __tinyml_ota.info('x'); }, 'string key');
eq(__tinyml_ota.info(99), -1, 'unknown info key');
throwsCode(function () { tinymlOta.begin(1 << 30); }, 'E_OTA_TOO_BIG', 'larger than a slot');

// factory install of v1, 1-byte to 1000-byte chunks all work
send(v1, 1, false);
eq(tinymlOta.status().state, 'pending', 'v1 pending');
eq(tinymlOta.status().pendingVersion, 1, 'pending version');
throwsCode(function () { tinymlOta.begin(v2.length); }, 'E_OTA_BUSY', 'second update while one is pending');
b = device.reboot();
eq(b.status, 0, 'boot v1');
eq(b.version, 1, 'v1 runs');
eq(b.trial, true, 'on trial');
eq(tinymlOta.status().trial, true, 'status says trial');
throwsCode(function () { tinymlOta.begin(v2.length); }, 'E_OTA_BUSY', 'update during a trial');
tinymlOta.confirm();
eq(tinymlOta.status().state, 'normal', 'confirmed');
eq(tinymlOta.status().trial, false, 'no longer a trial');
// the running version's files, in place in flash
var appJs = tinymlOta.file('app.js'), want = readFile(DIR + '/build-v1/app.js');
eq(appJs.length, want.length, 'file(app.js) size');
for (var k = 0; k < want.length; k++) eq(appJs[k], want[k], 'file(app.js) byte ' + k);
eq(tinymlOta.file('model.tflite').length, readFile(DIR + '/build-v1/model.tflite').length, 'file(model) size');
eq(tinymlOta.file('nope.bin'), null, 'no such file');
eq(tinymlOta.file(''), null, 'empty name');
eq(tinymlOta.file('a-name-far-longer-than-thirty-one-bytes.tflite'), null, 'long name');
throwsCode(function () { tinymlOta.file(3); }, 'E_OTA_ARG', 'file(number)');
throwsType(function () { __tinyml_ota.file(3); }, 'raw file(number)');

// refusals while v1 runs
throwsCode(function () { send(v1, 100, true); }, 'E_OTA_DOWNGRADE', 'same version');
throwsCode(function () { send(foreign, 100, true); }, 'E_OTA_FOREIGN_KEY', 'another key');
throwsCode(function () {
  tinymlOta.begin(v2.length);
  tinymlOta.write(v2.subarray(0, 200), 0);
  tinymlOta.write(v2.subarray(300, 400), 300);
}, 'E_OTA_OUT_OF_ORDER', 'gap');
throwsCode(function () {
  tinymlOta.begin(v2.length);
  tinymlOta.write(v2.subarray(0, 200), 0);
  tinymlOta.write(v2.subarray(100, 300), 100);
}, 'E_OTA_DUPLICATE', 'overlap');
throwsCode(function () {
  tinymlOta.begin(v2.length);
  tinymlOta.write(v2.subarray(0, 200));
  tinymlOta.finish();
}, 'E_OTA_TRUNCATED', 'early finish');
throwsCode(function () { tinymlOta.write(v2.subarray(200, 300)); }, 'E_OTA_STATE', 'a refusal closes the session');
var tampered = new Uint8Array(v2);
tampered[tampered.length - 1] ^= 1;
throwsCode(function () { send(tampered, 500, true); }, 'E_OTA_FILE_HASH', 'a changed file');
eq(device.reboot().version, 1, 'v1 still runs after every refusal');

// v2: trial, confirm; v3: trial, no confirm, rollback
send(v2, 333, true);
b = device.reboot();
eq(b.version, 2, 'v2 on trial');
eq(b.trial, true, 'v2 trial');
tinymlOta.confirm();
b = device.reboot();
eq(b.version, 2, 'v2 confirmed');
eq(b.trial, false, 'v2 normal');
send(v3, 1000, false);
b = device.reboot();
eq(b.version, 3, 'v3 on trial');
b = device.reboot(); // never confirmed
eq(b.version, 2, 'back to v2');
eq(b.rolledBack, true, 'rolled back');
eq(b.failedVersion, 3, 'v3 failed');
var st = tinymlOta.status();
eq(st.rolledBack, true, 'status: rolled back');
eq(st.failedVersion, 3, 'status: failed version');
eq(st.version, 2, 'status: version');
throwsCode(function () { send(v1, 100, true); }, 'E_OTA_DOWNGRADE', 'v1 after v2 confirmed');
print('api: ' + checks + ' checks passed');
