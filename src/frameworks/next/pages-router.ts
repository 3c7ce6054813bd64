// Next.js pages router: `pages/api/**` default exports. Methods come from `req.method`
// comparisons, `switch`, `[...].includes(req.method)`, method-keyed handler maps, and
// next-connect routers; a handler that never looks at the method serves ANY.
import { ts } from 'ts-morph';
import { EQUALITY } from '../../analysis/operators.js';
import { alwaysReturns, includesOf, isMethodExpr, literal } from '../../analysis/assume.js';
import { unwrap } from '../../analysis/unwrap.js';
import { evalString, evalStrings } from '../../analysis/strings.js';
import {
  isInside,
  objectOf,
  propertyNameText,
  returnExpressions,
  skipOuter,
  type Value,
  type ValueResolver,
} from '../../analysis/values.js';
import { HTTP_METHODS, type Endpoint, type FunctionNode, type HttpMethod } from '../../model.js';
import { buildEndpoint, chainLink, containedEndpoint, type EndpointInput } from '../shared/endpoint.js';
import { exportedExpression } from '../shared/method-exports.js';
import { composition, methodGates } from './method-gates.js';
import { nextConnectRoutes, servedPath } from './next-connect.js';
import type { AdapterContext } from '../types.js';
import type { NextFile } from './files.js';

const METHOD_SET = new Set<string>(HTTP_METHODS);

/** `'PUT'`, or a constant standing for it (`HTTP_METHODS.PUT` from another module). */
function methodLiteral(e: ts.Expression, values: ValueResolver): HttpMethod | undefined {
  const text = literal(e, { constant: (x) => evalString(x, values) });
  if (text === undefined) return undefined;
  const m = text.toUpperCase();
  return METHOD_SET.has(m) ? (m as HttpMethod) : undefined;
}

/** The project functions a handler hands its request object to (`handler(req, res)`), in order. */
function forwardedTo(fn: FunctionNode, values: ValueResolver): FunctionNode[] {
  const req = fn.parameters[0]?.name;
  if (!req || !ts.isIdentifier(req) || !fn.body) return [];
  const out: FunctionNode[] = [];
  const visit = (n: ts.Node): void => {
    if (n !== fn.body && ts.isFunctionLike(n)) return;
    if (
      ts.isCallExpression(n) &&
      n.arguments.some((a) => ts.isIdentifier(skipOuter(a)) && (skipOuter(a) as ts.Identifier).text === req.text)
    )
      for (const v of values.resolve(n.expression))
        if (v.kind === 'function' && v.node.body && v.node !== fn && !out.includes(v.node)) out.push(v.node);
    ts.forEachChild(n, visit);
  };
  visit(fn.body);
  return out;
}

/** The parameters a helper compares the request's method with (`req.method === method`, `methods.includes(req.method)`). */
function methodParameters(fn: FunctionNode): Set<number> {
  const names = new Map<string, number>();
  fn.parameters.forEach((p, i) => {
    if (ts.isIdentifier(p.name)) names.set(p.name.text, i);
  });
  const out = new Set<number>();
  const param = (e: ts.Expression): number | undefined => {
    const x = skipOuter(e);
    return ts.isIdentifier(x) ? names.get(x.text) : undefined;
  };
  const visit = (n: ts.Node): void => {
    if (ts.isBinaryExpression(n)) {
      if (EQUALITY.has(n.operatorToken.kind)) {
        const i = isMethodExpr(n.left) ? param(n.right) : isMethodExpr(n.right) ? param(n.left) : undefined;
        if (i !== undefined) out.add(i);
      }
    } else {
      const list = includesOf(n, isMethodExpr);
      const i = list && param(list);
      if (i !== undefined) out.add(i);
    }
    ts.forEachChild(n, visit);
  };
  if (fn.body && names.size) visit(fn.body);
  return out;
}

