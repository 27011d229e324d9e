// The board API (docs/board-api.md) on the host engines: Node (`tinyml
// emulate --board host`) and the Duktape runner (`tinyml-duk --script`).
// ES5. `tinyml emulate` puts this file, then the built app.js, then
// `__tinyml_board_run(function () { <app.js> })` into one script run with a
// global `__host` = { args, readFile(path), writeFile(path, bytes), exit(code) }
// and __TINYML_FILES = the directory holding the image's files.
// board.file() reads files/<name> (a copy: the host has no flash to map).
// Idle time in board.loop passes instantly, as on the emulated M4: a loop
// at 100 ms runs as fast as its body allows, and millis() includes the skip.
var board = (function (host, filesDir) {
  var start = Date.now();
  var idle = 0;
  var loopFn = null;
  var period = 0;
  var cache = {};
  var exited = false;
  function millis() {
    return Date.now() - start + idle;
  }
  var b = {
    name: 'host',
    args: host.args.slice(0),
    print: function () {
      var parts = [];
      for (var i = 0; i < arguments.length; i++) parts.push(String(arguments[i]));
      print(parts.join(' '));
    },
    file: function (name) {
      name = String(name);
      if (!/^[A-Za-z0-9_.-]+$/.test(name)) return null;
      if (!(name in cache)) cache[name] = host.readFile(filesDir + '/' + name);
      return cache[name];
    },
    millis: function () {
      return millis() % 4294967296;
    },
    loop: function (fn, periodMs) {
      if (typeof fn !== 'function') throw new TypeError('board.loop: not a function');
      loopFn = fn;
      period = Number(periodMs) || 0;
    },
    exit: function (code) {
      exited = true;
      host.exit(code === undefined ? 0 : code | 0);
    },
    input: function (name) {
      return host.readFile(String(name));
    },
    output: function (name, bytes) {
      return host.writeFile(String(name), bytes);
    },
  };
  // The app's top level, then the loop until exit() or a throw. Errors leave
  // as one line: a TinyMLError's "E_CODE: message", others their string form.
  b.__run = function (app) {
    try {
      app();
      var due = millis();
      while (loopFn) {
        var now = millis();
        if (now < due) idle += due - now;
        loopFn();
        due += period;
        now = millis();
        if (due < now) due = now;
      }
    } catch (e) {
      if (exited) throw e;
      throw new Error(e && typeof e.code === 'string' ? e.message : String(e));
    }
  };
  return b;
})(__host, __TINYML_FILES);
