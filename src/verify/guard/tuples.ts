// Checks that answer a tuple (`return [null, { code: 403 }]` / `return [true, null]`, `return [401, 'Wrong
// password']` / `return [200, null]`): what each position holds where the check failed and where it passed,
// read from the answers themselves, and where a caller reads a position (`check()[1]`, `const [, err] = …`).
import { ts } from 'ts-morph';
import { findDeclaration } from '../../analysis/scope.js';
import { propertyNameText, skipOuter } from '../../analysis/values.js';

export type Truth = 'truthy' | 'falsy';

/** What one position of a tuple answer holds on each side: its truthiness and, where literal, its values. */
export interface TuplePosition {
  failed?: Truth;
  passed?: Truth;
  /** Literal texts it holds where the check failed / passed (`401`, `'OTP_INVALID'`, `null`), when every one is literal. */
  failedValues?: string[];
  passedValues?: string[];
  /** What members of it hold, where it is an object literal on a side (`{ status: 401, message }`). */
  members?: Record<string, TuplePosition>;
}

/** Truthiness of a literal, or undefined when it is not one. A missing element is undefined: falsy. */
export function literalTruth(e: ts.Expression | undefined): Truth | undefined {
  if (!e) return 'falsy';
  const x = constantOf(skipOuter(e));
  if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(x.operand))
    return Number(x.operand.text) === 0 ? 'falsy' : 'truthy';
  if (
    x.kind === ts.SyntaxKind.NullKeyword ||
    x.kind === ts.SyntaxKind.FalseKeyword ||
    (ts.isIdentifier(x) && x.text === 'undefined') ||
    (ts.isNumericLiteral(x) && Number(x.text) === 0) ||
    (ts.isStringLiteralLike(x) && x.text === '')
  )
    return 'falsy';
  if (
    x.kind === ts.SyntaxKind.TrueKeyword ||
    ts.isObjectLiteralExpression(x) ||
    ts.isArrayLiteralExpression(x) ||
    ts.isNewExpression(x) ||
    (ts.isStringLiteralLike(x) && x.text !== '') ||
    (ts.isNumericLiteral(x) && Number(x.text) !== 0)
  )
    return 'truthy';
  return undefined;
}

/** A literal's value as text (`401`, `OTP_INVALID`, `null`, `true`), or undefined. A missing element is `undefined`. */
export function literalValue(e: ts.Expression | undefined): string | undefined {
  if (!e) return 'undefined';
  const x = constantOf(skipOuter(e));
  if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(x.operand))
    return String(-Number(x.operand.text));
  if (ts.isStringLiteralLike(x)) return `'${x.text}`;
  if (ts.isNumericLiteral(x)) return String(Number(x.text));
  if (x.kind === ts.SyntaxKind.NullKeyword) return 'null';
  if (x.kind === ts.SyntaxKind.TrueKeyword) return 'true';
  if (x.kind === ts.SyntaxKind.FalseKeyword) return 'false';
  if (ts.isIdentifier(x) && x.text === 'undefined') return 'undefined';
  return undefined;
}

/** An answer that is an array literal, written in place or held by a constant (`const DENIED = [false, 'denied']`). */
export function arrayAnswer(value: ts.Expression): ts.ArrayLiteralExpression | undefined {
  let x = skipOuter(value);
  // (`Object.freeze([true, null])` is that array)
  if (ts.isCallExpression(x) && x.arguments.length === 1 && /^Object\.freeze$/.test(x.expression.getText()))
    x = skipOuter(x.arguments[0]);
  if (ts.isArrayLiteralExpression(x)) return x;
  const init = ts.isIdentifier(x) ? constInit(x) : undefined;
  return init ? arrayAnswer(init) : undefined;
}

/** Everything one side says of a position: one truth and one set of values, when all its answers agree. */
export function sideOf(
  truths: readonly (Truth | undefined)[],
  values: readonly (string | undefined)[],
): { truth?: Truth; values?: string[] } {
  const out: { truth?: Truth; values?: string[] } = {};
  if (truths.length && truths.every((t) => t !== undefined && t === truths[0])) out.truth = truths[0];
  if (values.length && values.every((v) => v !== undefined)) out.values = [...new Set(values as string[])];
  return out;
}

