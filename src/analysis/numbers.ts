// Constant numeric evaluation: literals, arithmetic, constants (local or imported), parameter
// bindings from a call site. Used for status codes, freshness windows and assurance levels.
import { ts } from 'ts-morph';
import { findDeclaration } from './scope.js';
import type { Env } from './strings.js';
import { skipOuter, type ValueResolver } from './values.js';

export function evalNumber(expr: ts.Expression, values: ValueResolver, env?: Env, depth = 0): number | undefined {
  if (depth > 12) return undefined;
  const e = skipOuter(expr);
  if (ts.isNumericLiteral(e)) return Number(e.text.replace(/_/g, ''));
  if (ts.isStringLiteralLike(e) && /^\d+(\.\d+)?$/.test(e.text)) return Number(e.text);
  if (ts.isPrefixUnaryExpression(e) && e.operator === ts.SyntaxKind.MinusToken) {
    const v = evalNumber(e.operand, values, env, depth + 1);
    return v === undefined ? undefined : -v;
  }
  if (ts.isBinaryExpression(e)) {
    const l = evalNumber(e.left, values, env, depth + 1);
    if (l === undefined) return undefined;
    const r = evalNumber(e.right, values, env, depth + 1);
    if (r === undefined) return undefined;
    switch (e.operatorToken.kind) {
      case ts.SyntaxKind.PlusToken:
        return l + r;
      case ts.SyntaxKind.MinusToken:
        return l - r;
      case ts.SyntaxKind.AsteriskToken:
        return l * r;
      case ts.SyntaxKind.SlashToken:
        return r === 0 ? undefined : l / r;
      case ts.SyntaxKind.AsteriskAsteriskToken:
        return l ** r;
      default:
        return undefined;
    }
  }
  if (
    ts.isCallExpression(e) &&
    ts.isPropertyAccessExpression(e.expression) &&
    ts.isIdentifier(e.expression.expression) &&
    e.expression.expression.text === 'Math' &&
    e.arguments[0]
  ) {
    const v = evalNumber(e.arguments[0], values, env, depth + 1);
    if (v === undefined) return undefined;
    const m = e.expression.name.text;
    if (m === 'floor') return Math.floor(v);
    if (m === 'ceil') return Math.ceil(v);
    if (m === 'round') return Math.round(v);
    return undefined;
  }
  if (
    ts.isCallExpression(e) &&
    ts.isIdentifier(e.expression) &&
    (e.expression.text === 'Number' || e.expression.text === 'parseInt') &&
    e.arguments[0]
  ) {
    return evalNumber(e.arguments[0], values, env, depth + 1);
  }
  if (ts.isIdentifier(e)) {
    const d = findDeclaration(e);
    if (d && ts.isParameter(d)) {
      const bound = env?.get(d) ?? d.initializer;
      return bound ? evalNumber(bound, values, env, depth + 1) : undefined;
    }
  }
  // `options.maxAgeSeconds` where `options` is a parameter bound to `{ maxAgeSeconds: 300 }`
  if (env && (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e))) {
    const bound = boundMember(e, env);
    if (bound) return evalNumber(bound, values, env, depth + 1);
  }
  if (ts.isIdentifier(e) || ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e)) {
    for (const v of values.resolve(e)) {
      if (v.kind === 'literal' && typeof v.value === 'number') return v.value;
      if (v.kind === 'literal' && typeof v.value === 'string' && /^\d+$/.test(v.value)) return Number(v.value);
      if (
        v.kind === 'unknown' &&
        ts.isExpression(v.node) &&
        v.node !== e &&
        (ts.isBinaryExpression(v.node) || ts.isPrefixUnaryExpression(v.node) || ts.isCallExpression(v.node))
      ) {
        const n = evalNumber(v.node, values, env, depth + 1);
        if (n !== undefined) return n;
      }
      if (v.kind === 'call' && ts.isCallExpression(v.node)) {
        const n = evalNumber(v.node, values, env, depth + 1);
        if (n !== undefined) return n;
      }
    }
  }
  return undefined;
}

