'use strict';
// Over-the-air updates on the host: the crypto against FIPS 180-4 / RFC 8032
// and Node's crypto, the CLI, the power-cut campaign and the bad bundles,
// all in native/ota's C code under ASan + UBSan (dist/ota/ota_host).
const assert = require('assert');
const fs = require('fs');
const os = require('os');
const path = require('path');
const crypto = require('crypto');
const { spawnSync } = require('child_process');
const buildOta = require('../scripts/build-ota');
const fixtures = require('../scripts/ota-fixtures');

const ROOT = path.join(__dirname, '..');
const CLI = path.join(ROOT, 'bin', 'tinyml.js');

/** ota_status values, read from the C header (index = value). */
function statusCodes() {
  const h = fs.readFileSync(path.join(ROOT, 'native', 'ota', 'ota.h'), 'utf8');
  const body = /typedef enum \{([\s\S]*?)\} ota_status;/.exec(h)[1];
  const names = body.split('\n').map((l) => /^\s*OTA_(OK|E_\w+)/.exec(l)).filter(Boolean).map((m) => m[1]);
  const codes = {};
  names.forEach((n, i) => { codes[n] = i; });
  return codes;
}

function run(bin, args) {
  const r = spawnSync(bin, args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  const out = (r.stdout || '') + (r.stderr || '');
  return { status: r.status, out };
}

function passedLine(out) {
  const m = /^(\d+) passed, (\d+) failed$/m.exec(out);
  assert.ok(m, 'no summary line in:\n' + out.slice(-2000));
  return { passed: Number(m[1]), failed: Number(m[2]) };
}

describe('ota: crypto, flash store and bundles (native/ota under ASan/UBSan)', function () {
  this.timeout(300000);
  let bin, dir, fx, S;

  before(function () {
    bin = buildOta.hostDriver();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tinyml-ota-'));
    // 13-byte apps: 3 bytes of padding before the next file
    fx = fixtures.make(dir, { 1: 'print("v1");\n', 2: 'print("v2");\n', 3: 'print("v3");\n' });
    S = statusCodes();
  });
  after(function () {
    if (dir && !process.env.TINYML_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('SHA-256/512 and Ed25519 pass the FIPS 180-4 and RFC 8032 vectors; flash semantics hold', function () {
    const r = run(bin, ['selftest']);
    const s = passedLine(r.out);
    assert.strictEqual(r.status, 0, r.out);
    assert.strictEqual(s.failed, 0);
    assert.ok(s.passed >= 30);
  });

  it('agrees with Node crypto on random messages, keys and tampered signatures', function () {
    const L = (1n << 252n) + 27742317777372353535851937790883648493n;
    const lines = [];
    const hex = (b) => (b.length ? Buffer.from(b).toString('hex') : '-');
    const lengths = [0, 1, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 1000];
    for (let i = 0; i < 120; i++) lengths.push(crypto.randomInt(0, 2000));
    for (const n of lengths) {
      const m = crypto.randomBytes(n);
      lines.push('SH ' + hex(m) + ' ' + crypto.createHash('sha256').update(m).digest('hex') + ' ' +
        crypto.createHash('sha512').update(m).digest('hex'));
    }
    const rawPub = (k) => { const d = k.export({ type: 'spki', format: 'der' }); return d.subarray(d.length - 32); };
    const nodeVerify = (pub, msg, sig) => {
      try {
        const key = crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), pub]), format: 'der', type: 'spki' });
        return crypto.verify(null, msg, key, sig) ? 1 : 0;
      } catch (e) {
        return 0; // not a point: no key
      }
    };
    let valid = 0, invalid = 0;
    const add = (pub, sig, msg) => {
      const want = nodeVerify(pub, msg, sig);
      if (want) valid++; else invalid++;
      lines.push('ED ' + hex(pub) + ' ' + hex(sig) + ' ' + hex(msg) + ' ' + want);
    };
    for (let i = 0; i < 150; i++) {
      const k = crypto.generateKeyPairSync('ed25519');
      const pub = rawPub(k.publicKey);
      const msg = crypto.randomBytes(crypto.randomInt(0, 600));
      const sig = crypto.sign(null, msg, k.privateKey);
      add(pub, sig, msg);
      const s2 = Buffer.from(sig); s2[crypto.randomInt(0, 64)] ^= 1 << crypto.randomInt(0, 8); add(pub, s2, msg);
      if (msg.length) { const m2 = Buffer.from(msg); m2[crypto.randomInt(0, m2.length)] ^= 1; add(pub, sig, m2); }
      const p2 = Buffer.from(pub); p2[crypto.randomInt(0, 32)] ^= 1 << crypto.randomInt(0, 8); add(p2, sig, msg);
      // S + L: the same point equation, but not canonical (RFC 8032 rejects it)
      const sBig = BigInt('0x' + Buffer.from(sig.subarray(32)).reverse().toString('hex')) + L;
      if (sBig < (1n << 256n)) {
        const s3 = Buffer.from(sig);
        Buffer.from(sBig.toString(16).padStart(64, '0'), 'hex').reverse().copy(s3, 32);
        add(pub, s3, msg);
      }
    }
    const file = path.join(dir, 'vectors.txt');
    fs.writeFileSync(file, lines.join('\n') + '\n');
    const r = run(bin, ['vectors', file]);
    const s = passedLine(r.out);
    assert.strictEqual(r.status, 0, r.out.slice(-3000));
    assert.strictEqual(s.failed, 0);
    assert.ok(valid >= 150 && invalid >= 300, valid + ' valid, ' + invalid + ' invalid');
    assert.match(r.out, new RegExp('vectors: ' + lengths.length + ' SHA-2 and ' + (valid + invalid) + ' Ed25519 cases'));
  });

  it('tinyml ota keygen / pack / inspect / verify', function () {
    const cli = (args) => spawnSync(process.execPath, [CLI, 'ota'].concat(args), { cwd: dir, encoding: 'utf8' });
    let r = cli(['keygen', 'k']);
    assert.strictEqual(r.status, 0, r.stderr);
    assert.strictEqual(fs.statSync(path.join(dir, 'k.key')).mode & 0o777, 0o600);
    assert.strictEqual(cli(['keygen', 'k']).status, 2); // never overwrites a key
    r = cli(['pack', 'build-v2', '--key', 'k.key', '--version', '1.2.3', '--out', 'b.tmlota']);
    assert.strictEqual(r.status, 0, r.stderr);
    r = cli(['verify', 'b.tmlota', '--pub', 'k.pub', '--json']);
    assert.strictEqual(r.status, 0, r.stderr);
    const info = JSON.parse(r.stdout);
    assert.strictEqual(info.version, 1002003);
    assert.strictEqual(info.board, 'qemu-m4');
    assert.strictEqual(info.signatureVerified, true);
    assert.deepStrictEqual(info.files.map((f) => [f.name, f.app]), [['app.js', true], ['model.tflite', false]]);
    const app = fs.readFileSync(path.join(dir, 'build-v2', 'app.js'));
    assert.strictEqual(info.files[0].sha256, crypto.createHash('sha256').update(app).digest('hex'));
    r = cli(['verify', 'b.tmlota', '--pub', 'device.pub']);
    assert.strictEqual(r.status, 1);
    assert.match(r.stderr, /E_OTA_FOREIGN_KEY/);
    const b = fs.readFileSync(path.join(dir, 'b.tmlota'));
    b[150] ^= 4;
    fs.writeFileSync(path.join(dir, 'bad.tmlota'), b);
    r = cli(['verify', 'bad.tmlota', '--pub', 'k.pub']);
    assert.strictEqual(r.status, 1);
    assert.match(r.stderr, /E_OTA_BAD_SIGNATURE/);
    r = cli(['inspect', 'bad.tmlota']); // structure only: no key, no signature check
    assert.strictEqual(r.status, 0, r.stderr);
    r = cli(['verify', 'b.tmlota', '--pub', 'k.pub', '--board', 'esp32']);
    assert.match(r.stderr, /E_OTA_FOREIGN_BOARD/);
  });

  it('the device API on Duktape: begin/write/finish/confirm, status, coded errors, hostile arguments', function () {
    const duk = buildOta.dukHost();
    const other = fixtures.make(path.join(dir, 'other-key'), { 4: 'print("v4");' });
    fs.copyFileSync(other.bundles[4], path.join(dir, 'foreign.tmlota'));
    const script = path.join(dir, 'api.js');
    fs.writeFileSync(script, 'var DIR = ' + JSON.stringify(dir) + ';\n' + fs.readFileSync(path.join(__dirname, 'ota', 'api.js'), 'utf8'));
    const r = run(duk, [path.join(ROOT, 'dist', 'tinyml.ota.js'), path.join(dir, 'pub.raw'), script]);
    assert.strictEqual(r.status, 0, r.out);
    const m = /api: (\d+) checks passed/.exec(r.out);
    assert.ok(m && Number(m[1]) > 50, r.out);
    assert.match(r.out, /bit sets 0/);
  });

  it('random API sequences and reboots: never a crash, always a verified v2 or v3 after a reboot', function () {
    for (const seed of [7, 1234567]) {
      const r = run(bin, ['random', dir, fx.board, '8000', String(seed)]);
      const s = passedLine(r.out);
      assert.strictEqual(r.status, 0, r.out.slice(-3000));
      assert.strictEqual(s.failed, 0);
      assert.match(r.out, /random: 8000 operations, \d+ reboots, 0 without a verified v2\/v3/);
    }
  });

  it('power cuts before, during and after every flash operation leave a verified old or new version', function () {
    const r = run(bin, ['powercut', dir, fx.board, '1', '100']);
    const s = passedLine(r.out);
    assert.strictEqual(r.status, 0, r.out.slice(-3000));
    assert.strictEqual(s.failed, 0);
    const m = /powercut: (\d+) cut points tried, (\d+) survived, 0 devices left/.exec(r.out);
    assert.ok(m, r.out);
    assert.strictEqual(m[1], m[2]);
    // every operation of both scenarios, three ways each
    const ops = [...r.out.matchAll(/: (\d+) flash operations, (\d+) cut points tried/g)];
    assert.strictEqual(ops.length, 2);
    ops.forEach((o) => assert.strictEqual(Number(o[2]), 3 * Number(o[1])));
    assert.ok(Number(m[1]) > 150, r.out);
  });

  it('refuses every bad bundle with its own code and leaves the running version untouched', function () {
    const v1 = fs.readFileSync(fx.bundles[1]);
    const v2 = fs.readFileSync(fx.bundles[2]);
    const v3 = fs.readFileSync(fx.bundles[3]);
    const { ota } = fixtures.tinyml();
    const H = ota.H;
    const info = ota.readBundle(v3);
    const cases = [];
    const counts = {};
    const add = (expected, data, writes, beginSize) => {
      counts[expected] = (counts[expected] || 0) + 1;
      cases.push({ expected: S[expected], data, writes, size: beginSize === undefined ? data.length : beginSize });
    };
    const chunks = (n, c) => { const w = []; for (let o = 0; o < n; o += c) w.push([o, Math.min(c, n - o)]); return w; };
    // accepted as is, in any chunking (the harness can say yes)
    add('OK', v3, [[0, v3.length]]);
    add('OK', v3, chunks(v3.length, 7));
    add('OK', v3, chunks(v3.length, 1000));
    // every header byte, two flips each: the code follows from the field
    const manifestEnd = ota.PREFIX_SIZE + info.files.length * ota.ENTRY_SIZE;
    // the campaign layout: 1 KB pages, one spare page per slot
    const maxBundle = Math.max(v1.length, v2.length, v3.length);
    const slotBytes = 1024 * (Math.ceil(maxBundle / 1024) + 1);
    const fieldCode = (i, b) => {
      if (i < H.format) return 'E_BAD_MAGIC';
      if (i < H.total) return 'E_BAD_FORMAT';
      if (i < H.version) return b.readUInt32LE(H.total) > slotBytes ? 'E_TOO_BIG' : 'E_BAD_HEADER';
      if (i < H.flags) return b.readUInt32LE(H.version) <= 2 ? 'E_DOWNGRADE' : 'E_BAD_SIGNATURE';
      if (i < H.board) return 'E_BAD_HEADER';
      if (i < H.keyId) return 'E_FOREIGN_BOARD';
      if (i < H.fileCount) return 'E_FOREIGN_KEY';
      if (i < H.payloadSize) return 'E_BAD_HEADER'; // file count
      if (i < H.manifestHash) return b.readUInt32LE(H.payloadSize) % 4 ? 'E_BAD_HEADER' : b.readUInt32LE(H.payloadSize) > slotBytes ? 'E_TOO_BIG' : 'E_BAD_HEADER';
      if (i < H.reserved) return 'E_BAD_SIGNATURE';
      if (i < ota.HEADER_SIZE) return 'E_BAD_HEADER';
      if (i < ota.PREFIX_SIZE) return 'E_BAD_SIGNATURE';
      if (i < manifestEnd) return 'E_MANIFEST_HASH';
      const f = info.files.find((x) => i >= x.offset && i < x.offset + x.size);
      return f ? 'E_FILE_HASH' : 'E_BAD_MANIFEST'; // padding between files
    };
    let flips = 0;
    for (let i = 0; i < v3.length; i++) {
      // header, signature and manifest: every byte; the files: every 7th byte and all padding
      const inFile = info.files.some((x) => i >= x.offset && i < x.offset + x.size);
      if (i >= manifestEnd && inFile && i % 7 !== 0) continue;
      for (const mask of [0x01, 0xff]) {
        const b = Buffer.from(v3);
        b[i] ^= mask;
        add(fieldCode(i, b), b, chunks(b.length, 64));
        flips++;
      }
    }
    // truncation at every chunk boundary: finish() early, or a begin() size that lies
    for (let k = 1; k * 64 < v3.length; k++) {
      add('E_TRUNCATED', v3, chunks(k * 64, 64), v3.length);
      add('E_SIZE', v3.subarray(0, k * 64), chunks(k * 64, 64));
    }
    // chunks out of order, duplicated, overlapping, too long
    const c64 = chunks(v3.length, 64);
    for (let k = 1; k + 1 < c64.length; k += 3) {
      add('E_OUT_OF_ORDER', v3, c64.slice(0, k).concat([c64[k + 1]]));
      add('E_DUPLICATE', v3, c64.slice(0, k + 1).concat([c64[k]]));
      add('E_DUPLICATE', v3, c64.slice(0, k + 1).concat([[c64[k][0] + 10, Math.min(64, v3.length - c64[k][0] - 10)]]));
    }
    const longer = Buffer.concat([v3, Buffer.alloc(64, 0x5a)]);
    add('E_TOO_LONG', longer, chunks(v3.length, 64).concat([[v3.length, 1]]), v3.length);
    add('E_TOO_LONG', longer, chunks(v3.length - 10, 64).concat([[v3.length - 10, 64]]), v3.length);
    // a size larger than the slot: announced by begin(), or by a header that is consistent
    add('E_TOO_BIG', v3, [[0, 64]], slotBytes + 1);
    const claims = Buffer.from(v3);
    claims.writeUInt32LE(slotBytes + 4, H.payloadSize);
    claims.writeUInt32LE(ota.PREFIX_SIZE + info.files.length * ota.ENTRY_SIZE + slotBytes + 4, H.total);
    add('E_TOO_BIG', claims, chunks(claims.length, 64));
    // a payload size that wraps 32 bits to match the total
    const wraps = Buffer.from(v3);
    wraps.writeUInt32LE((v3.readUInt32LE(H.payloadSize) + 0x100000000 - 0x1000) >>> 0, H.payloadSize);
    wraps.writeUInt32LE(v3.length - 0x1000 + 0x100000000 >>> 0, H.total);
    add('E_TOO_BIG', wraps, chunks(wraps.length, 64));
    add('E_TOO_BIG', v3, [[0, 64]], 0xffffffff);
    // older, same, other board, other key, and another key claiming ours
    add('E_DOWNGRADE', v1, chunks(v1.length, 64));
    add('E_DOWNGRADE', v2, chunks(v2.length, 64));
    const foreignDir = path.join(dir, 'foreign');
    const otherBoard = fixtures.make(foreignDir + '-board', { 3: 'print("v3");' }, { board: 'nrf52840' });
    const otherKey = fixtures.make(foreignDir + '-key', { 3: 'print("v3");' });
    const fb = ota.pack([{ name: 'app.js', data: Buffer.from('print(1)'), app: true }], 'nrf52840', 3, fx.keys.privatePem);
    add('E_FOREIGN_BOARD', fb, chunks(fb.length, 64));
    add('E_FOREIGN_BOARD', fs.readFileSync(otherBoard.bundles[3]), chunks(fs.readFileSync(otherBoard.bundles[3]).length, 64));
    const fk = fs.readFileSync(otherKey.bundles[3]);
    add('E_FOREIGN_KEY', fk, chunks(fk.length, 64));
    const forged = Buffer.from(fk);
    v3.copy(forged, H.keyId, H.keyId, H.keyId + 8);
    add('E_BAD_SIGNATURE', forged, chunks(forged.length, 64));
    // the case file
    const parts = [];
    const u32 = (v) => { const b = Buffer.alloc(4); b.writeUInt32LE(v >>> 0); return b; };
    for (const c of cases) {
      parts.push(u32(c.expected), u32(c.size), u32(c.writes.length));
      c.writes.forEach((w) => parts.push(u32(w[0]), u32(w[1])));
      parts.push(u32(c.data.length), Buffer.from(c.data));
    }
    const file = path.join(dir, 'cases.bin');
    fs.writeFileSync(file, Buffer.concat(parts));
    const r = run(bin, ['bad', dir, fx.board, file]);
    const s = passedLine(r.out);
    assert.strictEqual(r.status, 0, r.out.split('\n').filter((l) => /^case|FAIL/.test(l)).slice(0, 20).join(' | '));
    assert.strictEqual(s.failed, 0);
    const refusals = cases.length - counts.OK;
    assert.match(r.out, new RegExp('bad: ' + cases.length + ' cases, ' + cases.length + ' with the expected status, ' +
      refusals + ' refusals left the running version untouched of ' + refusals));
    assert.ok(flips > 2 * (ota.PREFIX_SIZE + 2 * ota.ENTRY_SIZE), 'flips ' + flips);
    // every refusal kind of the issue is exercised
    ['E_BAD_MAGIC', 'E_BAD_FORMAT', 'E_BAD_HEADER', 'E_FOREIGN_BOARD', 'E_FOREIGN_KEY', 'E_DOWNGRADE', 'E_OUT_OF_ORDER',
      'E_DUPLICATE', 'E_TOO_LONG', 'E_TRUNCATED', 'E_SIZE', 'E_TOO_BIG', 'E_BAD_SIGNATURE', 'E_MANIFEST_HASH',
      'E_FILE_HASH', 'E_BAD_MANIFEST'].forEach((k) => assert.ok(counts[k] > 0, k));
  });
});
