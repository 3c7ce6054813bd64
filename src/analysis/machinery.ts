// Writes that belong to the step-up flow itself, not to the operation it protects: a challenge issued or
// consumed, an attempt counted (by the record's name, rules/effects.json `stepUpMachinery.models`), and one of
// the account's recovery codes spent by a check (`stepUpMachinery.spentCodeKeys`, written back from their own
// stored value). Shared by classification (a spent code changes no factor) and verification (a check that
// spends a code is still a check, not an operation).
import { ts } from 'ts-morph';
import { effectRules, leafEffects, normalizeName, type Effect } from './effects.js';
import { findDeclaration } from './scope.js';
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
        ((!!l.model && machinery.test(l.model)) || spendsOwnCodes(l, values)),
    )
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
 * (`codes: markUsed(user.codes, i)`, `SET codes = $1` with `JSON.stringify(codes)`, through one local)?
 */
function writtenFromOwnValue(call: ts.CallExpression, key: string, values: ValueResolver): boolean {
  const mentionsOwn = (x: ts.Node, hops: number): boolean => {
    let hit = false;
    const see = (n: ts.Node): void => {
      if (hit) return;
      if (ts.isPropertyAccessExpression(n) && normalizeName(n.name.text) === key) hit = true;
      else if (ts.isIdentifier(n) && hops < 1) {
        const d = findDeclaration(n);
        if (d && ts.isVariableDeclaration(d) && d.initializer && mentionsOwn(d.initializer, hops + 1)) hit = true;
      } else n.forEachChild(see);
    };
    see(x);
    return hit;
  };
  // a SQL statement: the parameter its SET clause gives the column
  const sql = setParams(call, values).filter((p) => normalizeName(p.column) === key);
  if (sql.length) return sql.every((p) => mentionsOwn(p.value, 0));
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isPropertyAssignment(n) && normalizeName(propertyNameText(n.name) ?? '') === key) {
      found = mentionsOwn(n.initializer, 0);
      return;
    }
    if (ts.isShorthandPropertyAssignment(n) && normalizeName(n.name.text) === key) {
      found = mentionsOwn(n.name, 0);
      return;
    }
    n.forEachChild(visit);
  };
  for (const a of call.arguments) visit(a);
  return found;
}