/**
 * Runs `run` with the parameters of the wrappers that made `target` bound to the arguments they were called
 * with: `call` of `fn`, then each project function whose body returns a call of the next
 * (`createPostHandler(h, o)` returning `createApiHandler(h, { ...o, methods: ['POST'] })`).
 */
function madeWith<T>(
  call: ts.CallExpression,
  fn: FunctionNode,
  target: FunctionNode,
  values: ValueResolver,
  run: () => T,
): T {
  const steps: [FunctionNode, ts.CallExpression][] = [];
  let c: ts.CallExpression | undefined = call;
  let f: FunctionNode | undefined = fn;
  for (let i = 0; i < 4 && c && f?.body; i++) {
    steps.push([f, c]);
    if (isInside(target, f)) break;
    const rets: ts.Expression[] = returnExpressions(f).map((r) => skipOuter(r));
    const next: ts.Expression | undefined = rets.length === 1 ? rets[0] : undefined;
    c = next && ts.isCallExpression(next) ? next : undefined;
    const made: Value | undefined = c && values.resolve(c.expression).find((v) => v.kind === 'function');
    f = made?.kind === 'function' ? made.node : undefined;
  }
  const bind = (k: number): T =>
    k === steps.length ? run() : values.withArguments(steps[k][0], steps[k][1], () => bind(k + 1));
  return bind(0);
}

/** HTTP methods an argument names (`'POST'`, `['GET', 'POST']`), or none. */
function methodArgument(e: ts.Expression, values: ValueResolver): HttpMethod[] {
  const xs = evalStrings(e, values) ?? [];
  const ms = xs.map((m) => m.toUpperCase());
  return ms.length && ms.every((m) => METHOD_SET.has(m)) ? (ms as HttpMethod[]) : [];
}

/** The methods a call tells a method-checking helper (`requireMethod(req, res, 'POST')`), or none. */
function helperTold(n: ts.CallExpression, caller: FunctionNode, values: ValueResolver): HttpMethod[] {
  if (n.arguments.length < 2) return [];
  const told = n.arguments.map((a) => methodArgument(a, values));
  if (!told.some((t) => t.length)) return [];
  const out: HttpMethod[] = [];
  // (a helper that only answers whether the method is the one named, `isMethod(req, 'GET')`, is a branch test:
  // it is a gate when it turns the other methods away itself, with a 405 or an Allow header)
  for (const v of values.resolve(n.expression))
    if (v.kind === 'function' && v.node !== caller && !!v.node.body && REFUSAL.test(v.node.body.getText()))
      for (const i of methodParameters(v.node)) for (const m of told[i] ?? []) if (!out.includes(m)) out.push(m);
  return out;
}

/** Does the handler hand its method check to a helper told which methods to serve? */
function gatedByHelper(fn: FunctionNode, values: ValueResolver): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || (n !== fn.body && ts.isFunctionLike(n))) return;
    if (ts.isCallExpression(n) && helperTold(n, fn, values).length) found = true;
    else ts.forEachChild(n, visit);
  };
  if (fn.body) visit(fn.body);
  return found;
}

/** The methods one test names: `req.method === 'POST'`, `['GET', 'POST'].includes(req.method)`. */
function methodsTested(n: ts.Node, values: ValueResolver): HttpMethod[] {
  if (ts.isBinaryExpression(n)) {
    if (!EQUALITY.has(n.operatorToken.kind)) return [];
    const m = isMethodExpr(n.left)
      ? methodLiteral(n.right, values)
      : isMethodExpr(n.right)
        ? methodLiteral(n.left, values)
        : undefined;
    return m ? [m] : [];
  }
  const list = includesOf(n, isMethodExpr);
  return ((list && evalStrings(list, values)) ?? [])
    .map((m) => m.toUpperCase())
    .filter((m): m is HttpMethod => METHOD_SET.has(m));
}

/**
 * Methods a handler serves by the tests that turn the others away: the condition of an `if` whose branch
 * refuses (`if (!methods.includes(req.method)) return res.status(405)…`, `if (req.method !== 'POST') …405`).
 * Other comparisons (`req.method === 'GET' && cache`) say nothing about what is served.
 */
