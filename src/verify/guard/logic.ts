// The meaning of a check's result: which value (or field of it) a failed check leaves, and the
// truth value a condition built from it takes when the check failed. Used where a caller tests a
// guard's result and where a guard's own returns are summarised, so both read results the same way.
import { ts } from 'ts-morph';
import { and3, not3, or3, type Tri } from '../../analysis/tri.js';
import { findDeclaration } from '../../analysis/scope.js';
import { propertyNameText, skipOuter } from '../../analysis/values.js';
import type { Answer } from '../responses.js';
import type { Check, GuardSpec } from './types.js';
import { literalValue, relates, type TuplePosition } from './tuples.js';
import { vocab } from './vocab.js';

/** Follows local constants: `const now = Date.now()` → `Date.now()`. */
export function localInit(id: ts.Identifier): ts.Expression | undefined {
  const d = findDeclaration(id);
  if (d && ts.isVariableDeclaration(d) && d.initializer && ts.isIdentifier(d.name)) return d.initializer;
  return undefined;
}

/** What a value holds: truthy, falsy, null, a Response, an object (truthy), or non-null of unknown truthiness. */
export type Held = 'truthy' | 'falsy' | 'null' | 'response' | 'object' | 'nonnull';

/** What a field of a guard's result holds when the guard failed (`failed`) or succeeded. */
export function fieldHolds(name: string, spec: GuardSpec, failed: boolean): 'truthy' | 'falsy' | undefined {
  const v = vocab();
  const flip = (x: 'truthy' | 'falsy'): 'truthy' | 'falsy' => (failed ? x : x === 'truthy' ? 'falsy' : 'truthy');
  // a position of a tuple: what its answers hold on that side (a named member of an array is undefined;
  // its length is not known)
  if (spec.tuple) {
    if (/^\d+$/.test(name)) return failed ? spec.positions?.[name]?.failed : spec.positions?.[name]?.passed;
    return name === 'length' ? undefined : 'falsy';
  }
  if (spec.mode === 'returns-object' && spec.field === name)
    return flip(spec.successWhen === 'falsy' ? 'truthy' : 'falsy');
  if (v.errorFields.test(name))
    return spec.mode === 'returns-error' || spec.mode === 'returns-object' ? flip('truthy') : undefined;
  if (v.successFields.test(name)) return flip('falsy');
  if (v.failureFields.test(name)) return flip('truthy');
  return undefined;
}

