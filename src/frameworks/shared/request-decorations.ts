// What middleware puts on the request for the handlers after it: Express `req.services = require('./services')`
// in an `app.use` function, Hono `c.set('services', services)`. A handler that calls
// `req.services.withdraw(…)` or `c.get('services').withdraw(…)` calls that module's function, so its
// effects are the function's.
import { ts } from 'ts-morph';
import { findDeclaration } from '../../analysis/scope.js';
import { propertyNameText, skipOuter, type Value, type ValueResolver } from '../../analysis/values.js';
import { forEachNode } from '../../analysis/walk.js';
import type { Endpoint, FunctionNode } from '../../model.js';

/** Frameworks whose middleware and handlers receive the same request (or context) object first. */
const SHARED_REQUEST = new Set(['express', 'hono']);

type Decoration = [name: string, value: ts.Expression];

/** `p.name = value` and `p.set('name', value)` anywhere in a middleware function, `p` its first parameter. */
function decorationsOf(fn: FunctionNode): Decoration[] {
  const p = fn.parameters[0];
  if (!p || !ts.isIdentifier(p.name) || !fn.body) return [];
  const own = p.name.text;
  const isOwn = (x: ts.Expression): boolean => {
    const e = skipOuter(x);
    return ts.isIdentifier(e) && e.text === own && findDeclaration(e) === p;
  };
  const out: Decoration[] = [];
  forEachNode(fn.body, (n) => {
    if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(n.left) &&
      isOwn(n.left.expression)
    ) {
      out.push([n.left.name.text, n.right]);
    } else if (
      ts.isCallExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      n.expression.name.text === 'set' &&
      isOwn(n.expression.expression) &&
      n.arguments.length === 2
    ) {
      const key = propertyNameText(n.arguments[0]);
      if (key !== undefined && ts.isStringLiteralLike(n.arguments[0])) out.push([key, n.arguments[1]]);
    }
  });
  return out;
}

/**
 * Tell the value resolver what each handler's request carries from the middleware before it. A handler
 * shared by routes whose middleware put different things under one name (a real step-up check for the web
 * routes, a no-op for the mobile ones) is told nothing about that name: which one runs depends on the route.
 */
export function decorateRequests(endpoints: readonly Endpoint[], valuesOf: (ep: Endpoint) => ValueResolver): void {
  const cache = new Map<FunctionNode, Decoration[]>();
  const seen = new Map<ts.ParameterDeclaration, { values: ValueResolver; each: Map<string, ts.Expression[]>[] }>();
  for (const ep of endpoints) {
    if (!SHARED_REQUEST.has(ep.framework)) continue;
    const target = ep.handler.fn?.parameters[0];
    if (!target || !ts.isIdentifier(target.name)) continue;
    const own = new Map<string, ts.Expression[]>();
    for (const link of ep.chain) {
      if (!link.fn || link.fn === ep.handler.fn) continue;
      let list = cache.get(link.fn);
      if (!list) cache.set(link.fn, (list = decorationsOf(link.fn)));
      for (const [name, value] of list) {
        const vs = own.get(name) ?? [];
        if (!vs.includes(value)) vs.push(value);
        own.set(name, vs);
      }
    }
    let entry = seen.get(target);
    if (!entry) seen.set(target, (entry = { values: valuesOf(ep), each: [] }));
    entry.each.push(own);
  }
  for (const [target, { values, each }] of seen) {
    // two writes are the same when they name the same code (`require('./auth')` in two routers' middleware)
    const what = (xs: ts.Expression[]): string =>
      [...new Set(xs.flatMap((x) => values.resolve(x).map(valueKey)))].sort().join('|');
    const [first, ...rest] = each;
    for (const [name, vs] of first) {
      const key = what(vs);
      const same = rest.every((m) => {
        const other = m.get(name);
        return !!other && what(other) === key;
      });
      if (same) for (const v of vs) values.decorate(target, name, v);
    }
  }
}

/** What a value is, as text: the module, the package export or the declaration it stands for. */
function valueKey(v: Value): string {
  const at = (n: ts.Node): string => `${n.getSourceFile().fileName}:${n.pos}`;
  if (v.kind === 'module') return `module:${v.file}`;
  if (v.kind === 'external') return `external:${v.module}:${v.path.join('.')}`;
  if (v.kind === 'instance') return `instance:${at(v.cls)}:${v.site ? at(v.site) : ''}`;
  return `${v.kind}:${at(v.node)}`;
}
