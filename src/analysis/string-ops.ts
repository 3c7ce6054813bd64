// The language's and Node's own operations on a constant string that route code uses to turn a file
// name into a path: `name.replace('.js', '')`, `name.split('.')[0]`, `path.parse(name).name`,
// `path.basename(name, '.js')`; and the tests a loop filters file names with (`name !== 'index.js'`,
// `name.endsWith('.js')`). Each is evaluated only when every operand is a constant.
import path from 'node:path';
import { ts } from 'ts-morph';
import { constInitializer, findDeclaration } from './scope.js';

type Eval = (e: ts.Expression) => string | undefined;
/** Is this callee Node's `path` function `name` (`path.parse`, or `parse` imported from 'path')? */
export type IsPathFunction = (callee: ts.Expression, name: string) => boolean;

/** `x.replace(a, b)`, `x.split(s)[i]`, `x.split(s).shift()`, `path.parse(x).name`, `path.basename(x, ext)`, `path.extname(x)`. */
export function stringOperation(e: ts.Expression, ev: Eval, isPath: IsPathFunction): string | undefined {
  // `name.split('.')[0]`
  if (ts.isElementAccessExpression(e) && ts.isNumericLiteral(e.argumentExpression)) {
    // (also through a constant holding the parts: `const parts = key.split(' '); parts[0]`)
    const split = methodCall(e.expression, 'split') ?? methodCall(constInitializer(e.expression), 'split');
    if (!split || split.args.length !== 1) return undefined;
    const [s, sep] = [ev(split.recv), ev(split.args[0])];
    return s === undefined || sep === undefined ? undefined : s.split(sep)[Number(e.argumentExpression.text)];
  }
  // `name.split('.').shift()`, `….pop()`: the first or last part
  for (const end of ['shift', 'pop'] as const) {
    const call = methodCall(e, end);
    const split = call && !call.args.length ? methodCall(call.recv, 'split') : undefined;
    if (split?.args.length !== 1) continue;
    const [s, sep] = [ev(split.recv), ev(split.args[0])];
    if (s === undefined || sep === undefined) return undefined;
    const parts = s.split(sep);
    return parts[end === 'shift' ? 0 : parts.length - 1];
  }
  // `path.parse(name).name`
  if (ts.isPropertyAccessExpression(e) && ['name', 'ext', 'base'].includes(e.name.text)) {
    const parse = pathCall(e.expression, 'parse', isPath);
    if (!parse || parse.length !== 1) return undefined;
    const s = ev(parse[0]);
    return s === undefined ? undefined : path.posix.parse(s)[e.name.text as 'name' | 'ext' | 'base'];
  }
  const base = pathCall(e, 'basename', isPath);
  if (base?.length) {
    const parts = base.map(ev);
    if (parts.some((p) => p === undefined)) return undefined;
    return path.posix.basename(parts[0]!, parts[1]);
  }
  const ext = pathCall(e, 'extname', isPath);
  if (ext?.length === 1) {
    const s = ev(ext[0]);
    return s === undefined ? undefined : path.posix.extname(s);
  }
  const replace = methodCall(e, 'replace');
  if (replace && replace.args.length === 2) {
    const s = ev(replace.recv);
    const to = ev(replace.args[1]);
    if (s === undefined || to === undefined) return undefined;
    const pattern = replace.args[0];
    if (ts.isRegularExpressionLiteral(pattern)) {
      const m = /^\/(.*)\/([a-z]*)$/s.exec(pattern.text);
      return m ? s.replace(new RegExp(m[1], m[2]), to) : undefined;
    }
    const from = ev(pattern);
    return from === undefined ? undefined : s.replace(from, to);
  }
  return undefined;
}

/**
 * A test on constant strings: `===`, `!==`, `==`, `!=`, `!`, `&&`, `||`, `startsWith`, `endsWith`,
 * `includes`. Undefined when any part is not constant.
 */
export function stringTest(expr: ts.Expression, ev: Eval): boolean | undefined {
  let e = expr;
  while (ts.isParenthesizedExpression(e)) e = e.expression;
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.ExclamationToken) {
    const inner = stringTest(e.operand, ev);
    return inner === undefined ? undefined : !inner;
  }
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken) {
      const l = stringTest(e.left, ev);
      const r = stringTest(e.right, ev);
      if (op === ts.SyntaxKind.AmpersandAmpersandToken)
        return l === false || r === false ? false : l && r ? true : undefined;
      return l === true || r === true ? true : l === false && r === false ? false : undefined;
    }
    const eq = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken;
    const ne = op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken;
    if (!eq && !ne) return undefined;
    const [l, r] = [ev(e.left), ev(e.right)];
    if (l === undefined || r === undefined) return undefined;
    return eq ? l === r : l !== r;
  }
  for (const m of ['startsWith', 'endsWith', 'includes'] as const) {
    const call = methodCall(e, m);
    if (!call || call.args.length !== 1) continue;
    const [s, arg] = [ev(call.recv), ev(call.args[0])];
    return s === undefined || arg === undefined ? undefined : s[m](arg);
  }
  // `if (!normalized)`: a name holding a constant string is true when not empty
  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e)) {
    const s = ev(e);
    return s === undefined ? undefined : s !== '';
  }
  return undefined;
}

/** `const [method, path] = key.split(' ')`: the part of a split a destructured name takes. */
export function splitPart(id: ts.Identifier, ev: Eval): string | undefined {
  const d = findDeclaration(id);
  if (!d || !ts.isBindingElement(d) || d.dotDotDotToken || !ts.isArrayBindingPattern(d.parent)) return undefined;
  const decl = d.parent.parent;
  if (!ts.isVariableDeclaration(decl) || !decl.initializer) return undefined;
  const split = methodCall(decl.initializer, 'split');
  if (!split || split.args.length !== 1) return undefined;
  const [str, sep] = [ev(split.recv), ev(split.args[0])];
  return str === undefined || sep === undefined ? undefined : str.split(sep)[d.parent.elements.indexOf(d)];
}

function methodCall(e: ts.Expression, name: string): { recv: ts.Expression; args: ts.Expression[] } | undefined {
  if (!ts.isCallExpression(e) || !ts.isPropertyAccessExpression(e.expression) || e.expression.name.text !== name)
    return undefined;
  return { recv: e.expression.expression, args: [...e.arguments] };
}

/** The arguments of a call of Node's `path.<name>`. */
function pathCall(e: ts.Expression, name: string, isPath: IsPathFunction): ts.Expression[] | undefined {
  if (!ts.isCallExpression(e)) return undefined;
  const callee = e.expression;
  const named = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
  return named === name && isPath(callee, name) ? [...e.arguments] : undefined;
}
