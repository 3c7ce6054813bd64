// Writes that belong to the step-up flow itself, not to the operation it protects: a challenge issued or
// consumed, an attempt counted (by the record's name, rules/effects.json `stepUpMachinery.models`, or by its keys,
// `stepUpMachinery.attemptKeys`), and one of
// the account's recovery codes spent by a check (`stepUpMachinery.spentCodeKeys`, written back from their own
// stored value, or a code row marked used, `stepUpMachinery.spentCodeRows`). Shared by classification (a spent code changes no factor) and verification (a check that
// spends a code is still a check, not an operation).
import { ts } from 'ts-morph';
import { effectRules, leafEffects, normalizeName, type Effect } from './effects.js';
import { findDeclaration, localUses } from './scope.js';
import { setParams } from './sql-params.js';
import { propertyNameText, type ValueResolver } from './values.js';

/** Writes of the step-up flow itself: every leaf effect is one. */
export function isStepUpMachinery(e: Effect, values: ValueResolver): boolean {
  const { machinery } = effectRules();
  const leaves = leafEffects([e]);
  return (
    leaves.length > 0 &&
    leaves.every(
      (l) =>
        (l.kind === 'db-write' || l.kind === 'sql-write') &&
        ((!!l.model && machinery.test(l.model)) || spendsOwnCodes(l, values) || marksCodeSpent(l) || countsAttempt(l)),
    )
  );
}

/** A write whose every key (bookkeeping aside) counts a failed check or sets a lock (`failedPasswordAttempts`). */
function countsAttempt(e: Effect): boolean {
  const { attemptKeys, bookkeeping } = effectRules();
  if (!attemptKeys || e.opaqueData || e.rawBody) return false;
  const keys = e.dataKeys.map(normalizeName).filter((k) => !bookkeeping.has(k));
  return keys.length > 0 && keys.every((k) => attemptKeys.test(k));
}

/**
 * An update of a recovery-code row that only marks it spent (`set({ used: true, usedAt: new Date() })`):
 * one code used up by a check, the factor unchanged.
 */
export function marksCodeSpent(e: Effect): boolean {
  const { spentCodeRows, bookkeeping } = effectRules();
  if (!spentCodeRows || !e.model || !spentCodeRows.models.test(normalizeName(e.model))) return false;
  if ((e.kind !== 'db-write' && e.kind !== 'sql-write') || e.opaqueData) return false;
  if (!/update|save|set|patch/i.test(e.action ?? '')) return false;
  const keys = e.dataKeys.map(normalizeName).filter((k) => !bookkeeping.has(k));
  const constants = e.constants ?? {};
  const value = (k: string): string | undefined => Object.entries(constants).find(([c]) => normalizeName(c) === k)?.[1];
  return (
    keys.length > 0 &&
    keys.every((k) => spentCodeRows.keys.test(k)) &&
    // a mark is written true (`used: true`), a time only beside one (`usedAt: new Date()`): a value the caller
    // or a parameter decides, false or null makes the code usable again
    keys.some((k) => /^(true|1)$/.test(value(k) ?? '')) &&
    keys.every((k) => /^(true|1)$/.test(value(k) ?? '') || (/(at|on)$/.test(k) && value(k) === undefined))
  );
}

/**
 * A write whose every key (bookkeeping aside) is a recovery-code key written back from the record's own
 * stored codes: one code spent by a check, the factor unchanged. `keys` narrows the keys asked about.
 */
export function spendsOwnCodes(e: Effect, values: ValueResolver, keys: string[] = e.dataKeys): boolean {
  const { spentCodeKeys, bookkeeping } = effectRules();
  if (!spentCodeKeys || (e.kind !== 'db-write' && e.kind !== 'sql-write') || e.opaqueData) return false;
  if (!ts.isCallExpression(e.node)) return false;
  const call = e.node;
  const asked = keys.map(normalizeName).filter((k) => !bookkeeping.has(k));
  return (
    asked.length > 0 &&
    asked.every((k) => spentCodeKeys.test(k)) &&
    asked.every((k) => writtenFromOwnValue(call, k, values))
  );
}

/**
 * Is `key` (normalised) written with a value computed from the record's own stored value of it
 * (`codes: markUsed(user.codes, i)`, `SET codes = $1` with `JSON.stringify(codes)`, through one local),
 * with nothing added to it: no code from elsewhere (`[...codes, extra]`, `codes.push(c)`, `concat`), and the
 * stored codes read from a record the function looked up, not from a parameter or the request
 * (`req.body.recovery_codes`)?
 */
