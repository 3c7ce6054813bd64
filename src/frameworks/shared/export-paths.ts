// The module exports an expression evaluates to, read from syntax: through variables,
// destructuring, imports and re-exports, member accesses and calls, and through the project's own
// factories (`function makeT() { const t = initTRPC.create(); return { router: t.router } }`, then
// `const { router } = makeT()` is `@trpc/server` `initTRPC.create().router`).
import { ts } from 'ts-morph';
import { bindingPath, findDeclaration } from '../../analysis/scope.js';
import {
  accessName,
  isFunctionNode,
  propertyNameText,
  returnExpressions,
  skipOuter,
  type ValueResolver,
} from '../../analysis/values.js';

export interface ExportPath {
  module: string;
  name: string;
}

const MAX_DEPTH = 24;
/** A factory with more returns than this is not followed (its value is not one thing). */
const MAX_RETURNS = 8;

/**
 * The module exports an expression evaluates to (`t.router` where `t = initTRPC.context<C>().create()`
 * → `@trpc/server` `initTRPC.context().create().router`). Syntactic and bounded, so a long chain of
 * files does not exhaust the value resolver's depth.
 */
export function exportPaths(
  expr: ts.Node,
  values: ValueResolver,
  depth = 0,
  stack: Set<ts.Node> = new Set(),
): ExportPath[] {
  if (depth > MAX_DEPTH) return [];
  const x = ts.isExpression(expr) ? skipOuter(expr) : expr;
  const next = (n: ts.Node): ExportPath[] => exportPaths(n, values, depth + 1, stack);
  if (ts.isIdentifier(x) || ts.isShorthandPropertyAssignment(x)) {
    const id = ts.isIdentifier(x) ? x : x.name;
    const d = findDeclaration(id);
    if (!d) return [];
    if (ts.isImportSpecifier(d) || ts.isImportClause(d) || ts.isNamespaceImport(d)) {
      const imp = importOf(d);
      const name = importedName(d);
      const r = values.resolver.resolve(imp.spec, d.getSourceFile().fileName);
      if (r.kind === 'external') return [{ module: r.module, name: name === 'default' || name === '*' ? '' : name }];
      if (r.kind !== 'file' || name === '*') return [];
      const e = exportedNode(r.file, name, values);
      return e ? next(e) : [];
    }
    // a parameter bound to what the call being followed passes (`tokensRouter(t)` → `t.router(…)`)
    const bound = ts.isParameter(d) ? values.boundTo(d) : undefined;
    if (bound) return next(bound);
    const v = declaredValue(d);
    if (!v) return [];
    if (ts.isBindingElement(d)) return memberPaths(v, bindingPath(d).path, values, depth + 1, stack);
    return next(v);
  }
  if (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) {
    const name = accessName(x);
    return name === undefined ? [] : memberPaths(x.expression, [name], values, depth + 1, stack);
  }
  if (ts.isCallExpression(x)) {
    const called = next(x.expression).map((b) => ({ module: b.module, name: `${b.name}()` }));
    // a factory of the project: what it returns
    const made = factoryReturns(x, values, depth + 1, stack, next);
    return [...called, ...made];
  }
  if (ts.isConditionalExpression(x)) return [...next(x.whenTrue), ...next(x.whenFalse)];
  return [];
}

/**
 * The paths of `base.a.b`: a member of an object the project builds (an object literal, however it
 * is reached: a variable, a factory's return) is that member's value; any other base gets the
 * members appended to its own paths.
 */
function memberPaths(
  base: ts.Node,
  parts: readonly string[],
  values: ValueResolver,
  depth: number,
  stack: Set<ts.Node>,
): ExportPath[] {
  if (depth > MAX_DEPTH) return [];
  if (!parts.length) return exportPaths(base, values, depth, stack);
  const objects = objectsOf(base, values, depth, stack);
  if (objects.length)
    return objects.flatMap((o) => {
      const m = memberOf(o, parts[0]);
      return m ? memberPaths(m, parts.slice(1), values, depth + 1, stack) : [];
    });
  return parts.reduce(
    (acc, part) => acc.map((b) => ({ module: b.module, name: b.name ? `${b.name}.${part}` : part })),
    exportPaths(base, values, depth, stack),
  );
}

