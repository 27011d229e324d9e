// The board API (docs/board-api.md) on real boards whose engine gives only a
// few primitives: esp32 (JerryScript; boards/esp32/main/tinyml_board.c) and
// nrf52840 (Espruino; boards/nrf52840/prelude.js). ES5. `tinyml build` puts
// the board's primitives, this file, the runtime and
// `board.__run(function () { <app> })` into app.js. The primitives, global
// `__native`: { name, print(line), file(name) -> Uint8Array|null, millis() }.
// The board then calls board.__tick() until it returns -1: it runs the loop
// function when it is due and returns the milliseconds to sleep until the
// next call, so the board sleeps between calls (vTaskDelay, setTimeout).
var board = (function (n) {
  var EXIT = {};
  var loopFn = null;
  var period = 0;
  var due = 0;
  function report(e) {
    if (e !== EXIT) n.print('tinyml: ' + (e && typeof e.code === 'string' ? e.message : String(e)));
  }
  var b = {
    name: n.name,
    args: [],
    print: function () {
      var parts = [];
      for (var i = 0; i < arguments.length; i++) parts.push(String(arguments[i]));
      n.print(parts.join(' '));
    },
    file: function (name) {
      return n.file(String(name)) || null;
    },
    millis: function () {
      return n.millis() % 4294967296;
    },
    loop: function (fn, periodMs) {
      if (typeof fn !== 'function') throw new TypeError('board.loop: not a function');
      loopFn = fn;
      period = Number(periodMs) || 0;
      due = n.millis();
    },
    exit: function () {
      // No host to hand a status to: the app stops (its loop too).
      loopFn = null;
      throw EXIT;
    },
    input: function () {
      return null;
    },
    output: function () {
      return false;
    },
  };
  b.__run = function (app) {
    try {
      app();
    } catch (e) {
      loopFn = null;
      report(e);
    }
  };
  b.__tick = function () {
    if (!loopFn) return -1;
    var now = n.millis();
    if (now < due) return due - now;
    due += period;
    try {
      loopFn();
    } catch (e) {
      loopFn = null;
      report(e);
      return -1;
    }
    if (!loopFn) return -1;
    now = n.millis();
    if (due < now) due = now;
    return due - now;
  };
  return b;
})(__native);
