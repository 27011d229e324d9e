'use strict';
// One small script per rule of scripts/espruino-syntax.js: `bad` has the
// construct, `good` computes the same without it. Each prints one line
// "OK <value>". Node prints the same line for both (test/bundle-syntax.test.js);
// on Espruino 2v29 `bad` prints what `espruino` matches instead, and `good`
// prints Node's line (test/engines.test.js, with TINYML_ESPRUINO_DIR).
// `espruino: null`: the Linux build accepts it; smaller builds do not (see the rule).
const SNIPPETS = [
  {
    rule: 'for-init', name: 'an IIFE at the start of a for header',
    bad: 'var r = [];\nfor (function (a) { r.push(a); }(1); r.length < 3;) r.push(2);\nconsole.log("OK " + r);',
    good: 'var r = [];\nfor ((function (a) { r.push(a); })(1); r.length < 3;) r.push(2);\nconsole.log("OK " + r);',
    espruino: /SyntaxError: Got '\(' expected ID/,
  },
  {
    rule: 'for-init', name: 'an object literal at the start of a for header',
    bad: 'var i;\nfor ({ a: 1 }.a, i = 0; i < 2; i++);\nconsole.log("OK " + i);',
    good: 'var i;\nfor (({ a: 1 }).a, i = 0; i < 2; i++);\nconsole.log("OK " + i);',
    espruino: /ReferenceError: "a" is not defined/,
  },
  {
    rule: 'label', name: 'a labelled continue',
    bad: 'var n = 0;\nouter: for (var i = 0; i < 3; i++) { for (var j = 0; j < 3; j++) { if (j === 1) continue outer; n++; } }\n' +
      'console.log("OK " + n);',
    good: 'var n = 0;\nfor (var i = 0; i < 3; i++) { for (var j = 0; j < 3; j++) { if (j === 1) break; n++; } }\nconsole.log("OK " + n);',
    espruino: /ReferenceError: "outer" is not defined/,
  },
  {
    rule: 'label', name: 'a labelled break out of a block',
    bad: 'var n = 0;\nblk: { n = 1; if (n) break blk; n = 2; }\nconsole.log("OK " + n);',
    good: 'var n = 0;\ndo { n = 1; if (n) break; n = 2; } while (false);\nconsole.log("OK " + n);',
    espruino: /ReferenceError: "blk" is not defined/,
  },
  {
    rule: 'math', name: 'Math.imul',
    bad: 'console.log("OK " + Math.imul(0x10001, 0x10001));',
    good: 'var a = 0x10001, b = 0x10001;\n' +
      'console.log("OK " + ((((a >>> 16) * (b & 0xffff) + (a & 0xffff) * (b >>> 16)) << 16) + (a & 0xffff) * (b & 0xffff) | 0));',
    espruino: /Function "imul" not found!/,
  },
  {
    rule: 'math', name: 'Math.fround',
    bad: 'console.log("OK " + Math.fround(0.5));',
    good: 'console.log("OK " + new Float32Array([0.5])[0]);',
    espruino: /Function "fround" not found!/,
  },
  {
    rule: 'math', name: 'Math.trunc',
    bad: 'console.log("OK " + Math.trunc(-2.5));',
    good: 'var x = -2.5;\nconsole.log("OK " + (x < 0 ? Math.ceil(x) : Math.floor(x)));',
    espruino: /Function "trunc" not found!/,
  },
  {
    rule: 'accessor', name: 'a getter in an object literal',
    bad: 'var o = { get x() { return 5; } };\nconsole.log("OK " + o.x);',
    good: 'var o = { x: function () { return 5; } };\nconsole.log("OK " + o.x());',
    espruino: null,
  },
  {
    rule: 'accessor', name: 'a setter in an object literal',
    bad: 'var v = 0, o = { set x(a) { v = a; } };\no.x = 7;\nconsole.log("OK " + v);',
    good: 'var v = 0, o = { setX: function (a) { v = a; } };\no.setX(7);\nconsole.log("OK " + v);',
    espruino: null,
  },
  {
    rule: 'case-after-default', name: 'a case after default',
    bad: 'function f(x) { switch (x) { default: return 0; case 1: return 1; } }\nconsole.log("OK " + f(1) + f(2));',
    good: 'function f(x) { switch (x) { case 1: return 1; default: return 0; } }\nconsole.log("OK " + f(1) + f(2));',
    espruino: /SyntaxError: CASE after DEFAULT unsupported/,
  },
  {
    rule: 'function-before-declaration', name: 'a call before the function declaration',
    bad: 'function f() { return g(); function g() { return 3; } }\nconsole.log("OK " + f());',
    good: 'function f() { function g() { return 3; } return g(); }\nconsole.log("OK " + f());',
    espruino: /ReferenceError: "g" is not defined/,
  },
  {
    rule: 'var-before-declaration', name: 'a write before the var',
    bad: 'var x = 9;\nfunction f() { x = 2; var x; return x; }\nf();\nconsole.log("OK " + x);',
    good: 'var x = 9;\nfunction f() { var x; x = 2; return x; }\nf();\nconsole.log("OK " + x);',
    espruino: /^OK 2$/m, // the outer x was written
  },
  {
    rule: 'var-in-block', name: 'a var in a branch that did not run',
    bad: 'var x = 9;\nfunction f(c) { if (c) { var x = 1; } x = 2; return x; }\nf(0);\nconsole.log("OK " + x);',
    good: 'var x = 9;\nfunction f(c) { var x; if (c) { x = 1; } x = 2; return x; }\nf(0);\nconsole.log("OK " + x);',
    espruino: /^OK 2$/m, // the outer x was written
  },
];

/** What a script prints through console.log on Node. */
function runOnNode(code) {
  const lines = [];
  require('vm').runInNewContext(code, { console: { log: function (s) { lines.push(String(s)); } }, Float32Array: Float32Array });
  return lines.join('\n');
}

module.exports = { SNIPPETS: SNIPPETS, runOnNode: runOnNode };