/** What a guard's whole result holds when it failed (`failed`) or succeeded. */
export function resultHolds(spec: GuardSpec, failed: boolean): Held | undefined {
  // (a tuple is an array: always there, whatever it holds)
  if (spec.tuple) return 'object';
  switch (spec.mode) {
    case 'returns-response':
      return failed ? 'response' : 'falsy';
    case 'returns-error':
      return failed ? 'truthy' : 'falsy';
    case 'returns-falsy':
      return failed ? 'falsy' : 'truthy';
    case 'returns-null':
      return failed ? 'null' : 'nonnull';
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

/** What `e` (the check's result, a field of it, a local holding it) holds when `check` failed / succeeded. */
function heldUnder(
  e: ts.Expression,
  check: Check,
  failed: boolean,
  lookup: ResultLookup,
  depth: number,
  spec: GuardSpec,
): Held | undefined {
  const x = skipOuter(e);
  if (ts.isIdentifier(x)) {
    const d = findDeclaration(x);
    if (d && lookup.resultOf(d) === check) {
      // `const [ok, err] = check()`: a position of the tuple
      // `const { error } = tuple`: an array has no such member
      if (ts.isBindingElement(d) && ts.isObjectBindingPattern(d.parent) && spec.tuple) {
        const key = (d.propertyName ?? d.name).getText();
        return /^\d+$/.test(key) || key === 'length' ? undefined : 'null';
      }
      if (ts.isBindingElement(d) && ts.isArrayBindingPattern(d.parent)) {
        const at = fieldHolds(String(d.parent.elements.indexOf(d)), spec, failed);
        // (a check not known to answer a tuple: what the position is called, `const [ok] = …`, says it)
        return at ?? (spec.tuple ? undefined : fieldHolds(d.name.getText(), spec, failed));
      }
      if (ts.isBindingElement(d)) return fieldHolds((d.propertyName ?? d.name).getText(), spec, failed);
      // `const err = check()[1]`: what that position holds
      const init = ts.isVariableDeclaration(d) && d.initializer ? skipOuter(d.initializer) : undefined;
      if (init && (ts.isElementAccessExpression(init) || ts.isPropertyAccessExpression(init)) && depth < 6)
        return heldUnder(init, check, failed, lookup, depth + 1, spec);
      return resultHolds(spec, failed);
    }
    if (d && ts.isVariableDeclaration(d) && d.initializer && ts.isIdentifier(d.name) && depth < 6)
      return heldUnder(d.initializer, check, failed, lookup, depth + 1, spec);
    return undefined;
  }
  if (ts.isCallExpression(x) && lookup.checkOf(x) === check) return resultHolds(spec, failed);
  if ((ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) && depth < 6) {
    const name = ts.isPropertyAccessExpression(x)
      ? x.name.text
      : ts.isStringLiteralLike(x.argumentExpression) || ts.isNumericLiteral(x.argumentExpression)
        ? x.argumentExpression.text
        : undefined;
    const base = heldUnder(x.expression, check, failed, lookup, depth + 1, spec);
    // a field read through `?.` off a result that is null or falsy (`undefined`, `false`): undefined
    if ((base === 'null' || base === 'falsy') && x.questionDotToken) return 'null';
    if (spec.tuple && name) {
      // a member of a position (`err.status`, `err?.message`): what the answers' object there holds
      const pos = tuplePositionOf(x.expression, check, lookup);
      if (pos !== undefined) {
        const m = spec.positions?.[pos]?.members?.[name];
        return failed ? m?.failed : m?.passed;
      }
      // a named member of the tuple itself (`r.error`, `r.success`): an array has none, it is undefined
      if (base === 'object' && !/^\d+$/.test(name) && name !== 'length') return 'null';
    }
    if (base && name) return fieldHolds(name, spec, failed);
  }
  return undefined;
}

/**
 * Truth value of `cond` when `check` failed (`failed` true) or succeeded, everything else unknown:
 * true, false, or undefined when it depends on more.
 */
export function truthUnder(
  cond: ts.Expression,
  check: Check,
  failed: boolean,
  lookup: ResultLookup,
  depth = 0,
  spec: GuardSpec = check.spec,
): Tri {
  if (depth > 8) return undefined;
  const x = skipOuter(cond);
  const again = (e: ts.Expression): Tri => truthUnder(e, check, failed, lookup, depth + 1, spec);
  if (check.inline && x === check.inline.node) return failed ? check.inline.failTruth : !check.inline.failTruth;
  if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.ExclamationToken) return not3(again(x.operand));
  // a result defaulted on one branch (`user.passwordHash ? await compare(…) : true`): the constant where the
  // condition says so, the check's result where it runs
  if (ts.isConditionalExpression(x)) {
    const constant = (e: ts.Expression): Tri => {
      const k = skipOuter(e).kind;
      return k === ts.SyntaxKind.TrueKeyword ? true : k === ts.SyntaxKind.FalseKeyword ? false : undefined;
    };
    const t = constant(x.whenTrue);
    const f = constant(x.whenFalse);
    if ((t === undefined) === (f === undefined)) return undefined;
    const c = again(x.condition);
    if (c !== undefined) return c ? (t ?? again(x.whenTrue)) : (f ?? again(x.whenFalse));
    const other = again(t === undefined ? x.whenTrue : x.whenFalse);
    return other !== undefined && other === (t ?? f) ? other : undefined;
  }
  if (ts.isBinaryExpression(x)) {
    const op = x.operatorToken.kind;
    // a position of a tuple compared with a literal (`status !== 200`, `code === 'OTP_EXPIRED'`): by its values
    if (spec.tuple) {
      const r = tupleRelation(x, check, failed, lookup, spec);
      if (r !== 'n/a') return r;
    }
    if (op === ts.SyntaxKind.AmpersandAmpersandToken) return and3(again(x.left), again(x.right));
    if (op === ts.SyntaxKind.BarBarToken) return or3(again(x.left), again(x.right));
    if (op === ts.SyntaxKind.InstanceOfKeyword) {
      const base = heldUnder(x.left, check, failed, lookup, depth, spec);
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
        const base = heldUnder(side, check, failed, lookup, depth, spec);
        if (base === undefined) continue;
        let same: Tri;
        // (a result known only to be missing may be `null` or `undefined`: `=== undefined` cannot tell)
        const strictUndefined =
          (op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsEqualsToken) &&
          ts.isIdentifier(o) &&
          o.text === 'undefined';
        if (isNullish && base === 'null') same = strictUndefined && spec.source === 'name' ? undefined : true;
        else if (isNullish) same = base === 'falsy' && !failed ? undefined : false;
        else if (isBool)
          same =
            base === 'falsy' && failed
              ? o.kind === ts.SyntaxKind.FalseKeyword
              : base === 'truthy' && !failed && spec.mode === 'returns-falsy'
                ? o.kind === ts.SyntaxKind.TrueKeyword
                : undefined;
        else if (ts.isStringLiteralLike(o) && spec.successValue !== undefined)
          same = o.text === spec.successValue ? !failed : failed ? undefined : false;
        // the proof's owner compared with the signed-in user (`session.userId !== reauth?.userId`): a missing
        // proof's field is undefined, and a user's id read off the session is not
        else if (
          base === 'null' &&
          failed &&
          ts.isPropertyAccessExpression(o) &&
          !o.questionDotToken &&
          !vocab().requestData.test(o.getText())
        )
          same = false;
        if (same === undefined) return undefined;
        return eq ? same : !same;
      }
      return undefined;
    }
    return undefined;
  }
  const v = heldUnder(x, check, failed, lookup, depth, spec);
  if (v === undefined) {
    if (ts.isIdentifier(x)) {
      const init = localInit(x);
      if (init) return again(init);
    }
    return undefined;
  }
  if (v === 'nonnull') return undefined;
  return v === 'truthy' || v === 'response' || v === 'object';
}

