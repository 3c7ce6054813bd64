// The meaning of a check's result: which value (or field of it) a failed check leaves, and the
// truth value a condition built from it takes when the check failed. Used where a caller tests a
// guard's result and where a guard's own returns are summarised, so both read results the same way.
import { ts } from 'ts-morph';
import { and3, not3, or3, type Tri } from '../../analysis/tri.js';
import { findDeclaration } from '../../analysis/scope.js';
import { propertyNameText, skipOuter } from '../../analysis/values.js';
import type { Answer } from '../responses.js';
import type { Check, GuardSpec } from './types.js';
import { vocab } from './vocab.js';

/** Follows local constants: `const now = Date.now()` → `Date.now()`. */
export function localInit(id: ts.Identifier): ts.Expression | undefined {
  const d = findDeclaration(id);
  if (d && ts.isVariableDeclaration(d) && d.initializer && ts.isIdentifier(d.name)) return d.initializer;
  return undefined;
}

/** What a field of a guard's result holds when the guard failed. */
export function fieldOnFailure(name: string, spec: GuardSpec): 'truthy' | 'falsy' | undefined {
  const v = vocab();
  if (spec.mode === 'returns-object' && spec.field === name) return spec.successWhen === 'falsy' ? 'truthy' : 'falsy';
  if (v.errorFields.test(name)) return spec.mode === 'returns-error' || spec.mode === 'returns-object' ? 'truthy' : undefined;
  if (v.successFields.test(name)) return 'falsy';
  if (v.failureFields.test(name)) return 'truthy';
  return undefined;
}

export type FailedValue = 'truthy' | 'falsy' | 'null' | 'response' | 'object';

/** What a guard's whole result holds when it failed. */
export function resultOnFailure(spec: GuardSpec): FailedValue | undefined {
  switch (spec.mode) {
    case 'returns-response':
      return 'response';
    case 'returns-error':
      return 'truthy';
    case 'returns-falsy':
      return 'falsy';
    case 'returns-null':
      return 'null';
    case 'returns-object':
      return 'object';
    default:
      return undefined;
  }
}

/** Where the results of checks are held: the walk that made them knows. */
export interface ResultLookup {
  /** The check a declaration holds the result of (`const ok = await verify(…)`, `const { valid } = …`). */
  resultOf(decl: ts.Node): Check | undefined;
  /** The check a call is. */
  checkOf(call: ts.Node): Check | undefined;
}

/** What `e` (the check's result, a field of it, a local holding it) holds when `check` failed. */
function failedValue(e: ts.Expression, check: Check, lookup: ResultLookup, depth: number): FailedValue | undefined {
  const x = skipOuter(e);
  if (ts.isIdentifier(x)) {
    const d = findDeclaration(x);
    if (d && lookup.resultOf(d) === check) {
      if (ts.isBindingElement(d)) return fieldOnFailure((d.propertyName ?? d.name).getText(), check.spec);
      return resultOnFailure(check.spec);
    }
    if (d && ts.isVariableDeclaration(d) && d.initializer && ts.isIdentifier(d.name) && depth < 6) return failedValue(d.initializer, check, lookup, depth + 1);
    return undefined;
  }
  if (ts.isCallExpression(x) && lookup.checkOf(x) === check) return resultOnFailure(check.spec);
  if ((ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) && depth < 6) {
    const name = ts.isPropertyAccessExpression(x) ? x.name.text : ts.isStringLiteralLike(x.argumentExpression) ? x.argumentExpression.text : undefined;
    const base = failedValue(x.expression, check, lookup, depth + 1);
    if (base && name) return fieldOnFailure(name, check.spec);
  }
  return undefined;
}

/** Truth value of `cond` when `check` has failed (true: the then-branch is the failure branch), or undefined. */
export function failTruth(cond: ts.Expression, check: Check, lookup: ResultLookup, depth = 0): Tri {
  if (depth > 8) return undefined;
  const x = skipOuter(cond);
  if (check.inline && x === check.inline.node) return check.inline.failTruth;
  if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.ExclamationToken) return not3(failTruth(x.operand, check, lookup, depth + 1));
  if (ts.isBinaryExpression(x)) {
    const op = x.operatorToken.kind;
    if (op === ts.SyntaxKind.AmpersandAmpersandToken) return and3(failTruth(x.left, check, lookup, depth + 1), failTruth(x.right, check, lookup, depth + 1));
    if (op === ts.SyntaxKind.BarBarToken) return or3(failTruth(x.left, check, lookup, depth + 1), failTruth(x.right, check, lookup, depth + 1));
    if (op === ts.SyntaxKind.InstanceOfKeyword) {
      const base = failedValue(x.left, check, lookup, depth);
      return base === undefined ? undefined : base === 'response';
    }
    const eq = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken;
    const ne = op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken;
    if (eq || ne) {
      for (const [side, other] of [
        [x.left, x.right],
        [x.right, x.left],
      ] as const) {
        const o = skipOuter(other);
        const isNullish = o.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(o) && o.text === 'undefined');
        const isBool = o.kind === ts.SyntaxKind.TrueKeyword || o.kind === ts.SyntaxKind.FalseKeyword;
        const base = failedValue(side, check, lookup, depth);
        if (base === undefined) continue;
        let same: Tri;
        if (isNullish) same = base === 'null';
        else if (isBool) same = base === 'falsy' ? o.kind === ts.SyntaxKind.FalseKeyword : undefined;
        else if (ts.isStringLiteralLike(o) && check.spec.successValue !== undefined) same = o.text === check.spec.successValue ? false : undefined;
        if (same === undefined) return undefined;
        return eq ? same : !same;
      }
      return undefined;
    }
    return undefined;
  }
  const v = failedValue(x, check, lookup, depth);
  if (v === undefined) {
    if (ts.isIdentifier(x)) {
      const init = localInit(x);
      if (init) return failTruth(init, check, lookup, depth + 1);
    }
    return undefined;
  }
  return v === 'truthy' || v === 'response' || v === 'object';
}

/** The shape of a value a guard returns: response / falsy / truthy / object:<field>=<success truthiness>. */
export function returnShape(value: ts.Expression | undefined, answer: Answer | undefined): string {
  if (!value) return 'falsy';
  if (answer) return 'response';
  const v = vocab();
  const x = skipOuter(value);
  if (x.kind === ts.SyntaxKind.FalseKeyword || x.kind === ts.SyntaxKind.NullKeyword || (ts.isIdentifier(x) && x.text === 'undefined') || (ts.isNumericLiteral(x) && x.text === '0')) return 'falsy';
  if (x.kind === ts.SyntaxKind.TrueKeyword || ts.isStringLiteralLike(x) || ts.isNewExpression(x)) return 'truthy';
  if (ts.isObjectLiteralExpression(x)) {
    for (const p of x.properties) {
      const n = p.name ? propertyNameText(p.name) : undefined;
      if (!n || !ts.isPropertyAssignment(p)) continue;
      const init = skipOuter(p.initializer);
      if (v.successFields.test(n) && init.kind === ts.SyntaxKind.FalseKeyword) return `object:${n}=truthy`;
      if (v.failureFields.test(n) && init.kind === ts.SyntaxKind.TrueKeyword) return `object:${n}=falsy`;
      if (v.errorFields.test(n) && init.kind !== ts.SyntaxKind.NullKeyword) return `object:${n}=falsy`;
    }
    return 'truthy';
  }
  return 'truthy';
}
