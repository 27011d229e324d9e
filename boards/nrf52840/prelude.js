// The nrf52840 board's primitives for boards/device-board.js, from Espruino's
// own API. Files are Storage files (tinyml build writes upload.js, which puts
// them there); on the nRF52840 Storage is memory-mapped internal flash, so
// E.toArrayBuffer gives a view over the flash, not a copy. Where Storage is
// not memory-mapped (external SPI flash on a Bangle.js 2, a file on the Linux
// build) the file is copied into one flat string: the native layer reads
// contiguous bytes only.
var __native = {
  name: 'nrf52840',
  print: function (line) {
    console.log(line);
  },
  file: function (name) {
    var s = require('Storage').read(name);
    if (s === undefined) return null;
    if (!E.getAddressOf(s, true)) s = E.toFlatString(s);
    return s === undefined ? null : new Uint8Array(E.toArrayBuffer(s));
  },
  millis: function () {
    return Math.floor(getTime() * 1000);
  },
};
