#!/usr/bin/env node
'use strict';
// Finds, in an ES5 script, what Espruino 2v29 refuses or runs differently.
// Espruino parses and runs in one pass, so some valid ES5 fails there; each
// rule below says what Espruino did with it (Linux build, RELEASE_2V29).
// test/bundle-syntax.test.js runs it on every device bundle, and
// test/engines.test.js checks each rule's example against a real Espruino.
//
//   node scripts/espruino-syntax.js file.js...   prints findings, exit 1 if any
const acorn = require('acorn');

// ES5's Math members, all of which Espruino 2v29 has; it lacks most ES2015 ones
// (imul, fround, clz32, trunc, log2, ...), and the bundle is ES5 for every engine.
const MATH = ['E', 'LN10', 'LN2', 'LOG10E', 'LOG2E', 'PI', 'SQRT1_2', 'SQRT2', 'abs', 'acos', 'asin', 'atan',
  'atan2', 'ceil', 'cos', 'exp', 'floor', 'log', 'max', 'min', 'pow', 'random', 'round', 'sin', 'sqrt', 'tan'];

const RULES = {
  'for-init': 'a for-header init starting with `function`, `{` or `class`: Espruino parses the init as a ' +
    'statement (`for(function(){}();;)` gives "SyntaxError: Got \'(\' expected ID"); wrap it in parentheses',
  label: 'a labelled statement (and so labelled break/continue): Espruino reads the label as a variable ' +
    '(ReferenceError: "outer" is not defined)',
  math: 'a Math member outside ES5 (Espruino lacks Math.imul: Error: Function "imul" not found!)',
  accessor: 'a getter/setter in an object literal: Espruino builds with SAVE_ON_FLASH (ESPR_NO_GET_SET) cannot parse it',
  'case-after-default': 'a case after `default` in a switch: "SyntaxError: CASE after DEFAULT unsupported"',
  'function-before-declaration': 'a function used before its declaration runs: Espruino does not hoist ' +
    'function declarations (ReferenceError: "g" is not defined)',
  'var-before-declaration': 'a variable used before its `var` runs: Espruino creates it only when the `var` ' +
    'executes (a read is a ReferenceError, a write goes to an outer variable of that name)',
  'var-in-block': 'a variable declared by a `var` inside a block, loop body, branch or switch and used outside ' +
    'it: Espruino creates it only if that code runs, so elsewhere the name means an outer variable ' +
    '(seen: a module variable clobbered; minify with terser\'s hoist_vars)',
};

/** Calls fn(node, ancestors) on `node` and below (ancestors: outermost first), not into nested functions when `shallow`. */
function walk(node, fn, shallow, ancestors) {
  ancestors = ancestors || [];
  fn(node, ancestors);
  ancestors.push(node);
  for (const key of Object.keys(node)) {
    if (key === 'loc') continue;
    const v = node[key];
    const kids = Array.isArray(v) ? v : [v];
    for (const k of kids) {
      if (!k || typeof k.type !== 'string') continue;
      if (shallow && /Function/.test(k.type)) fn(k, ancestors);
      else walk(k, fn, shallow, ancestors);
    }
  }
  ancestors.pop();
}

/** Is this Identifier a reference to a binding (not a property name or a label)? */
function isReference(node, parent) {
  if (!parent) return true;
  if ((parent.type === 'MemberExpression') && parent.property === node && !parent.computed) return false;
  if (parent.type === 'Property' && parent.key === node && !parent.computed) return false;
  if (/^(Labeled|Break|Continue)Statement$/.test(parent.type)) return false;
  return true;
}

