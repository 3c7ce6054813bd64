// A write whose protected columns reach it only through keys set on a local object on some paths
// (`if (newPassword) { …check…; update.passwordHash = await hash(newPassword) }` and then
// `user.update({ data: update })`): the asset is written only on the paths that set those keys, so
// the assignments are what a step-up check has to guard. On the other paths the same write changes
// nothing protected (the profile's name), which needs no step-up.
import { ts } from 'ts-morph';
import { CONTAINER_KEYS } from '../analysis/effects.js';
import { findDeclaration, localUses } from '../analysis/scope.js';
import { accessName, propertyNameText, skipOuter } from '../analysis/values.js';
import { norm } from '../classify/words.js';
import type { Endpoint } from '../model.js';
import { spanOf } from '../util.js';
import type { FlowPoint } from './flow.js';

/**
 * The assignment points that set the asset's columns on the local object an effect point writes,
 * when those assignments are the only way the columns reach it; otherwise undefined.
 */
export function assetAssignments(p: FlowPoint, assigns: readonly FlowPoint[], ep: Endpoint): FlowPoint[] | undefined {
  if (p.kind !== 'effect' || !p.effect || !ts.isCallExpression(p.node)) return undefined;
  const at = spanOf(p.node);
  const reasons = (ep.classification?.reasons ?? []).filter(
    (r) =>
      r.kind === 'asset' &&
      !!r.span &&
      r.span.file === at.file &&
      r.span.line === at.line &&
      r.span.column === at.column,
  );
  if (!reasons.length || reasons.some((r) => !r.keys?.length)) return undefined;
  const keys = new Set(reasons.flatMap((r) => r.keys!));
  const holder = writtenLocal(p.node);
  if (!holder || !holder.initializer) return undefined;
  // keys the object starts with are written on every path
  const init = skipOuter(holder.initializer);
  if (!ts.isObjectLiteralExpression(init)) return undefined;
  for (const prop of init.properties) {
    if (ts.isSpreadAssignment(prop)) return undefined;
    const name = prop.name && propertyNameText(prop.name);
    if (!name || keys.has(norm(name))) return undefined;
  }
  if (!onlyKeyedUses(holder, p.node)) return undefined;
  // declared in the function that writes it (a module-level object another handler fills is not this one's)
  if (enclosingFunction(holder) !== enclosingFunction(p.node) || !enclosingFunction(holder)) return undefined;
  const sets = assigns.filter((a) => {
    const key = assignedKey(a, holder);
    return key !== undefined && keys.has(key);
  });
  const setKeys = new Set(sets.map((a) => assignedKey(a, holder)));
  if ([...keys].some((k) => !setKeys.has(k))) return undefined;
  return sets;
}

/** The key an assignment point sets on `holder` (normalised), if it sets one there. */
function assignedKey(a: FlowPoint, holder: ts.VariableDeclaration): string | undefined {
  if (a.kind !== 'assign' || !ts.isBinaryExpression(a.node)) return undefined;
  const left = a.node.left;
  if (!ts.isPropertyAccessExpression(left) && !ts.isElementAccessExpression(left)) return undefined;
  const root = skipOuter(left.expression);
  if (!ts.isIdentifier(root) || findDeclaration(root) !== holder) return undefined;
  const key = accessName(left);
  return key ? norm(key) : undefined;
}

/** The local object a write is handed: an argument (`.set(update)`) or a data key of one (`{ data: update }`). */
function writtenLocal(call: ts.CallExpression): ts.VariableDeclaration | undefined {
  const local = (e: ts.Expression): ts.VariableDeclaration | undefined => {
    const x = skipOuter(e);
    if (!ts.isIdentifier(x)) return undefined;
    const d = findDeclaration(x);
    return d && ts.isVariableDeclaration(d) && ts.isIdentifier(d.name) ? d : undefined;
  };
  const found: ts.VariableDeclaration[] = [];
  for (const a of call.arguments) {
    const d = local(a);
    if (d) found.push(d);
    const x = skipOuter(a);
    if (ts.isObjectLiteralExpression(x))
      for (const prop of x.properties) {
        if (!ts.isPropertyAssignment(prop)) continue;
        const name = propertyNameText(prop.name);
        if (name && CONTAINER_KEYS.has(name)) {
          const v = local(prop.initializer);
          if (v) found.push(v);
        }
      }
  }
  // the object literal built up beside the write: one, never a choice between several
  const objects = found.filter((d) => d.initializer && ts.isObjectLiteralExpression(skipOuter(d.initializer)));
  return objects.length === 1 ? objects[0] : undefined;
}

/**
 * Is the object only given keys (`o.k = v`), read (`o.k`, `Object.keys(o)`, `'k' in o`) and handed to
 * the write? Anything else (handed to another call, spread, reassigned) may add the columns unseen.
 */
function onlyKeyedUses(holder: ts.VariableDeclaration, write: ts.Node): boolean {
  for (const id of localUses(holder)) {
    const n = outerOf(id);
    const parent = n.parent;
    if (!parent) return false;
    if (isWithin(id, write)) continue;
    if ((ts.isPropertyAccessExpression(parent) || ts.isElementAccessExpression(parent)) && parent.expression === n) {
      // a key read, or set by a plain `=` in the writing function (what the flow records); set any other way
      // (`??=`, `+=`, a destructuring or loop target, `delete`, `++`) or from another function, it may arrive unseen
      if (enclosingFunction(parent) !== enclosingFunction(write)) return false;
      const use = outerOf(parent);
      const at = use.parent;
      if (ts.isBinaryExpression(at) && at.left === use) {
        if (at.operatorToken.kind !== ts.SyntaxKind.EqualsToken) return false;
        continue;
      }
      if (
        ts.isArrayLiteralExpression(at) ||
        ts.isObjectLiteralExpression(at) ||
        ts.isPropertyAssignment(at) ||
        ts.isShorthandPropertyAssignment(at) ||
        ts.isSpreadElement(at) ||
        ts.isForOfStatement(at) ||
        ts.isForInStatement(at) ||
        ts.isDeleteExpression(at) ||
        ts.isPrefixUnaryExpression(at) ||
        ts.isPostfixUnaryExpression(at)
      )
        return false;
      continue;
    }
    if (ts.isBinaryExpression(parent) && parent.operatorToken.kind === ts.SyntaxKind.InKeyword && parent.right === n)
      continue;
    if (
      ts.isCallExpression(parent) &&
      /^Object\.(keys|values|entries)$/.test(parent.expression.getText()) &&
      parent.arguments[0] === n
    )
      continue;
    return false;
  }
  return true;
}

/** The expression a node stands for once parentheses and type assertions around it are left out. */
function outerOf(n: ts.Node): ts.Node {
  let x = n;
  while (
    x.parent &&
    (ts.isParenthesizedExpression(x.parent) ||
      ts.isAsExpression(x.parent) ||
      ts.isNonNullExpression(x.parent) ||
      ts.isTypeAssertionExpression(x.parent) ||
      ts.isSatisfiesExpression(x.parent))
  )
    x = x.parent;
  return x;
}

function enclosingFunction(n: ts.Node): ts.Node | undefined {
  return ts.findAncestor(n.parent, (x) => ts.isFunctionLike(x));
}

function isWithin(n: ts.Node, outer: ts.Node): boolean {
  return (
    n.getStart() >= outer.getStart() && n.getEnd() <= outer.getEnd() && n.getSourceFile() === outer.getSourceFile()
  );
}
