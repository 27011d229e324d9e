'use strict';
// terser options for every ES5 bundle a board runs (rollup.config.js and
// `tinyml build`): one place.
module.exports = {
  ecma: 5,
  // hoist_vars: Espruino does not hoist `var`, and terser reuses names in ways
  // that depend on hoisting (seen: a module variable clobbered by a loop var).
  compress: { passes: 2, hoist_vars: true },
  mangle: true,
  format: { comments: false },
};