/** Truth value of `cond` when `check` has failed (true: the then-branch is the failure branch), or undefined. */
export function failTruth(cond: ts.Expression, check: Check, lookup: ResultLookup): Tri {
  return truthUnder(cond, check, true, lookup);
}

/** The shape of a value a guard returns: response / falsy / truthy / object:<field>=<success truthiness>. */
export function returnShape(value: ts.Expression | undefined, answer: Answer | undefined): string {
  if (!value) return 'falsy';
  if (answer) return 'response';
  const v = vocab();
  const x = skipOuter(value);
  if (
    x.kind === ts.SyntaxKind.FalseKeyword ||
    x.kind === ts.SyntaxKind.NullKeyword ||
    (ts.isIdentifier(x) && x.text === 'undefined') ||
    (ts.isNumericLiteral(x) && x.text === '0')
  )
    return 'falsy';
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

/** The position of a tuple answer an expression reads (`check()[1]`, `const [, err] = check()`, `const e = r[1]`). */
function tuplePositionOf(e: ts.Expression, check: Check, lookup: ResultLookup): string | undefined {
  const x = skipOuter(e);
  if (ts.isIdentifier(x)) {
    const d = findDeclaration(x);
    if (!d || lookup.resultOf(d) !== check) return undefined;
    if (ts.isBindingElement(d) && ts.isArrayBindingPattern(d.parent)) return String(d.parent.elements.indexOf(d));
    const init = ts.isVariableDeclaration(d) && d.initializer ? skipOuter(d.initializer) : undefined;
    return init && ts.isElementAccessExpression(init) && ts.isNumericLiteral(init.argumentExpression)
      ? init.argumentExpression.text
      : undefined;
  }
  if (ts.isElementAccessExpression(x) && ts.isNumericLiteral(x.argumentExpression)) {
    const base = skipOuter(x.expression);
    if (ts.isCallExpression(base) && lookup.checkOf(base) === check) return x.argumentExpression.text;
    if (ts.isIdentifier(base)) {
      const d = findDeclaration(base);
      if (d && lookup.resultOf(d) === check && ts.isVariableDeclaration(d)) return x.argumentExpression.text;
    }
  }
  return undefined;
}

const RELATIONS = new Set([
  ts.SyntaxKind.EqualsEqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsEqualsToken,
  ts.SyntaxKind.EqualsEqualsToken,
  ts.SyntaxKind.ExclamationEqualsToken,
  ts.SyntaxKind.LessThanToken,
  ts.SyntaxKind.LessThanEqualsToken,
  ts.SyntaxKind.GreaterThanToken,
  ts.SyntaxKind.GreaterThanEqualsToken,
]);

/**
 * A comparison of a tuple position with a literal, judged by the literal values that position holds on this side
 * ('n/a' when the comparison is not one; undefined when its values are not all known or disagree).
 */
function tupleRelation(
  x: ts.BinaryExpression,
  check: Check,
  failed: boolean,
  lookup: ResultLookup,
  spec: GuardSpec,
): Tri | 'n/a' {
  const op = x.operatorToken.kind;
  if (!RELATIONS.has(op)) return 'n/a';
  for (const [side, other, left] of [
    [x.left, x.right, true],
    [x.right, x.left, false],
  ] as const) {
    // the position itself, or a member of it (`err.status >= 400`)
    let p: TuplePosition | undefined;
    const pos = tuplePositionOf(side, check, lookup);
    const sx = skipOuter(side);
    if (pos !== undefined) p = spec.positions?.[pos];
    else if (ts.isPropertyAccessExpression(sx)) {
      const owner = tuplePositionOf(sx.expression, check, lookup);
      if (owner === undefined) continue;
      p = spec.positions?.[owner]?.members?.[sx.name.text];
    } else continue;
    const lit = literalValue(other);
    if (lit === undefined) continue;
    const vals = failed ? p?.failedValues : p?.passedValues;
    // (values not all literal on this side: what it holds is judged by its truthiness alone)
    if (!vals?.length) return 'n/a';
    const rs = vals.map((v) => (left ? relates(op, v, lit) : relates(op, lit, v)));
    if (rs.every((r) => r === true)) return true;
    if (rs.every((r) => r === false)) return false;
    return undefined;
  }
  return 'n/a';
}