function methodsServed(fn: FunctionNode, values: ValueResolver): HttpMethod[] {
  const found = new Set<HttpMethod>();
  const visit = (n: ts.Node): void => {
    if (n !== fn.body && ts.isFunctionLike(n)) return;
    if (ts.isIfStatement(n) && REFUSAL.test(n.thenStatement.getText())) {
      const probe = (c: ts.Node): void => {
        for (const m of methodsTested(c, values)) found.add(m);
        ts.forEachChild(c, probe);
      };
      probe(n.expression);
    }
    ts.forEachChild(n, visit);
  };
  if (fn.body) visit(fn.body);
  return HTTP_METHODS.filter((m) => found.has(m));
}

/** Methods a handler distinguishes, from comparisons with `req.method`. Empty = never looks. */
export function methodsCompared(fn: FunctionNode, values: ValueResolver): HttpMethod[] {
  const found = new Set<HttpMethod>();
  const visit = (n: ts.Node): void => {
    // a project helper told the method and comparing the request's with it (`if (!requireMethod(req, res, 'POST'))
    // return`): the methods it is told
    if (ts.isCallExpression(n)) for (const m of helperTold(n, fn, values)) found.add(m);
    if (ts.isSwitchStatement(n) && isMethodExpr(n.expression)) {
      for (const c of n.caseBlock.clauses)
        if (ts.isCaseClause(c)) {
          const m = methodLiteral(c.expression, values);
          if (m) found.add(m);
        }
    } else for (const m of methodsTested(n, values)) found.add(m);
    ts.forEachChild(n, visit);
  };
  if (fn.body) visit(fn.body);
  return HTTP_METHODS.filter((m) => found.has(m));
}

/**
 * A handler that answers some methods early and serves every other one with what follows:
 * top-level `if (req.method === 'X') { … return }` statements, no else, then statements that do
 * more than refuse (no 405 among them).
 */
function servesTheRest(fn: FunctionNode, values: ValueResolver): boolean {
  const body = fn.body;
  if (!body || !ts.isBlock(body)) return false;
  const stmts = body.statements;
  let last = -1;
  stmts.forEach((st, i) => {
    if (
      ts.isIfStatement(st) &&
      !st.elseStatement &&
      positiveMethodTest(st.expression, values) &&
      alwaysReturns(st.thenStatement)
    )
      last = i;
  });
  if (last < 0) return false;
  const rest = stmts.slice(last + 1);
  if (!rest.length) return false;
  if (refusesMethods(fn, values)) return false;
  // a rest that compares the method again is a dispatch of its own
  return !rest.some((st) => containsMethodTest(st));
}

