#!/usr/bin/env node
'use strict';
// (`tinyml build --board esp32` writes this image as tinyml.img itself.)
// Packs an app and its models into a tinyml flash image (the file table of
// boards/esp32/main/tinyml_image.h), to write into the "tinyml" partition:
//
//   node boards/esp32/mkimage.js -o tinyml.img app.js=build/app.js model.tflite=path/to/model.tflite
//   parttool.py write_partition --partition-name tinyml --input tinyml.img
//
// Each argument is name=path (or just a path: the name is its base name).
// The board runs "app.snapshot" if present, else "app.js"; the app reads the
// rest with board.file(name). --max BYTES refuses images larger than the
// partition (default 0x200000, project/partitions.csv).
const fs = require('fs');
const path = require('path');

const MAGIC = 0x494c4d54; // "TMLI"
const VERSION = 1;
const HEADER = 16;
const ENTRY = 64;
const NAME = 48;
const ALIGN = 16;

function align(n) {
  return Math.ceil(n / ALIGN) * ALIGN;
}

function pack(files) {
  let offset = align(HEADER + ENTRY * files.length);
  const placed = files.map(function (f) {
    const at = offset;
    offset = align(at + f.data.length);
    return { name: f.name, data: f.data, offset: at };
  });
  const image = Buffer.alloc(offset);
  image.writeUInt32LE(MAGIC, 0);
  image.writeUInt32LE(VERSION, 4);
  image.writeUInt32LE(files.length, 8);
  image.writeUInt32LE(offset, 12);
  placed.forEach(function (f, i) {
    const e = HEADER + ENTRY * i;
    image.write(f.name, e, NAME - 1, 'utf8');
    image.writeUInt32LE(f.offset, e + NAME);
    image.writeUInt32LE(f.data.length, e + NAME + 4);
    f.data.copy(image, f.offset);
  });
  return image;
}

function main(argv) {
  let out = null;
  let max = 0x200000;
  const files = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '-o') out = argv[++i];
    else if (a === '--max') max = Number(argv[++i]);
    else {
      const eq = a.indexOf('=');
      const name = eq > 0 ? a.slice(0, eq) : path.basename(a);
      const file = eq > 0 ? a.slice(eq + 1) : a;
      if (Buffer.byteLength(name) >= NAME) throw new Error('name too long (max ' + (NAME - 1) + ' bytes): ' + name);
      if (files.some(function (f) { return f.name === name; })) throw new Error('duplicate name ' + name);
      files.push({ name: name, data: fs.readFileSync(file) });
    }
  }
  if (!out || files.length === 0) {
    throw new Error('usage: mkimage.js -o <image> [--max BYTES] name=path [name=path ...]');
  }
  const image = pack(files);
  if (!(max > 0) || image.length > max) throw new Error('image is ' + image.length + ' bytes, the partition holds ' + max);
  fs.writeFileSync(out, image);
  process.stdout.write(out + ': ' + image.length + ' bytes, ' + files.map(function (f) {
    return f.name + ' (' + f.data.length + ')';
  }).join(', ') + '\n');
}

module.exports = { pack: pack, NAME: NAME };

if (require.main === module) {
  try {
    main(process.argv.slice(2));
  } catch (e) {
    process.stderr.write('mkimage: ' + e.message + '\n');
    process.exit(1);
  }
}
