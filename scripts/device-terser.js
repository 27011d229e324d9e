'use strict';
// terser options for every ES5 device bundle (rollup.config.js, and through
// it scripts/device-bundle.js): one place, because Espruino 2v29 parses less
// than ES5 allows and each option below is there for it.
// test/bundle-syntax.test.js scans the bundles for what Espruino refuses.
module.exports = {
  ecma: 5,
  // hoist_vars: Espruino does not hoist `var`, and terser reuses names in ways
  // that depend on hoisting (seen: a module variable clobbered by a loop var).
  compress: { passes: 2, hoist_vars: true },
  mangle: true,
  // wrap_iife: terser inlines a called-once function as an IIFE and may move
  // it into a for-header; Espruino parses `for(function(...` as a function
  // declaration (SyntaxError: Got '(' expected ID), `for((function(...` it reads.
  format: { comments: false, wrap_iife: true },
};
