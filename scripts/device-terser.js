'use strict';
// terser options for every ES5 device bundle (rollup.config.js, and through
// it scripts/device-bundle.js): one place, because Espruino 2v29 parses less
// than ES5 allows and each option below is there for it.
// test/bundle-syntax.test.js scans the bundles for what Espruino refuses.
const options = {
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
module.exports = options;

// `.runtime`: the options for the runtime's own bundles (rollup.config.js),
// which also give one- or two-letter names to private fields (named `_...`
// in src/, and nothing else is): on Espruino every character of a property
// name and of function text lives in variables. Not for apps (tools/): their
// `_` fields may meet objects from outside the bundle. Not enumerable, so
// terser, which refuses unknown keys, never sees it on `options`.
Object.defineProperty(options, 'runtime', {
  value: Object.assign({}, options, { mangle: { properties: { regex: /^_/ } } }),
});
