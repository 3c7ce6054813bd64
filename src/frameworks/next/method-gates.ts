// Handlers composed of method gates: `wrap(validateRole(['admin'])(wrap(GET(list), PUT(update))))` where `GET`
// and `PUT` are wrappers that run their function only when the request's method is theirs
// (`const PUT = methodOrPass('PUT')`, `(f) => async (req, res) => { if (req.method === method) await f(req, res) }`).
// Each gate is an endpoint of its own, its function the handler, the composition around it its chain.
import { ts } from 'ts-morph';
import { alwaysReturns, isMethodExpr } from '../../analysis/assume.js';
import { uncased } from '../../analysis/deployment.js';
import { findDeclaration } from '../../analysis/scope.js';
import { wrapperAt } from '../../analysis/unwrap.js';
import { isFunctionNode, returnExpressions, skipOuter, type Value, type ValueResolver } from '../../analysis/values.js';
import { forEachNode } from '../../analysis/walk.js';
import type { ChainLink, FunctionNode, HttpMethod } from '../../model.js';
import { HTTP_METHODS } from '../../model.js';
import { chainLink, wrapperLinks } from '../shared/endpoint.js';

const METHOD_SET = new Set<string>(HTTP_METHODS);

export interface MethodGate {
  method: HttpMethod;
  handler: ts.Expression;
  chain: ChainLink[];
}

/**
 * The method a compared expression stands for: a literal, or a parameter of the factory that made
 * the gate, given a literal where the gate was made (`methodOrPass('PUT')`).
 */
function methodOf(
  e: ts.Expression,
  site: ts.CallExpression | undefined,
  values: ValueResolver,
): HttpMethod | undefined {
  const x = uncased(e);
  const text = ts.isStringLiteralLike(x) ? x.text : undefined;
  if (text !== undefined) return METHOD_SET.has(text.toUpperCase()) ? (text.toUpperCase() as HttpMethod) : undefined;
  if (!ts.isIdentifier(x) || !site) return undefined;
  const d = findDeclaration(x);
  if (!d || !ts.isParameter(d)) return undefined;
  // the factory called at the site declares the parameter
  const fn = d.parent;
  if (!values.resolve(site.expression).some((v) => v.kind === 'function' && v.node === fn)) return undefined;
  const arg = site.arguments[fn.parameters.indexOf(d)];
  return arg ? methodOf(arg, undefined, values) : undefined;
}

/** `req.method === 'PUT'` (positive) or `!==` (negative): the method, when the test is one. */
function methodTest(
  e: ts.Expression,
  site: ts.CallExpression | undefined,
  values: ValueResolver,
): { method: HttpMethod; equal: boolean } | undefined {
  const x = skipOuter(e);
  if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.ExclamationToken) {
    const t = methodTest(x.operand, site, values);
    return t && { ...t, equal: !t.equal };
  }
  if (!ts.isBinaryExpression(x)) return undefined;
  const op = x.operatorToken.kind;
  const equal = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken;
  if (!equal && op !== ts.SyntaxKind.ExclamationEqualsEqualsToken && op !== ts.SyntaxKind.ExclamationEqualsToken)
    return undefined;
  const other = isMethodExpr(uncased(x.left)) ? x.right : isMethodExpr(uncased(x.right)) ? x.left : undefined;
  const method = other && methodOf(other, site, values);
  return method ? { method, equal } : undefined;
}

/**
 * The method `fn` runs the wrapped function `wrapped` for, and only for: its call sits in the
 * `then` branch of `if (req.method === m)`, or after `if (req.method !== m) return`.
 */
function gatedCall(
  fn: FunctionNode,
  wrapped: string,
  site: ts.CallExpression | undefined,
  values: ValueResolver,
): HttpMethod | undefined {
  if (!fn.body) return undefined;
  let gate: HttpMethod | undefined;
  forEachNode(fn.body, (n) => {
    if (gate) return false;
    if (!ts.isCallExpression(n) || !ts.isIdentifier(skipOuter(n.expression))) return;
    if ((skipOuter(n.expression) as ts.Identifier).text !== wrapped) return;
    for (let cur: ts.Node = n; cur.parent && cur !== fn; cur = cur.parent) {
      const up = cur.parent;
      if (ts.isIfStatement(up) && up.thenStatement === cur) {
        const t = methodTest(up.expression, site, values);
        if (t?.equal) gate = t.method;
      }
      if (ts.isBlock(up) && ts.isStatement(cur)) {
        for (const st of up.statements.slice(0, up.statements.indexOf(cur))) {
          if (!ts.isIfStatement(st) || st.elseStatement || !alwaysReturns(st.thenStatement)) continue;
          const t = methodTest(st.expression, site, values);
          if (t && !t.equal) gate = t.method;
        }
      }
      if (gate) break;
    }
  });
  return gate === 'OPTIONS' || gate === 'HEAD' ? undefined : gate;
}

