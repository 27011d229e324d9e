'use strict';
// Will it fit? Flash: code + app bundle + files; RAM: statics + arena + JS
// heap (predicted) + stack, against board.json. The JS heap model lives in
// board.json "fit" (calibrated on the board, see its note):
//   heap = base + perBytecodeByte * bytecode bytes + perModel * models
// where the bytecode is the firmware's (or bytecodePerSourceByte times the
// ES5 source of device core + app when there is no firmware yet).

function kb(n) {
  return (n / 1024).toFixed(1) + ' KB';
}

/** Bytecode bytes of the bundle: the firmware's, or predicted from the ES5 source. */
function bytecodeOf(board, bundleBytes, firmware) {
  if (firmware && firmware.bytecodeBytes) return firmware.bytecodeBytes;
  return Math.round(bundleBytes * ((board.fit && board.fit.bytecodePerSourceByte) || 1));
}

/** The predicted JS heap peak (bytes), or null when the board has no heap model. */
function predictHeap(board, bundleBytes, models, firmware) {
  const h = board.fit && board.fit.heap;
  if (!h) return null;
  return Math.round(h.base + h.perBytecodeByte * bytecodeOf(board, bundleBytes, firmware) + h.perModel * models.length);
}

/**
 * x: { bundleBytes, models: [{ arenaBytes, inputs, outputs }], arenaBlock (default: the models' arenas added up), fileBytes,
 * firmware: null | { share, text, data, bss, bytecodeBytes } }.
 * Returns { fits, flash: { limit, items, total }, ram: { limit, items, total }, over: [...] }.
 */
function fit(board, x) {
  const f = board.fit || {};
  const flash = { limit: board.flash ? board.flash.bytes : null, items: [] };
  const ram = { limit: board.ram ? board.ram.bytes : null, items: [] };
  const fw = x.firmware;
  if (fw) {
    const s = fw.share;
    flash.items.push({ what: 'code (engine, native module, board, C library)', bytes: fw.text - s.model - s.bundle });
    flash.items.push({ what: 'app bundle (bytecode)', bytes: s.bundle });
    flash.items.push({ what: 'files', bytes: s.model });
  } else {
    if (f.codeBytes) flash.items.push({ what: 'code (engine, native module, board, C library)', bytes: f.codeBytes });
    flash.items.push({ what: 'app bundle' + (f.bytecodePerSourceByte ? ' (bytecode, predicted)' : ''),
      bytes: bytecodeOf(board, x.bundleBytes, null) });
    flash.items.push({ what: 'files', bytes: x.fileBytes });
  }
  const arena = x.arenaBlock !== undefined ? x.arenaBlock : x.models.reduce(function (s, m) { return s + ((m.arenaBytes + 15) & ~15); }, 0);
  if (fw) ram.items.push({ what: 'statics (.data + .bss)', bytes: fw.data + fw.bss });
  else if (f.staticBytes) ram.items.push({ what: 'statics (.data + .bss)', bytes: f.staticBytes });
  ram.items.push({ what: x.arenaBlock !== undefined ? 'arena (block)' : 'arena (' + x.models.length + ' model(s))', bytes: arena });
  const heap = predictHeap(board, x.bundleBytes, x.models, fw);
  if (heap !== null) ram.items.push({ what: 'JS heap (predicted)', bytes: heap });
  if (board.stackBytes) ram.items.push({ what: 'stack', bytes: board.stackBytes });
  const total = function (r) { return r.items.reduce(function (s, i) { return s + i.bytes; }, 0); };
  flash.total = total(flash);
  ram.total = total(ram);
  const over = [];
  if (flash.limit !== null && flash.total > flash.limit) over.push({ memory: 'flash', by: flash.total - flash.limit });
  if (ram.limit !== null && ram.total > ram.limit) over.push({ memory: 'RAM', by: ram.total - ram.limit });
  const notes = [];
  if (heap === null && ram.limit !== null) notes.push('the JS heap is not predicted for ' + board.name + ' (no "fit" in its board.json): RAM above leaves it out');
  return { fits: over.length === 0, flash: flash, ram: ram, heapPredicted: heap, over: over, notes: notes };
}

function table(name, r) {
  const lines = [name + ': ' + r.total + ' bytes' + (r.limit !== null ? ' of ' + r.limit + ' (' + (100 * r.total / r.limit).toFixed(1) + '%)' : ' (no limit on this board)')];
  r.items.forEach(function (i) { lines.push('  ' + (i.bytes + ' B').padStart(10) + '  ' + kb(i.bytes).padStart(9) + '  ' + i.what); });
  return lines;
}

/** The size report, several lines. */
function report(board, res) {
  return ['size report for ' + board.name + ':'].concat(table('flash', res.flash), table('RAM', res.ram), res.notes).join('\n');
}

/** One line: what is over and by how much, and the biggest items to cut. */
function refusal(board, res) {
  return 'the image does not fit ' + board.name + ': ' + res.over.map(function (o) {
    const r = o.memory === 'flash' ? res.flash : res.ram;
    const big = r.items.slice().sort(function (a, b) { return b.bytes - a.bytes; }).slice(0, 2)
      .map(function (i) { return i.what + ' ' + i.bytes + ' B'; }).join(', ');
    return o.memory + ' over by ' + o.by + ' bytes (' + r.total + ' > ' + r.limit + '; largest: ' + big + ')';
  }).join('; ');
}

module.exports = { fit: fit, report: report, refusal: refusal, predictHeap: predictHeap };
