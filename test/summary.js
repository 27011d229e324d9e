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
process.on('exit', () => {
  process.stdout.write('\ntests: ' + passed + ' passed, ' + failed + ' failed\n');
});