/** The object literals an expression evaluates to: itself, a variable's or an export's initializer, a factory's returns. */
function objectsOf(
  expr: ts.Node,
  values: ValueResolver,
  depth: number,
  stack: Set<ts.Node>,
): ts.ObjectLiteralExpression[] {
  if (depth > MAX_DEPTH) return [];
  const x = ts.isShorthandPropertyAssignment(expr) ? expr.name : ts.isExpression(expr) ? skipOuter(expr) : expr;
  if (ts.isObjectLiteralExpression(x)) return [x];
  if (ts.isIdentifier(x)) {
    const d = definitionOf(x, values);
    return d && ts.isExpression(d) && d !== x ? objectsOf(d, values, depth + 1, stack) : [];
  }
  if (ts.isCallExpression(x))
    return factoryReturns(x, values, depth + 1, stack, (r) => objectsOf(r, values, depth + 1, stack));
  return [];
}

/**
 * What a call of one of the project's functions returns, each read by `read` (none when the callee
 * is not one, has many returns, or is already being followed: a recursive factory).
 */
function factoryReturns<T>(
  call: ts.CallExpression,
  values: ValueResolver,
  depth: number,
  stack: Set<ts.Node>,
  read: (r: ts.Expression) => T[],
): T[] {
  const callee = skipOuter(call.expression);
  if (depth > MAX_DEPTH || !ts.isIdentifier(callee)) return [];
  const fn = definitionOf(callee, values);
  if (!fn || !isFunctionNode(fn) || stack.has(fn)) return [];
  const returns = returnExpressions(fn);
  if (returns.length > MAX_RETURNS) return [];
  stack.add(fn);
  try {
    return returns.flatMap(read);
  } finally {
    stack.delete(fn);
  }
}

/** The node a name is defined by: a variable's initializer, a function declaration, an imported module's export. */
export function definitionOf(id: ts.Identifier, values: ValueResolver): ts.Node | undefined {
  const d = findDeclaration(id);
  if (!d) return undefined;
  if (ts.isFunctionDeclaration(d)) return d;
  if (ts.isVariableDeclaration(d)) return d.initializer;
  if (ts.isImportSpecifier(d) || ts.isImportClause(d)) {
    const r = values.resolver.resolve(importOf(d).spec, d.getSourceFile().fileName);
    return r.kind === 'file' ? exportedNode(r.file, importedName(d), values) : undefined;
  }
  return undefined;
}

/** A literal's member `name` (a shorthand member is its own name's value). */
function memberOf(o: ts.ObjectLiteralExpression, name: string): ts.Node | undefined {
  for (let i = o.properties.length - 1; i >= 0; i--) {
    const p = o.properties[i];
    if (ts.isPropertyAssignment(p) && propertyNameText(p.name) === name) return p.initializer;
    if (ts.isShorthandPropertyAssignment(p) && p.name.text === name) return p;
  }
  return undefined;
}

function importOf(d: ts.ImportSpecifier | ts.ImportClause | ts.NamespaceImport): { spec: string } {
  const imp = ts.isImportSpecifier(d) ? d.parent.parent.parent : ts.isNamespaceImport(d) ? d.parent.parent : d.parent;
  return { spec: (imp.moduleSpecifier as ts.StringLiteral).text };
}

function importedName(d: ts.ImportSpecifier | ts.ImportClause | ts.NamespaceImport): string {
  return ts.isImportSpecifier(d) ? (d.propertyName ?? d.name).text : ts.isImportClause(d) ? 'default' : '*';
}

/** The expression a declaration binds (a variable's initializer, the root initializer of a destructuring). */
function declaredValue(d: ts.Node): ts.Expression | undefined {
  if (ts.isVariableDeclaration(d)) return d.initializer;
  if (ts.isBindingElement(d)) {
    const { root } = bindingPath(d);
    return root && ts.isVariableDeclaration(root) ? root.initializer : undefined;
  }
  return undefined;
}

/** The node a module exports under `name` (through re-exports and star exports), read from syntax. */
export function exportedNode(file: string, name: string, values: ValueResolver, depth = 0): ts.Node | undefined {
  if (depth > 8) return undefined;
  const t = values.exportsOf(file);
  if (!t) return undefined;
  const entry = t.named.get(name);
  if (entry?.expr) return entry.expr;
  if (entry?.decl) {
    const d = entry.decl;
    if (ts.isVariableDeclaration(d)) return d.initializer;
    if (ts.isBindingElement(d)) return d.name;
    if (ts.isImportSpecifier(d) || ts.isImportClause(d)) return d.name;
    return d;
  }
  if (entry?.reexport) {
    const r = values.resolver.resolve(entry.reexport.spec, file);
    return r.kind === 'file' && entry.reexport.name !== '*'
      ? exportedNode(r.file, entry.reexport.name, values, depth + 1)
      : undefined;
  }
  for (const spec of t.stars) {
    const r = values.resolver.resolve(spec, file);
    if (r.kind !== 'file') continue;
    const hit = exportedNode(r.file, name, values, depth + 1);
    if (hit) return hit;
  }
  return undefined;
}