/** A position as both sides say it. */
export function positionOf(
  failed: { truth?: Truth; values?: string[] },
  passed: { truth?: Truth; values?: string[] },
  members?: Record<string, TuplePosition>,
): TuplePosition {
  return {
    failed: failed.truth,
    failedValues: failed.values,
    passed: passed.truth,
    passedValues: passed.values,
    ...(members ? { members } : {}),
  };
}

/** The positions whose truthiness differs between a failed and a passed check, with the passing truthiness. */
export function decidedPositions(positions: Readonly<Record<string, TuplePosition>> | undefined): [string, Truth][] {
  return Object.entries(positions ?? {}).flatMap(([i, p]) =>
    p.failed && p.passed && p.failed !== p.passed ? [[i, p.passed] as [string, Truth]] : [],
  );
}

/** Does a relation hold between two literal values (`401 !== 200`, `401 >= 400`)? Undefined when it cannot be said. */
export function relates(op: ts.SyntaxKind, a: string, b: string): boolean | undefined {
  const loose = (v: string): string => (v === 'undefined' ? 'null' : v);
  switch (op) {
    case ts.SyntaxKind.EqualsEqualsEqualsToken:
      return a === b;
    case ts.SyntaxKind.ExclamationEqualsEqualsToken:
      return a !== b;
    case ts.SyntaxKind.EqualsEqualsToken:
      return looseEqual(loose(a), loose(b));
    case ts.SyntaxKind.ExclamationEqualsToken:
      return looseEqual(loose(a), loose(b)) === undefined ? undefined : !looseEqual(loose(a), loose(b));
  }
  const x = Number(a);
  const y = Number(b);
  if (a.startsWith("'") || b.startsWith("'") || Number.isNaN(x) || Number.isNaN(y)) return undefined;
  switch (op) {
    case ts.SyntaxKind.LessThanToken:
      return x < y;
    case ts.SyntaxKind.LessThanEqualsToken:
      return x <= y;
    case ts.SyntaxKind.GreaterThanToken:
      return x > y;
    case ts.SyntaxKind.GreaterThanEqualsToken:
      return x >= y;
  }
  return undefined;
}

/** `==` between two literal values: booleans and numbers compare as numbers (`0 == false`), null only with null. */
function looseEqual(a: string, b: string): boolean | undefined {
  if (a === b) return true;
  if (a === 'null' || b === 'null') return false;
  const num = (v: string): number | undefined =>
    v === 'true' ? 1 : v === 'false' ? 0 : v.startsWith("'") ? undefined : Number(v);
  const x = num(a);
  const y = num(b);
  if (x !== undefined && y !== undefined) return x === y;
  // (a string against a number or a boolean converts: left unsaid)
  return a.startsWith("'") && b.startsWith("'") ? false : undefined;
}

/** What an object literal's member holds (its truthiness and literal value), or nothing when it is not one. */
export function memberOf(e: ts.Expression | undefined, name: string): { truth?: Truth; value?: string } | undefined {
  const x = e && skipOuter(e);
  if (!x || !ts.isObjectLiteralExpression(x)) return undefined;
  for (const p of x.properties) {
    if (ts.isPropertyAssignment(p) && propertyNameText(p.name) === name)
      return { truth: literalTruth(p.initializer), value: literalValue(p.initializer) };
    if (ts.isShorthandPropertyAssignment(p) && p.name.text === name) return {};
    if (ts.isSpreadAssignment(p)) return {};
  }
  return { truth: 'falsy', value: 'undefined' };
}

/** A constant's literal (`const HTTP_OK = 200` → `200`), or the expression itself. */
function constantOf(x: ts.Expression): ts.Expression {
  const init = ts.isIdentifier(x) && x.text !== 'undefined' ? constInit(x) : undefined;
  return init &&
    (ts.isLiteralExpression(init) ||
      ts.isPrefixUnaryExpression(init) ||
      init.kind === ts.SyntaxKind.NullKeyword ||
      init.kind === ts.SyntaxKind.TrueKeyword ||
      init.kind === ts.SyntaxKind.FalseKeyword)
    ? init
    : x;
}

/** What a `const` the name declares is initialised with. */
function constInit(id: ts.Identifier): ts.Expression | undefined {
  const d = findDeclaration(id);
  return d && ts.isVariableDeclaration(d) && d.initializer && (d.parent.flags & ts.NodeFlags.Const) !== 0
    ? skipOuter(d.initializer)
    : undefined;
}
