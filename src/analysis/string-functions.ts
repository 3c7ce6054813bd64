// A project function that builds a string in a few statements, evaluated statement by statement on
// constants: `let p = base.trim(); if (!p.startsWith('/')) p = '/' + p; return p;`. Only locals and
// parameters are tracked; the evaluation gives up (undefined) on any statement it cannot follow: a
// loop, a switch, a throw, a condition or value that is not constant. Calls made for their effect
// (`warnOnce()`) and writes to anything but a tracked local are passed over: they cannot change a
// tracked local's value.
import { ts } from 'ts-morph';
import { findDeclaration } from './scope.js';
import { stringTest } from './string-ops.js';
import type { FunctionNode } from '../model.js';
import { skipOuter } from './values.js';
import type { Env } from './strings.js';

type Eval = (e: ts.Expression, env: Env) => string | undefined;
type Outcome = { returned: string } | 'next' | 'stop';

const STEP_BUDGET = 200;
/** Longer functions are not path helpers: they are left to the one-returned-expression reading. */
const MAX_FUNCTION_TEXT = 1200;

/** The string `fn` returns when called with the parameter bindings of `env`, if every step is constant. */
export function runStringFunction(fn: FunctionNode, env: Env, ev: Eval): string | undefined {
  const body = fn.body;
  if (!body) return undefined;
  if (!ts.isBlock(body)) return ev(body, env);
  if (body.end - body.pos > MAX_FUNCTION_TEXT) return undefined;
  const locals: Env = new Map(env);
  let steps = 0;
  const run = (stmts: readonly ts.Statement[]): Outcome => {
    for (const s of stmts) {
      if (++steps > STEP_BUDGET) return 'stop';
      const out = step(s);
      if (out !== 'next') return out;
    }
    return 'next';
  };
  const bind = (decl: ts.VariableDeclaration | ts.ParameterDeclaration, value: string | undefined): boolean => {
    if (value === undefined) return false;
    locals.set(decl, ts.factory.createStringLiteral(value));
    return true;
  };
  const tracked = (e: ts.Expression): ts.VariableDeclaration | ts.ParameterDeclaration | undefined => {
    if (!ts.isIdentifier(e)) return undefined;
    const d = findDeclaration(e);
    return d && (ts.isVariableDeclaration(d) || ts.isParameter(d)) && locals.has(d) ? d : undefined;
  };
  const step = (s: ts.Statement): Outcome => {
    if (ts.isBlock(s)) return run(s.statements);
    if (ts.isEmptyStatement(s) || ts.isFunctionDeclaration(s)) return 'next';
    if (ts.isReturnStatement(s)) {
      const v = s.expression && ev(s.expression, locals);
      return v === undefined ? 'stop' : { returned: v };
    }
    if (ts.isVariableStatement(s)) {
      for (const d of s.declarationList.declarations) {
        if (!ts.isIdentifier(d.name) || !d.initializer || !bind(d, ev(d.initializer, locals))) return 'stop';
      }
      return 'next';
    }
    if (ts.isIfStatement(s)) {
      const cond = stringTest(s.expression, (x) => ev(x, locals)) ?? constTruth(s.expression, locals);
      if (cond === undefined) return 'stop';
      const branch = cond ? s.thenStatement : s.elseStatement;
      return branch ? step(branch) : 'next';
    }
    if (ts.isExpressionStatement(s)) {
      let e = skipOuter(s.expression);
      // `param ? (route += '/:id') : null;`: the branch the condition picks, as a statement of its own
      if (ts.isConditionalExpression(e)) {
        const cond = stringTest(e.condition, (x) => ev(x, locals)) ?? constTruth(e.condition, locals);
        if (cond === undefined) return 'stop';
        e = skipOuter(cond ? e.whenTrue : e.whenFalse);
        if (e.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(e) && e.text === 'undefined')) return 'next';
      }
      if (!ts.isBinaryExpression(e)) return ts.isCallExpression(e) ? 'next' : 'stop';
      const op = e.operatorToken.kind;
      const target = tracked(e.left);
      if (op === ts.SyntaxKind.EqualsToken) {
        if (!target) return ts.isIdentifier(e.left) && !isLocalOf(e.left, fn) ? 'next' : 'stop';
        return bind(target, ev(e.right, locals)) ? 'next' : 'stop';
      }
      if (op === ts.SyntaxKind.PlusEqualsToken && target) {
        const [l, r] = [ev(e.left, locals), ev(e.right, locals)];
        return bind(target, l !== undefined && r !== undefined ? l + r : undefined) ? 'next' : 'stop';
      }
      return 'stop';
    }
    return 'stop';
  };
  const out = run(body.statements);
  return typeof out === 'object' ? out.returned : undefined;
}

/** Is `id` declared inside `fn` (a local or parameter the evaluation would have to track)? */
function isLocalOf(id: ts.Identifier, fn: FunctionNode): boolean {
  const d = findDeclaration(id);
  for (let n: ts.Node | undefined = d; n; n = n.parent) if (n === fn) return true;
  return false;
}

/**
 * The truth of a condition made of constants: `true`/`false`, a parameter given one or left to its default
 * (`param = true`), a local holding one, negated with `!`. Undefined when it is not constant.
 */
export function constTruth(e: ts.Expression, env: Env, depth = 0): boolean | undefined {
  if (depth > 6) return undefined;
  const x = skipOuter(e);
  if (x.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (x.kind === ts.SyntaxKind.FalseKeyword) return false;
  if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.ExclamationToken) {
    const inner = constTruth(x.operand, env, depth + 1);
    return inner === undefined ? undefined : !inner;
  }
  if (!ts.isIdentifier(x)) return undefined;
  const d = findDeclaration(x);
  if (d && ts.isParameter(d)) {
    const bound = env.get(d) ?? d.initializer;
    return bound ? constTruth(bound, env, depth + 1) : undefined;
  }
  if (d && ts.isVariableDeclaration(d)) {
    const bound = env.get(d);
    return bound ? constTruth(bound, env, depth + 1) : undefined;
  }
  return undefined;
}
