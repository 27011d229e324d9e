'use strict';
// Prints the plain closing line CI reads: "N passed, N failed".
let passed = 0;
let failed = 0;
exports.mochaHooks = {
  afterEach() {
    if (this.currentTest.state === 'passed') passed++;
    else if (this.currentTest.state === 'failed') failed++;
  },
};
process.on('exit', (code) => {
  // A failing before/after hook fails no test but fails the run: say so.
  const hooks = code !== 0 && failed === 0 ? ' (and a failing hook: see above)' : '';
  process.stdout.write('\ntests: ' + passed + ' passed, ' + failed + ' failed' + hooks + '\n');
});
