// Checks that answer a tuple (`return [null, { code: 403 }]` / `return [true, null]`, `return [401, 'Wrong
// password']` / `return [200, null]`): what each position holds where the check failed and where it passed,
// read from the answers themselves, and where a caller reads a position (`check()[1]`, `const [, err] = …`).
import { ts } from 'ts-morph';
import { findDeclaration } from '../../analysis/scope.js';
import { skipOuter } from '../../analysis/values.js';

export type Truth = 'truthy' | 'falsy';

/** What one position of a tuple answer holds on each side: its truthiness and, where literal, its values. */
export interface TuplePosition {
  failed?: Truth;
  passed?: Truth;
  /** Literal texts it holds where the check failed / passed (`401`, `'OTP_INVALID'`, `null`), when every one is literal. */
  failedValues?: string[];
  passedValues?: string[];
}

/** Truthiness of a literal, or undefined when it is not one. A missing element is undefined: falsy. */
export function literalTruth(e: ts.Expression | undefined): Truth | undefined {
  if (!e) return 'falsy';
  const x = skipOuter(e);
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
  const x = skipOuter(e);
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
  if (!ts.isIdentifier(x)) return undefined;
  const d = findDeclaration(x);
  const init =
    d && ts.isVariableDeclaration(d) && d.initializer && (d.parent.flags & ts.NodeFlags.Const) !== 0
      ? skipOuter(d.initializer)
      : undefined;
  return init ? arrayAnswer(init) : undefined;
}

/** Everything one side says of a position: one truth and one set of values, when all its answers agree. */
export function sideOf(
  truths: readonly (Truth | undefined)[],
  values: readonly (string | undefined)[],
): Pick<TuplePosition, 'failed' | 'failedValues'> {
  const out: Pick<TuplePosition, 'failed' | 'failedValues'> = {};
  if (truths.length && truths.every((t) => t !== undefined && t === truths[0])) out.failed = truths[0];
  if (values.length && values.every((v) => v !== undefined)) out.failedValues = [...new Set(values as string[])];
  return out;
}

/** The value a literal in a condition stands for, as `literalValue` writes it. */
export function comparedLiteral(e: ts.Expression): string | undefined {
  const x = skipOuter(e);
  if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.MinusToken && ts.isNumericLiteral(x.operand))
    return String(-Number(x.operand.text));
  return literalValue(x);
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
      return loose(a) === loose(b);
    case ts.SyntaxKind.ExclamationEqualsToken:
      return loose(a) !== loose(b);
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