/** `param.key` where `param` is bound (at the call site) to an object literal: the key's initializer. */
export function boundMember(
  e: ts.PropertyAccessExpression | ts.ElementAccessExpression,
  env: Env,
): ts.Expression | undefined {
  const base = skipOuter(e.expression);
  const name = ts.isPropertyAccessExpression(e)
    ? e.name.text
    : ts.isStringLiteralLike(e.argumentExpression)
      ? e.argumentExpression.text
      : undefined;
  if (!name || !ts.isIdentifier(base)) return undefined;
  const d = findDeclaration(base);
  if (!d || !ts.isParameter(d)) return undefined;
  return propertyOf(env.get(d), name);
}

/**
 * A name destructured from a bound parameter (`function add({ path, method })`, or
 * `const { path, method } = endpoint` with `endpoint` a parameter), the call site passing an object
 * literal: the key's initializer there.
 */
export function boundBinding(d: ts.Node, env: Env): ts.Expression | undefined {
  return bindingSource(d, env)?.value ?? restElement(d, env);
}

/**
 * An element taken from a rest parameter (`function (...args) { const [router, verb, path] = args }`): the
 * call's argument at that place, where the call is known (bound under the parameter's `...`, restCall).
 */
function restElement(d: ts.Node, env: Env): ts.Expression | undefined {
  if (!ts.isBindingElement(d) || d.dotDotDotToken || !ts.isArrayBindingPattern(d.parent)) return undefined;
  const holder = d.parent.parent;
  if (!ts.isVariableDeclaration(holder) || !holder.initializer) return undefined;
  const init = skipOuter(holder.initializer);
  const p = ts.isIdentifier(init) ? findDeclaration(init) : undefined;
  if (!p || !ts.isParameter(p) || !p.dotDotDotToken) return undefined;
  const call = env.get(p.dotDotDotToken);
  if (!call || !ts.isCallExpression(call)) return undefined;
  const arg = call.arguments[p.parent.parameters.indexOf(p) + d.parent.elements.indexOf(d)];
  return arg && !ts.isSpreadElement(arg) ? arg : undefined;
}

/** Binds a rest parameter's call (what `restElement` reads), keyed by the parameter's `...`. */
export function bindRestCall(env: Env, p: ts.ParameterDeclaration, call: ts.CallExpression): void {
  if (p.dotDotDotToken) env.set(p.dotDotDotToken, call);
}

/**
 * Where a destructured name comes from at a call site: the object literal the call passed (`obj`), and the
 * key's initializer there (`value`), or its default when the object leaves the key out (`absent`).
 */
export function bindingSource(
  d: ts.Node,
  env: Env,
): { obj: ts.ObjectLiteralExpression; value?: ts.Expression; absent: boolean } | undefined {
  if (!ts.isBindingElement(d) || d.dotDotDotToken || !ts.isObjectBindingPattern(d.parent)) return undefined;
  const key = d.propertyName
    ? ts.isIdentifier(d.propertyName) || ts.isStringLiteralLike(d.propertyName)
      ? d.propertyName.text
      : undefined
    : ts.isIdentifier(d.name)
      ? d.name.text
      : undefined;
  const holder = d.parent.parent;
  if (!key) return undefined;
  let bound: ts.Expression | undefined;
  if (ts.isParameter(holder)) bound = env.get(holder);
  else if (ts.isVariableDeclaration(holder) && holder.initializer) {
    const init = skipOuter(holder.initializer);
    const p = ts.isIdentifier(init) ? findDeclaration(init) : undefined;
    bound = p && ts.isParameter(p) ? env.get(p) : undefined;
  }
  const obj = bound && skipOuter(bound);
  if (!obj || !ts.isObjectLiteralExpression(obj)) return undefined;
  const value = propertyOf(obj, key);
  return value ? { obj, value, absent: false } : { obj, value: d.initializer, absent: true };
}

function propertyOf(bound: ts.Expression | undefined, name: string): ts.Expression | undefined {
  const obj = bound && skipOuter(bound);
  if (!obj || !ts.isObjectLiteralExpression(obj)) return undefined;
  for (const p of obj.properties) {
    if (p.name && (ts.isIdentifier(p.name) || ts.isStringLiteralLike(p.name)) && p.name.text === name) {
      if (ts.isPropertyAssignment(p)) return p.initializer;
      if (ts.isShorthandPropertyAssignment(p)) return p.name;
    }
  }
  return undefined;
}