/** An answer that turns a method away: a 405, an Allow header, a "method not allowed" error. */
const REFUSAL = /\b405\b|['"]Allow['"]|methodNotAllowed|method not allowed/i;

/**
 * The methods a handler serves when every method it names is one it turns away (top-level `if (req.method ===
 * 'GET') { …405… return }`, nothing else comparing the method): those an Allow header there lists, else any.
 */
function servedBesidesRefused(fn: FunctionNode, values: ValueResolver): HttpMethod[] | undefined {
  const body = fn.body;
  if (!body || !ts.isBlock(body)) return undefined;
  const refusals = body.statements.filter(
    (st): st is ts.IfStatement =>
      ts.isIfStatement(st) &&
      !st.elseStatement &&
      positiveMethodTest(st.expression, values) &&
      alwaysReturns(st.thenStatement) &&
      REFUSAL.test(st.thenStatement.getText()),
  );
  if (!refusals.length) return undefined;
  if (body.statements.some((st) => !refusals.includes(st as ts.IfStatement) && containsMethodTest(st)))
    return undefined;
  const refused = new Set<string>();
  const allowed = new Set<HttpMethod>();
  for (const r of refusals) {
    for (const m of r.expression.getText().matchAll(/['"`]([A-Za-z]+)['"`]/g)) refused.add(m[1].toUpperCase());
    const allow = /['"]Allow['"]\s*,\s*(\[[^\]]*\]|['"`][^'"`]*['"`])/.exec(r.thenStatement.getText());
    for (const m of allow?.[1].matchAll(/[A-Za-z]+/g) ?? []) {
      const up = m[0].toUpperCase();
      if (METHOD_SET.has(up) && !refused.has(up)) allowed.add(up as HttpMethod);
    }
  }
  return allowed.size ? [...allowed] : ['ANY'];
}

/**
 * A handler that refuses methods anywhere (a 405, an Allow header, `req.method !== 'POST'`, a helper told the
 * methods to serve) restricts them.
 */
function refusesMethods(fn: FunctionNode, values: ValueResolver): boolean {
  const body = fn.body;
  return (
    !!body && (/\b405\b|['"]Allow['"]/.test(body.getText()) || negativeMethodTest(body) || gatedByHelper(fn, values))
  );
}

function negativeMethodTest(n: ts.Node): boolean {
  let found = false;
  const visit = (x: ts.Node): void => {
    if (found) return;
    if (
      ts.isBinaryExpression(x) &&
      (x.operatorToken.kind === ts.SyntaxKind.ExclamationEqualsEqualsToken ||
        x.operatorToken.kind === ts.SyntaxKind.ExclamationEqualsToken) &&
      (isMethodExpr(x.left) || isMethodExpr(x.right))
    )
      found = true;
    else if (
      ts.isPrefixUnaryExpression(x) &&
      x.operator === ts.SyntaxKind.ExclamationToken &&
      containsMethodTest(x.operand)
    )
      found = true;
    else ts.forEachChild(x, visit);
  };
  visit(n);
  return found;
}

function positiveMethodTest(e: ts.Expression, values: ValueResolver): boolean {
  const x = skipOuter(e);
  if (ts.isBinaryExpression(x)) {
    const op = x.operatorToken.kind;
    if (op === ts.SyntaxKind.BarBarToken)
      return positiveMethodTest(x.left, values) && positiveMethodTest(x.right, values);
    if (op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken) {
      return (
        (!!methodLiteral(x.right, values) && isMethodExpr(x.left)) ||
        (!!methodLiteral(x.left, values) && isMethodExpr(x.right))
      );
    }
  }
  return false;
}

function containsMethodTest(n: ts.Node): boolean {
  let found = false;
  const visit = (x: ts.Node): void => {
    if (found) return;
    if (isMethodExpr(x as ts.Expression) && ts.isExpression(x)) found = true;
    else ts.forEachChild(x, visit);
  };
  visit(n);
  return found;
}

/** The entries of an object literal keyed by HTTP methods. */
function methodEntries(obj: ts.ObjectLiteralExpression): { method: HttpMethod; handler: ts.Expression }[] {
  return obj.properties
    .filter((p) => p.name && METHOD_SET.has((propertyNameText(p.name) ?? '').toUpperCase()))
    .map((p) => ({
      method: propertyNameText(p.name!)!.toUpperCase() as HttpMethod,
      handler: ts.isPropertyAssignment(p)
        ? p.initializer
        : ts.isShorthandPropertyAssignment(p)
          ? p.name
          : (p as unknown as ts.Expression),
    }));
}

/**
 * A method map the handler dispatches through: `table[req.method]` where `table` is an object
 * literal keyed by HTTP methods, or such an object handed to a dispatching helper
 * (`return defaultHandler(req, res, { GET, POST })`): every key is a method.
 */
function dispatchTable(
  fn: FunctionNode,
  values: ValueResolver,
): { method: HttpMethod; handler: ts.Expression }[] | undefined {
  let found: { method: HttpMethod; handler: ts.Expression }[] | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isElementAccessExpression(n) && isMethodExpr(skipOuter(n.argumentExpression))) {
      const obj = values.resolve(n.expression).find((v) => v.kind === 'object');
      if (obj && obj.kind === 'object') {
        const entries = methodEntries(obj.node);
        if (entries.length) found = entries;
      }
    } else if (ts.isCallExpression(n)) {
      for (const a of n.arguments) {
        const obj = objectOf(a, values);
        if (!obj || !obj.properties.length) continue;
        const entries = methodEntries(obj);
        // every key a method and every value a handler (`res.json({ post })` answers a record named post)
        if (
          entries.length &&
          entries.length === obj.properties.length &&
          entries.every((e) => handlerLike(e.handler, values))
        )
          found = entries;
      }
    }
    if (!found && !(n !== fn.body && ts.isFunctionLike(n))) ts.forEachChild(n, visit);
  };
  if (fn.body) visit(fn.body);
  return found;
}

/** Is a method map's value a handler: a function, or an array or name that holds one? */
function handlerLike(h: ts.Expression, values: ValueResolver): boolean {
  const x = skipOuter(h);
  if (ts.isFunctionLike(x)) return true;
  if (ts.isArrayLiteralExpression(x)) return x.elements.some((el) => handlerLike(el, values));
  // (a call awaited is data: `{ post: await getPost(id) }`; one not awaited may build a handler: `withAuth(list)`)
  return values
    .resolve(x)
    .some(
      (v) =>
        v.kind === 'function' ||
        v.kind === 'external' ||
        (v.kind === 'call' && !(v.node.parent && ts.isAwaitExpression(v.node.parent))),
    );
}

/** Methods a wrapper is told to serve: `AuthedEndpoint(handler, ['POST'])`, `withMethods({ methods: ['GET'] }, h)`. */
function listedMethods(call: ts.CallExpression, values: ValueResolver, depth = 0): HttpMethod[] {
  const out = new Set<HttpMethod>();
  const fromList = (e: ts.Expression): void => {
    const names = evalStrings(e, values);
    if (!names?.length) return;
    const ms = names.map((n) => n.toUpperCase());
    if (ms.every((m) => METHOD_SET.has(m))) for (const m of ms) out.add(m as HttpMethod);
  };
  for (const a of call.arguments) {
    const x = skipOuter(a);
    if (ts.isArrayLiteralExpression(x)) fromList(x);
    else if (ts.isObjectLiteralExpression(x)) {
      for (const p of x.properties) {
        if (ts.isPropertyAssignment(p) && p.name && /^(allowed)?methods$/i.test(propertyNameText(p.name) ?? ''))
          fromList(p.initializer);
      }
    } else if (ts.isCallExpression(x) && depth < 3) for (const m of listedMethods(x, values, depth + 1)) out.add(m);
  }
  return HTTP_METHODS.filter((m) => out.has(m));
}

/** Method links of a builder chain (`.GET(cfg).handler(fn)`): each method with the first function given after it. */
function builderMethods(expr: ts.Expression): { method: HttpMethod; handler?: ts.Expression }[] {
  const links: { name: string; call: ts.CallExpression }[] = [];
  let x: ts.Expression = skipOuter(expr);
  while (ts.isCallExpression(x) && ts.isPropertyAccessExpression(x.expression)) {
    links.unshift({ name: x.expression.name.text, call: x });
    x = skipOuter(x.expression.expression);
  }
  const out: { method: HttpMethod; handler?: ts.Expression }[] = [];
  links.forEach((l, i) => {
    if (!METHOD_SET.has(l.name) || l.name !== l.name.toUpperCase()) return;
    let handler: ts.Expression | undefined;
    for (let j = i; j < links.length && !handler; j++) {
      if (j > i && METHOD_SET.has(links[j].name)) break;
      handler = links[j].call.arguments.find((a) => ts.isFunctionLike(skipOuter(a)));
    }
    out.push({ method: l.name as HttpMethod, handler });
  });
  return out;
}

/** A method map entry that is a route config (`{ auth: true, handle: async (ctx) => … }`): its one function. */
function entryHandler(h: ts.Expression, ctx: AdapterContext): ts.Expression {
  const obj = ctx.values.resolve(h).find((v) => v.kind === 'object');
  if (!obj || obj.kind !== 'object') return h;
  const fns = obj.node.properties.filter(
    (p) => (ts.isPropertyAssignment(p) && ts.isFunctionLike(skipOuter(p.initializer))) || ts.isMethodDeclaration(p),
  );
  if (fns.length !== 1) return h;
  const p = fns[0];
  return ts.isPropertyAssignment(p) ? p.initializer : (p as unknown as ts.Expression);
}

/** A method map entry written as a list: its last element is the handler, the ones before (lists flattened) its middleware. */
function arrayEntry(h: ts.Expression): { handler: ts.Expression; middleware: ts.Expression[] } {
  const x = skipOuter(h);
  if (!ts.isArrayLiteralExpression(x) || x.elements.length < 2) return { handler: h, middleware: [] };
  const els = x.elements.filter((e) => !ts.isSpreadElement(e));
  const middleware: ts.Expression[] = [];
  for (const e of els.slice(0, -1)) {
    const y = skipOuter(e);
    if (ts.isArrayLiteralExpression(y)) middleware.push(...y.elements.filter((z) => !ts.isSpreadElement(z)));
    else middleware.push(e);
  }
  return { handler: els[els.length - 1], middleware };
}

/** A method map's handler as written: `Promise.resolve(import('./_post'))` is that module's default export. */
function mapHandler(h: ts.Expression, ctx: AdapterContext): ts.Expression {
  let x = skipOuter(h);
  if (
    ts.isCallExpression(x) &&
    ts.isPropertyAccessExpression(x.expression) &&
    x.expression.name.text === 'resolve' &&
    x.arguments.length === 1
  )
    x = skipOuter(x.arguments[0]);
  if (
    ts.isCallExpression(x) &&
    x.expression.kind === ts.SyntaxKind.ImportKeyword &&
    x.arguments[0] &&
    ts.isStringLiteralLike(x.arguments[0])
  ) {
    const r = ctx.values.resolver.resolve(x.arguments[0].text, x.getSourceFile().fileName);
    const target = r.kind === 'file' ? ctx.store.get(r.file) : undefined;
    const def = target ? defaultExport(target, ctx) : undefined;
    if (def) return def.expr;
  }
  return h;
}

function defaultExport(sf: ts.SourceFile, ctx: AdapterContext): { anchor: ts.Node; expr: ts.Expression } | undefined {
  for (const st of sf.statements) {
    if (ts.isExportAssignment(st)) return { anchor: st, expr: st.expression };
    if (
      ts.isFunctionDeclaration(st) &&
      st.body &&
      ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)
    )
      return { anchor: st, expr: st as unknown as ts.Expression };
    if (
      ts.isExpressionStatement(st) &&
      ts.isBinaryExpression(st.expression) &&
      st.expression.operatorToken.kind === ts.SyntaxKind.EqualsToken
    ) {
      const l = st.expression.left;
      if (
        ts.isPropertyAccessExpression(l) &&
        ts.isIdentifier(l.expression) &&
        l.expression.text === 'module' &&
        l.name.text === 'exports'
      )
        return { anchor: st, expr: st.expression.right };
    }
    if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause)) {
      const el = st.exportClause.elements.find((e) => e.name.text === 'default');
      if (el && !st.moduleSpecifier) return { anchor: st, expr: el.propertyName ?? el.name };
      // `export { default } from './impl'`, `export { handler as default } from '…'`
      if (el && st.moduleSpecifier && ts.isStringLiteralLike(st.moduleSpecifier)) {
        const r = ctx.values.resolver.resolve(st.moduleSpecifier.text, sf.fileName);
        const local = (el.propertyName ?? el.name).text;
        if (r.kind === 'file') {
          const target = ctx.store.get(r.file);
          const inner = local === 'default' && target ? defaultExport(target, ctx) : undefined;
          const expr = inner?.expr ?? exportedExpression(r.file, local, ctx);
          if (expr) return { anchor: el, expr };
        }
        return { anchor: el, expr: el.propertyName ?? el.name };
      }
    }
  }
  return undefined;
}

export function extractPagesRoute(sf: ts.SourceFile, info: NextFile, ctx: AdapterContext): Endpoint[] {
  // each endpoint's analysis is a unit: one that fails is listed all the same, unverifiable
  const build = (input: EndpointInput): Endpoint => containedEndpoint(input, ctx, () => buildEndpoint(input, ctx));
  const def = defaultExport(sf, ctx);
  if (!def) return [];
  const expr = skipOuter(def.expr);

  // next-connect: registrations this file makes on a router, created here or in another module
  const routes = nextConnectRoutes(sf, expr, ctx);
  if (routes.length) {
    return routes.map((r) => {
      const path = servedPath(r.path, info.urlPath);
      return build({
        framework: 'next-pages',
        method: r.method,
        path,
        // (a route of its own address is found at its registration)
        anchor: path === info.urlPath ? def.anchor : r.anchor,
        handlerExpr: r.handler,
        chain: r.chain.map((m) => chainLink(m.expr, m.via, ctx.values)),
        tags: ['next-connect'],
      });
    });
  }

  // Method-keyed handler maps: `export default apiHandler({ GET: list, POST: create })`, or `apiHandler(api)`
  // with `const api = { GET: { auth: true, handle: async (ctx) => … } }` (an entry's one function is its handler)
  if (ts.isCallExpression(expr)) {
    const obj = expr.arguments
      .map(skipOuter)
      .map((a) =>
        ts.isObjectLiteralExpression(a)
          ? a
          : ts.isIdentifier(a)
            ? ctx.values.resolve(a).find((v) => v.kind === 'object')?.node
            : undefined,
      )
      .find(
        (o): o is ts.ObjectLiteralExpression => !!o && ts.isObjectLiteralExpression(o) && methodEntries(o).length > 0,
      );
    if (obj) {
      const keyed = obj.properties.filter(
        (p) => p.name && METHOD_SET.has((propertyNameText(p.name) ?? '').toUpperCase()),
      );
      if (keyed.length) {
        return keyed.map((p) => {
          const method = propertyNameText(p.name!)!.toUpperCase() as HttpMethod;
          const h = ts.isPropertyAssignment(p)
            ? p.initializer
            : ts.isShorthandPropertyAssignment(p)
              ? p.name
              : (p as unknown as ts.Expression);
          // `PATCH: [[withAuth, requireAdmin, withValidation(schema)], handlers.update]`: middleware, then the handler
          const { handler, middleware } = arrayEntry(h);
          return build({
            framework: 'next-pages',
            method,
            path: info.urlPath,
            anchor: def.anchor,
            handlerExpr: entryHandler(mapHandler(handler, ctx), ctx),
            chain: [
              chainLink(expr.expression, 'wrapper', ctx.values),
              ...middleware.map((m) => chainLink(m, 'route', ctx.values)),
            ],
            tags: ['method-map'],
          });
        });
      }
    }
  }

  // A route builder: `createRoute().GET({ auth: true }).handler(async (ctx) => …)`, one endpoint per method link
  const built = builderMethods(expr);
  if (built.length) {
    return built.map(({ method, handler }) =>
      build({
        framework: 'next-pages',
        method,
        path: info.urlPath,
        anchor: def.anchor,
        handlerExpr: handler ?? expr,
        chain: [],
        tags: ['method-builder'],
      }),
    );
  }

  // Method gates composed into one handler: `wrap(GET(list), PUT(update))`, one endpoint per gate
  const gates = methodGates(expr, ctx.values);
  if (gates.length) {
    return gates.map((g) =>
      build({
        framework: 'next-pages',
        method: g.method,
        path: info.urlPath,
        anchor: def.anchor,
        handlerExpr: g.handler,
        chain: g.chain,
        tags: ['method-gate'],
      }),
    );
  }

  const u = unwrap(expr, ctx.values);
  // Method dispatch tables inside the handler: `const handlers = { GET: list, POST: create }; handlers[req.method]`,
  // or handed to a dispatching helper: `return defaultHandler(req, res, { GET, POST })`
  const table = u.fn ? dispatchTable(u.fn, ctx.values) : undefined;
  if (table && table.length) {
    return table.map(({ method, handler }) =>
      build({
        framework: 'next-pages',
        method,
        path: info.urlPath,
        anchor: def.anchor,
        handlerExpr: entryHandler(mapHandler(handler, ctx), ctx),
        chain: [],
        tags: ['method-map'],
      }),
    );
  }
  const endpoints = (methods: HttpMethod[], tags: string[]): Endpoint[] =>
    methods.map((method) =>
      build({
        framework: 'next-pages',
        method,
        path: info.urlPath,
        anchor: def.anchor,
        handlerExpr: expr,
        chain: [],
        unwrapped: u,
        tags,
      }),
    );
  // Methods the wrapper is told to serve: `export default AuthedEndpoint(handler, ['POST'])`
  const composed = composition(expr);
  const listed = composed ? listedMethods(composed, ctx.values) : [];
  if (listed.length) return endpoints(listed, ['method-list']);
  let methods: HttpMethod[] = u.fn ? methodsCompared(u.fn, ctx.values) : [];
  // a wrapper that turns away the methods it was not told (`createPostHandler(h, o)` returning `createApiHandler(h,
  // { ...o, methods: ['POST'] })`, whose handler answers 405 unless `methods.includes(req.method)`): those it was told
  for (const w of methods.length ? [] : u.wrappers) {
    if (!w.fn || !w.returned?.body || !REFUSAL.test(w.returned.body.getText())) continue;
    const told = madeWith(w.call, w.fn, w.returned, ctx.values, () => methodsServed(w.returned!, ctx.values));
    if (told.length) return endpoints(told, ['method-wrapper']);
  }
  // a handler that looks at no method but hands the request to one that does (`export default async (req,
  // res) => { if (await checkAdmin(req, res)) await handler(req, res) }`): that one's methods
  let dispatcher = u.fn;
  if (!methods.length && u.fn) {
    // (a dispatcher: it turns other methods away with a 405, unlike a guard or a session helper that only
    // looks at the method, `if (req.method === 'GET') return true`, `req.method !== 'GET'` for a CSRF check)
    const inner = forwardedTo(u.fn, ctx.values).find(
      (f) => methodsCompared(f, ctx.values).length && !!f.body && /\b405\b|method not allowed/i.test(f.body.getText()),
    );
    if (inner) {
      methods = methodsCompared(inner, ctx.values);
      dispatcher = inner;
    }
  }
  if (!methods.length) return endpoints(['ANY'], []);
  // `if (req.method === 'GET') { res.setHeader('Allow', ['POST']); return refuse() }` and nothing else asks: the
  // methods named are the ones turned away, the rest (those the Allow header lists, else any) are served
  const others = dispatcher ? servedBesidesRefused(dispatcher, ctx.values) : undefined;
  if (others) return endpoints(others, ['method-dispatch']);
  // `if (req.method === 'OPTIONS') return …;` then work for every other method: those are served too;
  // so are they when the handler only ever asks whether the request is a HEAD or a preflight (a
  // header-only variant of its answer) and refuses no method
  const variantsOnly =
    !!dispatcher && methods.every((m) => m === 'HEAD' || m === 'OPTIONS') && !refusesMethods(dispatcher, ctx.values);
  return endpoints(
    dispatcher && (variantsOnly || servesTheRest(dispatcher, ctx.values)) ? [...methods, 'ANY'] : methods,
    ['method-dispatch'],
  );
}