/** Checks one function (or program) body: on Espruino, declarations take effect only when they run. */
function checkScope(body, params, report) {
  const uses = new Map(); // name -> its references in this scope, in source order
  const declared = [];    // { name, node, rule, block: the code the declaration runs with }
  walk(body, function (node, ancestors) {
    const parent = ancestors[ancestors.length - 1];
    if (node === body) return;
    if (node.type === 'FunctionDeclaration') {
      declared.push({ name: node.id.name, node: node, rule: 'function-before-declaration' });
    } else if (node.type === 'VariableDeclarator') {
      // The part of the function that runs the var only sometimes (a branch, a loop body, a case, a try block).
      let block = null;
      for (let i = ancestors.length - 1; i >= 0 && !block && ancestors[i] !== body; i--) {
        const a = ancestors[i], child = i + 1 < ancestors.length ? ancestors[i + 1] : node;
        if (child === a.consequent || child === a.alternate || child === a.handler ||
            (a.type === 'TryStatement' && child === a.block) || (child === a.body && /(For|ForIn|While|DoWhile)Statement$/.test(a.type)) ||
            a.type === 'SwitchCase') block = child;
      }
      declared.push({ name: node.id.name, node: node, rule: 'var-before-declaration', block: block });
    } else if (node.type === 'Identifier' && isReference(node, parent) &&
        !(parent && /Function/.test(parent.type) && parent.id === node) &&
        !(parent && parent.type === 'VariableDeclarator' && parent.id === node) &&
        !(parent && parent.type === 'CatchClause')) {
      if (!uses.has(node.name)) uses.set(node.name, []);
      uses.get(node.name).push(node);
    }
  }, true);
  for (const d of declared) {
    if (params.indexOf(d.name) >= 0) continue;
    const refs = uses.get(d.name) || [];
    if (refs.length && refs[0].start < d.node.start) report(d.rule, refs[0], '`' + d.name + '`');
    else if (d.block) {
      const out = refs.find(function (r) { return r.start < d.block.start || r.end > d.block.end; });
      if (out) report('var-in-block', out, '`' + d.name + '` declared at column ' + (d.node.loc.start.column + 1));
    }
  }
}

/**
 * Findings in `code` (ES5 script): [{ rule, line, column, text, message }].
 * A script that is not ES5 gives one finding with rule 'parse'.
 */
function scan(code) {
  const found = [];
  let ast;
  try {
    ast = acorn.parse(code, { ecmaVersion: 5, sourceType: 'script', locations: true, allowReturnOutsideFunction: false });
  } catch (e) {
    return [{ rule: 'parse', line: e.loc ? e.loc.line : 0, column: e.loc ? e.loc.column : 0, text: '', message: 'not ES5: ' + e.message }];
  }
  function report(rule, node, what) {
    found.push({
      rule: rule, line: node.loc.start.line, column: node.loc.start.column,
      text: code.slice(node.start, Math.min(node.end, node.start + 60)),
      message: RULES[rule] + (what ? ' (' + what + ')' : ''),
    });
  }
  walk(ast, function (node) {
    switch (node.type) {
      case 'ForStatement':
        if (node.init && node.init.type !== 'VariableDeclaration' && /^(function\b|class\b|\{)/.test(code.slice(node.init.start))) {
          report('for-init', node.init);
        }
        break;
      case 'LabeledStatement':
        report('label', node, '`' + node.label.name + ':`');
        break;
      case 'BreakStatement':
      case 'ContinueStatement':
        if (node.label) report('label', node);
        break;
      case 'MemberExpression':
        if (node.object.type === 'Identifier' && node.object.name === 'Math' &&
            (node.computed || MATH.indexOf(node.property.name) < 0)) {
          report('math', node, node.computed ? 'computed member' : 'Math.' + node.property.name);
        }
        break;
      case 'Property':
        if (node.kind === 'get' || node.kind === 'set') report('accessor', node);
        break;
      case 'SwitchStatement': {
        const d = node.cases.findIndex(function (c) { return !c.test; });
        if (d >= 0 && d < node.cases.length - 1) report('case-after-default', node.cases[d + 1]);
        break;
      }
      case 'Program':
        checkScope(node, [], report);
        break;
      case 'FunctionDeclaration':
      case 'FunctionExpression':
        checkScope(node.body, node.params.map(function (p) { return p.name; }), report);
        break;
      default:
    }
  }, false);
  return found;
}

module.exports = { scan: scan, RULES: RULES, MATH: MATH };

if (require.main === module) {
  const fs = require('fs');
  let bad = 0;
  for (const file of process.argv.slice(2)) {
    for (const f of scan(fs.readFileSync(file, 'utf8'))) {
      bad++;
      console.log(file + ':' + f.line + ':' + (f.column + 1) + ': ' + f.rule + ': ' + f.message + '\n    ' + f.text);
    }
  }
  process.exit(bad ? 1 : 0);
}
