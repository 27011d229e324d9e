'use strict';
// Over-the-air updates on the emulated Cortex-M4 (boards/qemu-m4/ota_main.c):
// the end-to-end demo (v1 -> v2 -> failed v3 -> v2, one QEMU run per
// power-on, the flash in a host file), the power-cut campaign on the M4
// (every flash operation of both scenarios, chunks of 100 bytes; `npm run
// ota:powercut` adds other chunk sizes and the host), and the cost figures.
// Needs qemu-system-arm, gcc-arm-none-eabi, picolibc-arm-none-eabi and
// duktape-dev; without them these tests fail (not skip).
const assert = require('assert');
const path = require('path');

const otaQemu = require(path.join(__dirname, '..', 'scripts', 'ota-qemu.js'));
const qemu = require(path.join(__dirname, '..', 'scripts', 'build-qemu.js'));

describe('ota on qemu-m4 (emulated Cortex-M4)', function () {
  this.timeout(20 * 60 * 1000);

  before(function () {
    const missing = qemu.missingTools();
    assert.deepStrictEqual(missing, [], missing.join(', ') + ' not found: ' + qemu.APT + ' duktape-dev');
    otaQemu.firmware();
  });

  it('demo: v1 runs, takes v2, v2 confirms, a failed v3 rolls back to v2', function () {
    const d = otaQemu.demo();
    const text = d.lines.join('\n');
    assert.strictEqual(d.sequence, 'v1 -> v2 -> v3 (failed its trial) -> v2', text);
    assert.match(text, /app v1: self-test passed, confirmed/);
    assert.match(text, /app v1: received v2 \(\d+ bytes in \d+ chunks\), verified; rebooting/);
    assert.match(text, /app v2: self-test passed, confirmed/);
    // refused on the way, the running version untouched
    assert.match(text, /app v2: update refused: E_OTA_FOREIGN_KEY/);
    assert.match(text, /app v2: update refused: E_OTA_DOWNGRADE/);
    assert.match(text, /app crashed: app v3: model self-test failed/);
    assert.match(text, /boot: version 3 failed its trial: rolled back to 2\napp v2: running\napp v2: its model\.tflite/);
    // each version reads its own model in place from its slot (the fixtures' filler, version as seed)
    const fixtures = require(path.join(__dirname, '..', 'scripts', 'ota-fixtures.js'));
    for (const v of [1, 2]) {
      const m = fixtures.filler(1500, v);
      let sum = 0;
      for (let i = 0; i < m.length; i++) sum = (sum + m[i] * (i + 1)) % 65521;
      assert.match(text, new RegExp('app v' + v + ': its model.tflite is 1500 bytes in flash \\(checksum ' + sum + '\\)'));
    }
  });

  it('power cuts at every flash operation on the M4 leave a verified old or new version', function () {
    const p = otaQemu.powercut(1, { chunk: 100 });
    assert.strictEqual(p.status, 0, p.out.slice(-3000));
    const m = /powercut: (\d+) cut points tried, (\d+) survived, 0 devices left/.exec(p.out);
    assert.ok(m, p.out);
    assert.strictEqual(m[1], m[2]);
    const ops = [...p.out.matchAll(/: (\d+) flash operations, (\d+) cut points tried, (\d+) survived/g)];
    assert.strictEqual(ops.length, 2);
    ops.forEach((o) => { assert.strictEqual(Number(o[2]), 3 * Number(o[1])); assert.strictEqual(o[2], o[3]); });
  });

  it('cost: verifying a 100 KB bundle, RAM and flash overhead', function () {
    const b = otaQemu.bench();
    assert.ok(b.bundleBytes >= 100000 && b.bundleBytes <= 102400, JSON.stringify(b));
    // the two parts add up to about the whole (flash reads and parsing are the rest)
    assert.ok(b.sha256Instructions > 0 && b.ed25519Instructions > 0);
    assert.ok(b.verifyInstructions >= b.sha256Instructions + b.ed25519Instructions, JSON.stringify(b));
    assert.ok(b.verifyInstructions < 1.2 * (b.sha256Instructions + b.ed25519Instructions) + 500000, JSON.stringify(b));
    // constant RAM: the store's state plus the deepest stack, a few KB at most
    assert.ok(b.devBytes < 512 && b.stackPeakVerify < 4096 && b.stackPeakReceive < 4096, JSON.stringify(b));
    console.log('      ota cost on the M4: ' + JSON.stringify(b));
  });
});
