'use strict';
// Duktape 2.7 bytecode dumps (duk_dump_function), read and patched for the
// boards that load their bundle as bytecode (boards/qemu-m4).
//
// One patch: class methods lose the "constructable" flag. Duktape gives
// every instance of a constructable function a fresh .prototype object
// (plus its "constructor" back link): about 90 bytes of RAM per function
// that nothing ever constructs. The TypeScript output defines class
// methods as `X.prototype.name = function (...) {...}`; those function
// expressions become plain callables, as ES2015 method definitions are.
//
// The dump mirrors the source: each function lists its inner functions in
// source order, so the dump's function tree is walked next to the parsed
// source's and they must agree exactly (counts and argument counts), or
// nothing is changed.
//
// Dump layout (per function, big endian): u32 instructions, u32 constants,
// u32 inner functions, u16 nregs, u16 nargs, u32 start line, u32 end line,
// u32 flags, the instructions, the constants (0x00 u32-length string | 0x01
// double), the inner functions, u32 length, _Varmap (u32-length name + u32
// register, ended by a zero length), _Formals (u32 count or 0xFFFFFFFF,
// then u32-length names). The dump starts with the marker byte 0xBF.
const { parseAst } = require('rollup/parseAst');

const MARKER = 0xbf;
const FLAG_CONSTRUCTABLE = 1 << 8; // DUK_HEAPHDR_USER_FLAG(1)
const FLAG_CALLABLE = 1 << 9;
const FLAG_COMPFUNC = 1 << 11;
const NO_FORMALS = 0xffffffff;

/** The dump's function tree: { flagsAt, flags, nargs, children }. */
function readDump(buf) {
  if (buf[0] !== MARKER) throw new Error('not a Duktape bytecode dump');
  let p = 1;
  const u32 = () => { const v = buf.readUInt32BE(p); p += 4; return v; };
  const u16 = () => { const v = buf.readUInt16BE(p); p += 2; return v; };
  function func() {
    const nInstr = u32(), nConst = u32(), nFuncs = u32();
    u16();
    const nargs = u16();
    p += 8;
    const flagsAt = p;
    const flags = u32();
    p += 4 * nInstr;
    for (let i = 0; i < nConst; i++) {
      const type = buf[p++];
      if (type === 0) {
        const n = u32(); // not `p += u32()`: that would add to p's old value
        p += n;
      } else if (type === 1) p += 8;
      else throw new Error('unknown constant type ' + type + ' at byte ' + (p - 1));
    }
    const children = [];
    for (let i = 0; i < nFuncs; i++) children.push(func());
    u32(); // length
    for (;;) {
      const n = u32();
      if (n === 0) break;
      p += n + 4;
    }
    const nFormals = u32();
    if (nFormals !== NO_FORMALS) {
      for (let i = 0; i < nFormals; i++) {
        const n = u32();
        p += n;
      }
    }
    return { flagsAt, flags, nargs, children };
  }
  const root = func();
  if (p !== buf.length) throw new Error('dump has ' + (buf.length - p) + ' bytes after its function tree');
  return root;
}

const FUNCTION_TYPES = ['FunctionDeclaration', 'FunctionExpression', 'ArrowFunctionExpression'];

/** The source's function tree: { node, parent, method, children }. */
function readSource(code) {
  const ast = parseAst(code);
  const rootFn = ast.body.length === 1 && ast.body[0].type === 'ExpressionStatement' ? ast.body[0].expression : null;
  if (!rootFn || rootFn.type !== 'FunctionExpression') throw new Error('source is not one function expression');
  function build(fn) {
    const me = { node: fn, method: false, children: [] };
    (function visit(node, parent) {
      if (!node || typeof node.type !== 'string') return;
      if (node !== fn && FUNCTION_TYPES.indexOf(node.type) >= 0) {
        const child = build(node);
        child.method = isPrototypeMethod(node, parent);
        if (child.method) child.name = parent.left.computed ? '*' : parent.left.property.name;
        me.children.push(child);
        return;
      }
      for (const key of Object.keys(node)) {
        const v = node[key];
        if (Array.isArray(v)) v.forEach((x) => visit(x, node));
        else if (v && typeof v.type === 'string') visit(v, node);
      }
    })(fn, null);
    me.children.sort((a, b) => a.node.start - b.node.start);
    return me;
  }
  return { tree: build(rootFn), ast: ast };
}

/** `X.prototype.name = function (...) {...}` */
function isPrototypeMethod(node, parent) {
  if (node.type !== 'FunctionExpression' || !parent || parent.type !== 'AssignmentExpression') return false;
  if (parent.operator !== '=' || parent.right !== node) return false;
  const left = parent.left;
  return left.type === 'MemberExpression' && left.object.type === 'MemberExpression' && !left.object.computed &&
    left.object.property.type === 'Identifier' && left.object.property.name === 'prototype';
}

/** Names that some `new a.b(...)` calls: those methods keep their flag. */
function constructedNames(ast) {
  const names = {};
  (function visit(node) {
    if (!node || typeof node.type !== 'string') return;
    if (node.type === 'NewExpression' && node.callee.type === 'MemberExpression') {
      names[node.callee.computed ? '*' : node.callee.property.name] = true;
    }
    for (const key of Object.keys(node)) {
      const v = node[key];
      if (Array.isArray(v)) v.forEach(visit);
      else if (v && typeof v.type === 'string') visit(v);
    }
  })(ast);
  return names;
}

/**
 * Returns { dump, methods } where dump is a patched copy of `buf` (the dump
 * of the function expression `code`) and methods the number of functions
 * made non-constructable. Throws when the two trees do not agree.
 */
function dropMethodPrototypes(buf, code) {
  const dump = readDump(buf);
  const src = readSource(code);
  const constructed = constructedNames(src.ast);
  if (constructed['*']) return { dump: Buffer.from(buf), methods: 0 };
  const out = Buffer.from(buf);
  let methods = 0;
  (function pair(d, s, path) {
    if (d.children.length !== s.children.length) {
      throw new Error('function ' + path + ': ' + d.children.length + ' inner functions in the dump, ' +
        s.children.length + ' in the source');
    }
    if ((d.flags & (FLAG_CALLABLE | FLAG_COMPFUNC)) !== (FLAG_CALLABLE | FLAG_COMPFUNC)) {
      throw new Error('function ' + path + ': unexpected flags 0x' + d.flags.toString(16));
    }
    const params = s.node.params.length;
    if (d.nargs !== params) throw new Error('function ' + path + ': ' + d.nargs + ' arguments in the dump, ' + params + ' in the source');
    d.children.forEach((dc, i) => pair(dc, s.children[i], path + '.' + i));
  })(dump, src.tree, '0');
  (function patch(d, s) {
    if (s.method && (d.flags & FLAG_CONSTRUCTABLE) && !constructed[s.name]) {
      out.writeUInt32BE((d.flags & ~FLAG_CONSTRUCTABLE) >>> 0, d.flagsAt);
      methods++;
    }
    d.children.forEach((dc, i) => patch(dc, s.children[i]));
  })(dump, src.tree);
  return { dump: out, methods: methods };
}

module.exports = { readDump: readDump, dropMethodPrototypes: dropMethodPrototypes };
