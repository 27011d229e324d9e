#!/usr/bin/env node
'use strict';
// The `tinyml` command: everything lives in the Node bundle built by `npm run build`.
const path = require('path');
const fs = require('fs');
const bundle = path.join(__dirname, '..', 'dist', 'tinyml.node.js');
if (!fs.existsSync(bundle)) {
  process.stderr.write('tinyml: dist/tinyml.node.js is missing: run `npm run build` first\n');
  process.exit(2);
}
// main() returns the exit code, or a promise of it (build is asynchronous).
// Exit once stdout and stderr are flushed: a file watcher the TypeScript
// plugin can leave behind after a build must not keep the command alive.
Promise.resolve(require(bundle).main(process.argv.slice(2))).then(function (code) {
  process.stdout.write('', function () {
    process.stderr.write('', function () { process.exit(code); });
  });
});
