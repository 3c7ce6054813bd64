// Operator sets the analyses share: one definition of what an equality or an ordering test is.
import { ts } from 'ts-morph';

/** `===`, `==`, `!==`, `!=`. */
export const EQUALITY: ReadonlySet<ts.SyntaxKind> = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
]);

/** Equality and ordering: `<`, `<=`, `>`, `>=` beside the equality operators. */
export const COMPARISON: ReadonlySet<ts.SyntaxKind> = new Set([
  ...EQUALITY,
  ts.SyntaxKind.LessThanToken,
  ts.SyntaxKind.LessThanEqualsToken,
  ts.SyntaxKind.GreaterThanToken,
  ts.SyntaxKind.GreaterThanEqualsToken,
]);