/** The method a gate call (`PUT(handler)`) lets through, when its callee is such a gate. */
function gateMethod(call: ts.CallExpression, values: ValueResolver): HttpMethod | undefined {
  for (const v of values.resolve(call.expression)) {
    if (v.kind !== 'function' || !v.node.body) continue;
    const p = v.node.parameters[0];
    if (!p || !ts.isIdentifier(p.name)) continue;
    // the gate itself (`(f) => async (req, res) => …`) or the request function it returns
    for (const fn of [v.node, ...returnedFunctions(v.node, values)]) {
      const m = gatedCall(fn, p.name.text, v.site, values);
      if (m) return m;
    }
  }
  return undefined;
}

function returnedFunctions(fn: FunctionNode, values: ValueResolver): FunctionNode[] {
  return returnExpressions(fn).flatMap((r) =>
    values.resolve(r).flatMap((v: Value) => (v.kind === 'function' ? [v.node] : [])),
  );
}

/** The call a default export is: itself, or the call a local it names holds (`const handler = wrap(…)`). */
export function composition(expr: ts.Expression): ts.CallExpression | undefined {
  const x = skipOuter(expr);
  if (ts.isCallExpression(x)) return x;
  if (!ts.isIdentifier(x)) return undefined;
  const d = findDeclaration(x);
  const init = d && ts.isVariableDeclaration(d) && d.initializer ? skipOuter(d.initializer) : undefined;
  return init && ts.isCallExpression(init) ? init : undefined;
}

/** An argument that is a handler or another composition (a function, a call, a name of one). */
function functionish(a: ts.Expression, values: ValueResolver): boolean {
  const x = skipOuter(a);
  if (isFunctionNode(x) || ts.isCallExpression(x)) return true;
  if (!ts.isIdentifier(x) && !ts.isPropertyAccessExpression(x)) return false;
  return values.resolve(x).some((v) => v.kind === 'function');
}

/**
 * The method gates a default export is composed of, each with the chain the composition puts
 * before it: the calls around it (wrappers) and the functions handed to the same composition
 * before it (middleware that runs first). None when a gate stands beside a function that serves every
 * method: the file is then read by its method tests as before.
 */
export function methodGates(expr: ts.Expression, values: ValueResolver): MethodGate[] {
  const out: MethodGate[] = [];
  let mixed = false;
  const isGate = (e: ts.Expression): boolean => {
    const x = skipOuter(e);
    return (
      ts.isCallExpression(x) &&
      x.arguments.filter((a) => functionish(a, values)).length === 1 &&
      !!gateMethod(x, values)
    );
  };
  const visit = (e: ts.Expression, chain: ChainLink[], depth: number): void => {
    const x = skipOuter(e);
    if (!ts.isCallExpression(x) || depth > 8 || mixed) return;
    const fnArgs = x.arguments.map((a, i) => [a, i] as const).filter(([a]) => functionish(a, values));
    const method = fnArgs.length === 1 ? gateMethod(x, values) : undefined;
    if (method) {
      out.push({ method, handler: fnArgs[0][0], chain });
      return;
    }
    // a gate beside a function that runs for every method (`compose(GET(show), rest)`): `rest` answers the
    // other methods too, so the file is not made of gates
    const firstGate = x.arguments.findIndex(isGate);
    if (
      firstGate >= 0 &&
      x.arguments.some(
        (a, i) => i > firstGate && functionish(a, values) && !isGate(a) && !ts.isCallExpression(skipOuter(a)),
      )
    ) {
      mixed = true;
      return;
    }
    x.arguments.forEach((a, i) => {
      const inner = skipOuter(a);
      if (!ts.isCallExpression(inner)) return;
      const before = x.arguments
        .slice(0, i)
        .filter((b) => functionish(b, values))
        .map((b) => chainLink(b, 'route', values));
      const around = wrapperLinks({ wrappers: [wrapperAt(x, i, values)], name: '' });
      visit(inner, [...chain, ...around, ...before], depth + 1);
    });
  };
  const root = composition(expr);
  if (root) visit(root, [], 0);
  if (mixed) return [];
  // one endpoint per method: its last gate answers, the gates of that method before it run first (they are
  // among the functions handed to the composition before it, in its chain)
  return out.filter((g, i) => !out.slice(i + 1).some((o) => o.method === g.method));
}