function writtenFromOwnValue(call: ts.CallExpression, key: string, values: ValueResolver): boolean {
  // a SQL statement: the parameter its SET clause gives the column
  const sql = setParams(call, values).filter((p) => normalizeName(p.column) === key);
  if (sql.length) return sql.every((p) => spentFrom(p.value, key, 0));
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isPropertyAssignment(n) && normalizeName(propertyNameText(n.name) ?? '') === key) {
      found = spentFrom(n.initializer, key, 0);
      return;
    }
    if (ts.isShorthandPropertyAssignment(n) && normalizeName(n.name.text) === key) {
      found = spentFrom(n.name, key, 0);
      return;
    }
    n.forEachChild(visit);
  };
  for (const a of call.arguments) visit(a);
  return found;
}

/** Calls that add items to a list. */
const GROWS = /^(push|unshift|concat)$/;

function spentFrom(x: ts.Node, key: string, hops: number): boolean {
  let own = false;
  let foreign = false;
  const see = (n: ts.Node): void => {
    if (foreign) return;
    // an item added: a list literal with an item of its own, or a call that adds
    if (ts.isArrayLiteralExpression(n) && n.elements.some((el) => !ts.isSpreadElement(el) || n.elements.length > 1))
      foreign = true;
    else if (
      ts.isCallExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      (GROWS.test(n.expression.name.text) || replaces(n, n.expression.name.text))
    )
      foreign = true;
    else if (ts.isPropertyAccessExpression(n) && normalizeName(n.name.text) === key) {
      // the stored codes of a record this function looked up (a local), not of a parameter or the request
      let root: ts.Expression = n.expression;
      while (
        ts.isPropertyAccessExpression(root) ||
        ts.isElementAccessExpression(root) ||
        ts.isParenthesizedExpression(root)
      )
        root = root.expression;
      const d = ts.isIdentifier(root) ? findDeclaration(root) : undefined;
      if (d && (ts.isVariableDeclaration(d) || ts.isBindingElement(d))) own = true;
      else foreign = true;
    } else if (ts.isIdentifier(n) && hops < 1) {
      const d = findDeclaration(n);
      if (d && ts.isVariableDeclaration(d) && d.initializer) {
        if (grown(d)) foreign = true;
        else if (spentFrom(d.initializer, key, hops + 1)) own = true;
      }
    } else n.forEachChild(see);
  };
  see(x);
  return own && !foreign;
}

/**
 * A call that puts new items in place of the stored ones: `with(i, fresh)`, `fill(x)`, `toSpliced(i, n, fresh)`,
 * or a `map`/`flatMap` whose callback never reads the item it is given, a `filter` that reads none of its
 * parameters (`codes.map(() => randomCode())`
 * makes new codes; `codes.filter(() => false)` drops them all).
 */
function replaces(call: ts.CallExpression, method: string): boolean {
  if (method === 'with' || method === 'fill') return true;
  if (method === 'toSpliced') return call.arguments.length > 2;
  if (!/^(map|filter|flatMap)$/.test(method)) return false;
  const cb = call.arguments[0];
  if (!cb || !(ts.isArrowFunction(cb) || ts.isFunctionExpression(cb))) return false;
  // (a filter keeps items by their position as well, `filter((_, k) => k !== i)`; a map makes each new item
  // from the old one only when it reads it)
  const asked = method === 'filter' ? cb.parameters : cb.parameters.slice(0, 1);
  const names = new Set(asked.flatMap((p) => (ts.isIdentifier(p.name) ? [p.name.text] : [])));
  if (!names.size) return !asked.length || asked.every((p) => ts.isIdentifier(p.name));
  let read = false;
  const visit = (n: ts.Node): void => {
    if (read) return;
    if (ts.isIdentifier(n) && names.has(n.text) && !ts.isParameter(n.parent)) read = true;
    else n.forEachChild(visit);
  };
  visit(cb.body);
  return !read;
}

/** Is a local's list added to or replaced after it is declared (`codes.push(c)`, `codes = other`, `splice(i, 0, c)`)? */
function grown(d: ts.VariableDeclaration): boolean {
  if (!ts.isIdentifier(d.name)) return true;
  return localUses(d).some((u) => {
    const p = u.parent;
    // `codes = other`
    if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && p.left === u) return true;
    // `codes.push(c)`, `codes.splice(i, 0, c)`
    if (!ts.isPropertyAccessExpression(p) || p.expression !== u) return false;
    const call = p.parent;
    if (!ts.isCallExpression(call) || call.expression !== p) return false;
    const method = p.name.text;
    return GROWS.test(method) || (method === 'splice' && call.arguments.length > 2);
  });
}
