// Hono: `app.METHOD|all|on(...)`, chained `.get().post()`, `app.route('/x', sub)` across files,
// `new Hono().basePath('/v1')`, `app.use('/admin/*', mw)`, `createFactory().createHandlers`,
// @hono/zod-openapi `app.openapi(createRoute({ method, path, middleware }), handler)`, and Hono
// mounted inside Next.js (`export const POST = handle(app)` in an app-router route file),
// `app.mount('/x', other.fetch)`, and HonoX file-system routes (`file-routes.ts`).
import { ts } from 'ts-morph';
import { evalString, evalStrings } from '../../analysis/strings.js';
import { addSchemaFields } from '../../analysis/body.js';
import { externalName, firstFunction, unwrap } from '../../analysis/unwrap.js';
import { findDeclaration } from '../../analysis/scope.js';
import { propertyNameText, skipOuter, type Value } from '../../analysis/values.js';
import type { Endpoint, HttpMethod } from '../../model.js';
import { matchesExport, ruleFile } from '../../rules/load.js';
import type { FrameworkRules } from '../../rules/types.js';
import { Collector, looksLikeHandler, orderOf, siteKey, type Dialect, type RouterRef } from '../shared/collect.js';
import { argumentEnv, boundArgument, type Env } from '../../analysis/strings.js';
import {
  buildEndpoint,
  chainLink,
  containedEndpoint,
  handsOn,
  importsAny,
  otherWebFramework,
} from '../shared/endpoint.js';
import { concretePath, joinPaths, RouterGraph, type FlatRoute, type RouterNode } from '../shared/router-graph.js';
import { servedRoutes, unmountedRoots } from '../shared/unmounted.js';
import { envPath, pathsOf } from '../shared/paths.js';
import type { AdapterContext, AdapterPlan, FrameworkAdapter, PlanContext } from '../types.js';
import { addFileRoutes, planFileRoutes, type RouteFile } from './file-routes.js';
import { strippedDispatches } from './stripped-prefix.js';

type HonoRules = FrameworkRules['hono'];

/** Parameters of the function a call invokes, bound to the call's arguments. */
function envOf(call: ts.CallExpression, ctx: AdapterContext): Env | undefined {
  const fn = ctx.values.resolve(call.expression).find((v) => v.kind === 'function');
  return fn && fn.kind === 'function' ? argumentEnv(fn.node, call) : undefined;
}

/** The parameters of the helper `call` runs, when `obj` is written inside that helper. */
function builtIn(obj: ts.Node, call: ts.CallExpression, ctx: AdapterContext): Env | undefined {
  const env = envOf(call, ctx);
  const [param] = env?.keys() ?? [];
  const fn = param?.parent;
  return fn && fn.getSourceFile() === obj.getSourceFile() && obj.pos >= fn.pos && obj.end <= fn.end ? env : undefined;
}

/** Does the expression stand for (a member of) a parameter of the function it is written in? */
function readsParameter(e: ts.Expression, ctx: AdapterContext): boolean {
  return ctx.values.resolve(e).some((v) => v.kind === 'param');
}

/** Runs `run` with the parameters of the function `call` calls bound to its arguments (as is, when it calls none). */
function withCallArguments<T>(call: ts.Node, ctx: AdapterContext, run: () => T): T {
  if (!ts.isCallExpression(call) && !ts.isNewExpression(call)) return run();
  const fn = firstFunction(ctx.values.resolve(call.expression));
  return fn ? ctx.values.withArguments(fn, call, run) : run();
}

function methodOf(m: string): HttpMethod {
  const u = m.toUpperCase();
  return u === 'ALL' ? 'ANY' : (u as HttpMethod);
}

/**
 * A relative route path (`list`, `:id/pdf`): Hono joins it like `/list`. Not a KV key
 * (`rootKey:${id}`, a colon inside a segment), a URL, or a sentence.
 */
function isRelativePath(s: string): boolean {
  return /^:?[\w.~-]+\??(\/(:?[\w.~*{}+-]*\??))*$/.test(s);
}

/** A route path: starts with `/`, is `*`, or is a relative path (a KV key such as `rootKey:${id}` is not). */
function isPathLike(arg: ts.Expression | undefined, ctx: AdapterContext): boolean {
  if (!arg) return false;
  const x = skipOuter(arg);
  const looksLikePath = (s: string): boolean => s === '' || s.startsWith('/') || s === '*' || isRelativePath(s);
  if (ts.isStringLiteralLike(x)) return looksLikePath(x.text);
  if (ts.isTemplateExpression(x)) {
    if (x.head.text !== '') return looksLikePath(x.head.text);
    const v = evalString(x, ctx.values);
    return v !== undefined ? looksLikePath(v) : x.templateSpans.some((sp) => sp.literal.text.startsWith('/'));
  }
  if (ts.isCallExpression(x)) {
    // `app.get(apiPath('users'), …)`: a path only when the call evaluates to one
    const v = evalString(x, ctx.values);
    return v !== undefined && looksLikePath(v);
  }
  if (ts.isFunctionLike(x) || ts.isObjectLiteralExpression(x)) return false;
  const v = evalString(x, ctx.values);
  return v !== undefined && looksLikePath(v);
}

/**
 * A path that is a parameter of the function registering it (`function addRoute(app, method, path, cfg) {
 * app[method](path, …) }`): kept to be evaluated with each call's arguments.
 */
function parameterPath(call: ts.CallExpression, ctx: AdapterContext): boolean {
  const x = call.arguments[0] && skipOuter(call.arguments[0]);
  // what it registers is a handler, or the registrar's list of them (`...middlewares`)
  const last = call.arguments[call.arguments.length - 1];
  if (call.arguments.length < 2 || !(ts.isSpreadElement(last) || looksLikeHandler(last, ctx.values, 1))) return false;
  if (!x) return false;
  // the router is a parameter of the same function: a registrar (`cache.put(key, value)` is not one)
  const fn = registrarOf(call);
  // (the path one of its parameters, or a constant it builds from them: `const base = `${PREFIX}/${spec.slug}``)
  return !!fn && dependsOnParameter(x, fn, 0);
}

/** The function whose parameter a registration's receiver is (`router` of `function mount(router, spec)`). */
function registrarOf(call: ts.CallExpression): ts.SignatureDeclaration | undefined {
  const callee = skipOuter(call.expression);
  const recv =
    ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)
      ? skipOuter(callee.expression)
      : undefined;
  const r = recv && ts.isIdentifier(recv) ? findDeclaration(recv) : undefined;
  return r && ts.isParameter(r) ? r.parent : undefined;
}

/** Does an expression read a parameter of `fn`, directly or through constants `fn` declares from them? */
function dependsOnParameter(e: ts.Node, fn: ts.SignatureDeclaration, depth: number): boolean {
  if (depth > 3) return false;
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n) && !(ts.isPropertyAccessExpression(n.parent) && n.parent.name === n)) {
      const d = findDeclaration(n);
      if (d && ts.isParameter(d) && d.parent === fn) found = true;
      else if (
        d &&
        ts.isVariableDeclaration(d) &&
        d.initializer &&
        ts.getCombinedNodeFlags(d) & ts.NodeFlags.Const &&
        ts.findAncestor(d, (a) => a === fn) &&
        dependsOnParameter(d.initializer, fn, depth + 1)
      )
        found = true;
    }
    if (!found) n.forEachChild(visit);
  };
  visit(e);
  return found;
}

/** Hono path patterns: `*` wildcards, `:param` segments; a trailing `/*` also matches the bare prefix. */
export function honoMatches(pattern: string, full: string): boolean {
  if (!pattern || pattern === '*' || pattern === '/*') return true;
  const target = concretePath(full);
  const pat = concretePath(pattern);
  let re = '';
  for (const ch of pat) re += ch === '*' ? '.*' : /[.^$|\\{}()[\]+?]/.test(ch) ? `\\${ch}` : ch;
  if (re.endsWith('/.*')) re = `${re.slice(0, -3)}(?:/.*)?`;
  try {
    return new RegExp(`^${re}/?$`).test(target);
  } catch {
    return false;
  }
}

interface OpenApiRoute {
  method?: HttpMethod;
  path?: string;
  middleware: ts.Expression[];
  schemas: ts.Expression[];
}

/** The argument bound to a parameter of the enclosing helper that `call` derives its value from, if any. */
function boundParameter(call: ts.CallExpression, env: Env): ts.Expression | undefined {
  let found: ts.Expression | undefined;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isIdentifier(n)) found = boundArgument(n, env);
    else if (!ts.isArrowFunction(n) && !ts.isFunctionExpression(n)) ts.forEachChild(n, visit); // not a callback's own parameters
  };
  visit(call);
  return found;
}

/**
 * The object a rest binding was taken from (`...config` of `const { cache, ...config } = routeConfig`, or of a
 * parameter `({ cache, ...config })`): it carries that object's other keys.
 */
function restSource(id: ts.Identifier, env: Env | undefined): ts.Expression | undefined {
  const d = findDeclaration(id);
  if (!d || !ts.isBindingElement(d) || !d.dotDotDotToken || !ts.isObjectBindingPattern(d.parent)) return undefined;
  const holder = d.parent.parent;
  if (ts.isVariableDeclaration(holder)) return holder.initializer;
  if (ts.isParameter(holder)) return env?.get(holder);
  return undefined;
}

/**
 * The route object given to `app.openapi(route, …)`: an object literal, a `createRoute({ … })` call
 * (possibly made inside a project helper, whose parameters then take the helper call's arguments),
 * or an object spreading one of those (`{ ...route, middleware: [auth] }`, later keys win).
 */
function readCreateRoute(expr: ts.Expression, ctx: AdapterContext, rules: HonoRules): OpenApiRoute | undefined {
  const props = new Map<string, { init: ts.Expression; env?: Env }>();
  const isCreateRoute = (v: Value): v is Extract<Value, { kind: 'call' }> =>
    v.kind === 'call' &&
    ts.isCallExpression(v.node) &&
    v.callee.some((c) => matchesExport(rules.createRoute, externalName(c)));
  const sources = (
    e: ts.Expression,
    env: Env | undefined,
    depth: number,
  ): { obj: ts.ObjectLiteralExpression; env?: Env }[] => {
    const x = skipOuter(e);
    if (ts.isObjectLiteralExpression(x)) return [{ obj: x, env }];
    if (depth > 6) return [];
    // a helper's parameter spread into the route (`(x) => createRoute({ ...x, tags })`): the call's argument
    const bound = ts.isIdentifier(x) ? boundArgument(x, env) : undefined;
    if (bound) return sources(bound, undefined, depth + 1);
    // the rest of a helper's options (`const { cache, ...config } = routeConfig`): the object it was taken from
    const rest = ts.isIdentifier(x) ? restSource(x, env) : undefined;
    if (rest) return sources(rest, env, depth + 1);
    for (const v of ctx.values.resolve(x)) {
      // a helper's returned literal (`createRoute(loginDocs('/login'))`): its parameters are the call's arguments
      if (v.kind === 'object')
        return [{ obj: v.node, env: ts.isCallExpression(x) ? builtIn(v.node, x, ctx) : undefined }];
      if (isCreateRoute(v)) {
        const arg = (v.node as ts.CallExpression).arguments[0];
        if (!arg) continue;
        // built inside a helper: its parameters are the helper call's arguments
        const inner = v.site && ts.isCallExpression(v.site) ? envOf(v.site, ctx) : undefined;
        return sources(arg, inner ?? env, depth + 1);
      }
    }
    // a copy of a helper's parameter (`Object.fromEntries(Object.entries(config).filter(…))`, `omit(config, …)`):
    // it carries the keys of the object the helper was called with
    if (env) {
      const calls = ts.isCallExpression(x)
        ? [x]
        : ctx.values.resolve(x).flatMap((v) => (v.kind === 'call' && ts.isCallExpression(v.node) ? [v.node] : []));
      for (const c of calls) {
        const param = boundParameter(c, env);
        if (param) return sources(param, undefined, depth + 1);
      }
    }
    return [];
  };
  const add = (obj: ts.ObjectLiteralExpression, env: Env | undefined, depth: number): void => {
    for (const p of obj.properties) {
      if (ts.isSpreadAssignment(p)) {
        for (const s of sources(p.expression, env, depth + 1)) add(s.obj, s.env, depth + 1);
        continue;
      }
      const key = p.name ? propertyNameText(p.name) : undefined;
      if (!key) continue;
      if (ts.isPropertyAssignment(p)) props.set(key, { init: p.initializer, env });
      else if (ts.isShorthandPropertyAssignment(p)) props.set(key, { init: p.name, env });
    }
  };
  const top = sources(expr, undefined, 0);
  if (!top.length) return undefined;
  add(top[0].obj, top[0].env, 0);
  const out: OpenApiRoute = { middleware: [], schemas: [] };
  const method = props.get('method');
  if (method) {
    const m = evalString(method.init, ctx.values, 0, method.env);
    if (m) out.method = methodOf(m);
  }
  const path = props.get('path');
  if (path) out.path = evalString(path.init, ctx.values, 0, path.env);
  const mw = props.get('middleware');
  if (mw) {
    const init = skipOuter(mw.init);
    out.middleware.push(...(ts.isArrayLiteralExpression(init) ? init.elements.map((e) => e) : [init]));
  }
  const request = props.get('request');
  if (request) {
    // request.body.content['application/json'].schema
    const visit = (n: ts.Node): void => {
      if (ts.isPropertyAssignment(n) && n.name && propertyNameText(n.name) === 'schema')
        out.schemas.push(n.initializer);
      // a helper builds the body's content (`body: jsonContentRequired(schema, 'description')`): its schema argument
      if (ts.isPropertyAssignment(n) && n.name && propertyNameText(n.name) === 'body') {
        const init = skipOuter(n.initializer);
        const first = ts.isCallExpression(init) ? init.arguments[0] : undefined;
        if (first && !ts.isObjectLiteralExpression(skipOuter(first)) && !ts.isStringLiteralLike(skipOuter(first)))
          out.schemas.push(first);
      }
      ts.forEachChild(n, visit);
    };
    visit(request.init);
  }
  return out;
}

/**
 * Does a handler use its first parameter as a Hono context: answer with `c.json(…)` (one of
 * `context.responses`) or read the request with `c.req.valid('json')` (one of `context.requestReads`)?
 */
function usesHonoContext(
  expr: ts.Expression,
  ctx: AdapterContext,
  responses: ReadonlySet<string>,
  reads: ReadonlySet<string>,
): boolean {
  const fn = unwrap(expr, ctx.values).fn;
  const p = fn?.parameters[0];
  if (!fn?.body || !p || !ts.isIdentifier(p.name) || fn.parameters.length > 2) return false;
  const name = p.name.text;
  const isCtx = (e: ts.Expression): boolean => ts.isIdentifier(e) && e.text === name;
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (ts.isCallExpression(n) && ts.isPropertyAccessExpression(n.expression)) {
      const callee = n.expression;
      // `c.json(body)` answers; `request.json()` (a fetch Request, itty-router, Bun) reads a body instead
      if (isCtx(callee.expression) && responses.has(callee.name.text) && n.arguments.length > 0) found = true;
      else if (
        ts.isPropertyAccessExpression(callee.expression) &&
        callee.expression.name.text === 'req' &&
        isCtx(callee.expression.expression) &&
        reads.has(callee.name.text)
      )
        found = true;
    }
    // a nested function with its own parameter of the same name is another context
    if (!found && !(ts.isFunctionLike(n) && n !== fn && n.parameters.some((q) => q.name.getText() === name)))
      ts.forEachChild(n, visit);
  };
  visit(fn.body);
  return found;
}

/** Is a parameter's type one imported from Hono (`Context` from 'hono')? */
function honoType(type: ts.TypeNode, hints: readonly string[]): boolean {
  if (!ts.isTypeReferenceNode(type) || !ts.isIdentifier(type.typeName)) return false;
  const d = findDeclaration(type.typeName);
  const imp = d && ts.findAncestor(d, ts.isImportDeclaration);
  const from = imp && ts.isStringLiteral(imp.moduleSpecifier) ? imp.moduleSpecifier.text : undefined;
  return !!from && hints.some((h) => from === h || from.startsWith(h.endsWith('/') ? h : `${h}/`));
}

function honoDialect(ctx: AdapterContext, rules: HonoRules): Dialect {
  const routeMethods = new Set(rules.routeMethods);
  const responses = new Set(rules.context.responses);
  const reads = new Set(rules.context.requestReads);
  const holderTypes = rules.context.holderTypes ? new RegExp(rules.context.holderTypes) : undefined;
  return {
    builtElsewhere: (callee) =>
      !otherWebFramework(callee.module, 'Hono') && !ruleFile('frameworks').express.importHints.includes(callee.module),
    creators: rules.creators,
    routerWrappers: rules.routerWrappers,
    paramTypes: /\b(Hono|OpenAPIHono)\b/,
    holdsNoRouter: (p, path) => {
      const c = rules.context;
      // (the type is Hono's own, imported from it: a project's `interface Context { app: Hono }` holds one)
      if (holderTypes && p.type && holderTypes.test(p.type.getText()) && honoType(p.type, rules.importHints))
        return true;
      if (path.length && c.holderMembers?.includes(path[0])) return true;
      return ts.isIdentifier(p.name) && !!c.holderNames?.includes(p.name.text);
    },
    importHints: rules.importHints,
    methods: new Set([...rules.routeMethods, 'use', 'on', 'route', 'mount', 'openapi', 'basePath', 'doc', 'doc31']),
    plausible(method, call): boolean {
      const a = call.arguments;
      if (routeMethods.has(method)) return a.length >= 2 && (isPathLike(a[0], ctx) || parameterPath(call, ctx));
      if (['on', 'route', 'mount', 'openapi', 'doc'].includes(method)) return a.length >= 2;
      return a.length >= 1;
    },
    chain(method, call, refs, c, site): RouterRef[] {
      if (method === 'basePath') {
        const arg = call.arguments[0];
        // a factory parameter (`newRoute = (basePath = '/') => …basePath(basePath)`) takes the call's argument
        const env = site && ts.isCallExpression(site) ? envOf(site, ctx) : undefined;
        const p = arg ? evalString(arg, ctx.values, 0, env) : undefined;
        if (p === undefined) return refs;
        // (a prefix the factory's call does not decide is the same child for every call: the routes chained on it
        // where the factory is written are its routes)
        const perSite = !!site && (!env || evalString(arg, ctx.values) !== p);
        return refs.map((r) => {
          const key = perSite && site ? siteKey(site, call) : call;
          const child = c.graph.node(key, call.getSourceFile().fileName, call.getStart(), { prefix: p });
          child.derived = true;
          c.graph.add(r.router, { kind: 'inline', router: child, anchor: call, order: orderOf(call) });
          return { router: child };
        });
      }
      if (routeMethods.has(method)) {
        const p = isPathLike(call.arguments[0], ctx) ? pathsOf(call.arguments[0], ctx)[0] : undefined;
        return refs.map((r) => ({ router: r.router, routePath: p ?? r.routePath }));
      }
      if (rules.chainMethods.includes(method)) return refs.map((r) => ({ router: r.router }));
      return [];
    },
    register(method, call, refs, c, methodExpr): void {
      const args = [...call.arguments];
      const anchor = ts.isPropertyAccessExpression(call.expression) ? call.expression.name : call;
      const order = orderOf(call);
      const flat = (xs: ts.Expression[]): ts.Expression[] => c.flattenArgs(xs, rules.createHandlers);
      // a router known only by its use answers routes whose handler is a Hono handler
      const honoHandler = (hs: ts.Expression[]): boolean =>
        hs.length > 0 && usesHonoContext(hs[hs.length - 1], ctx, responses, reads);
      for (const ref of refs) {
        if (ref.router.duck && method !== 'use' && method !== 'route') {
          const hs = routeMethods.has(method) ? args.slice(1) : method === 'on' ? args.slice(2) : args.slice(1, 2);
          if (!honoHandler(hs)) continue;
        }
        if (routeMethods.has(method)) {
          let paths: string[];
          let handlers: ts.Expression[];
          let pathExpr: ts.Expression | undefined;
          if (isPathLike(args[0], ctx)) {
            paths = pathsOf(args[0], ctx);
            handlers = flat(args.slice(1));
            // (a path only partly known here, built from a registrar's parameters: read again for each call)
            if (paths.some((p) => p.includes('{')) && parameterPath(call, ctx)) pathExpr = args[0];
          } else if (parameterPath(call, ctx)) {
            // (a helper handed its path, in a file that never names Hono, registers a route only with a Hono
            // handler: `db.all(query, (err, rows) => …)` in a database helper is no route)
            if (!importsAny(call.getSourceFile(), rules.importHints) && !honoHandler(args.slice(1))) continue;
            paths = pathsOf(args[0], ctx);
            pathExpr = args[0];
            handlers = flat(args.slice(1));
          } else if (ref.routePath !== undefined) {
            paths = [ref.routePath];
            handlers = flat(args);
          } else continue; // `c.get('user')` and friends: context reads, not routes
          if (!handlers.length) continue;
          c.graph.add(ref.router, {
            kind: 'route',
            methods: [methodOf(method)],
            methodExpr,
            paths,
            pathExpr,
            args: handlers,
            anchor,
            order,
          });
        } else if (method === 'on') {
          if (args.length < 3) continue;
          const ms = evalStrings(args[0], ctx.values);
          const ps = evalStrings(args[1], ctx.values) ?? pathsOf(args[1], ctx);
          if (!ms) continue;
          const handlers = flat(args.slice(2));
          if (!handlers.length) continue;
          c.graph.add(ref.router, {
            kind: 'route',
            methods: ms.map(methodOf).filter((m) => m !== ('ALL' as HttpMethod)),
            paths: ps,
            args: handlers,
            anchor,
            order,
          });
        } else if (method === 'use') {
          let path: string | undefined = '*';
          let items = args;
          if (isPathLike(args[0], ctx)) {
            path = pathsOf(args[0], ctx)[0];
            items = args.slice(1);
          }
          const mws = flat(items);
          if (mws.length) c.graph.add(ref.router, { kind: 'use', path, items: mws, anchor: call, order });
        } else if (method === 'route') {
          if (args.length < 2) continue;
          const { path: p, pathExpr } = mountPath(args[0], ctx);
          for (const sub of c.refs(args[1]))
            if (sub.router !== ref.router)
              c.graph.add(ref.router, { kind: 'mount', path: p, pathExpr, router: sub.router, anchor: call, order });
        } else if (method === 'mount') {
          // `app.mount('/x', other.fetch)`: another app of the project served under the prefix
          const target = fetchedApp(args[1]);
          if (args.length < 2 || !target) continue;
          const { path: p, pathExpr } = mountPath(args[0], ctx);
          for (const sub of c.refs(target))
            if (sub.router !== ref.router)
              c.graph.add(ref.router, { kind: 'mount', path: p, pathExpr, router: sub.router, anchor: call, order });
        } else if (method === 'doc' || method === 'doc31') {
          // @hono/zod-openapi serves the generated document at this path
          if (args.length < 2 || !isPathLike(args[0], ctx)) continue;
          c.graph.add(ref.router, {
            kind: 'route',
            methods: ['GET'],
            paths: pathsOf(args[0], ctx),
            args: [args[1]],
            anchor,
            order,
          });
        } else if (method === 'openapi') {
          if (args.length < 2) continue;
          const route = readCreateRoute(args[0], ctx, rules);
          if (!route?.method || route.path === undefined) {
            // the route object a factory's caller passes (`createCrudRouter({ routes: adminRoutes })` registering
            // `router.openapi(routes.listRoute, …)`): read for each call of the factory, with its arguments
            if (readsParameter(args[0], ctx))
              c.graph.add(ref.router, {
                kind: 'route',
                methods: [],
                paths: [],
                args: [args[1]],
                anchor,
                order,
                perCall: (site) => {
                  const r = withCallArguments(site, ctx, () => readCreateRoute(args[0], ctx, rules));
                  return r?.method && r.path !== undefined
                    ? { methods: [r.method], paths: [r.path], extraMiddleware: r.middleware, schemas: r.schemas }
                    : undefined;
                },
              });
            continue;
          }
          c.graph.add(ref.router, {
            kind: 'route',
            methods: [route.method],
            paths: [route.path],
            args: [args[1]],
            anchor,
            order,
            extraMiddleware: route.middleware,
            schemas: route.schemas,
          });
        }
      }
    },
    guess(method, call, c): boolean {
      if (!routeMethods.has(method) || call.arguments.length < 2) return false;
      const sf = call.getSourceFile();
      if (!importsAny(sf, rules.importHints)) return false;
      const p = evalString(call.arguments[0], ctx.values);
      if (p === undefined || !(p.startsWith('/') || p === '*')) return false;
      return looksLikeHandler(call.arguments[call.arguments.length - 1], c.values, 1);
    },
  };
}

export function createHonoAdapter(): FrameworkAdapter {
  let fileRoutes: RouteFile[] = [];
  return {
    name: 'hono',
    plan(ctx: PlanContext): AdapterPlan {
      const rules = ruleFile('frameworks').hono.fileRoutes;
      fileRoutes = rules ? planFileRoutes(ctx, rules) : [];
      return { routeFiles: fileRoutes.map((f) => f.file), conventionOnlyApps: [] };
    },
    extract: (ctx) => extractHono(ctx, fileRoutes),
  };
}

function extractHono(ctx: AdapterContext, fileRoutes: readonly RouteFile[]): Endpoint[] {
  const rules = ruleFile('frameworks').hono;
  const graph = new RouterGraph('hono');
  const collector = new Collector(graph, ctx.values, honoDialect(ctx, rules));
  const limitsBefore = ctx.values.limits.length;
  collector.collectAll(ctx);
  // HonoX: routes declared by files under app/routes, added to the app createApp builds
  if (rules.fileRoutes && fileRoutes.length)
    addFileRoutes(fileRoutes, collector, ctx, rules.fileRoutes, rules.createHandlers);

  // Hono apps mounted in another framework's routes (Next.js `handle(app)`): only the host's methods reach them.
  const nextMounts = new Map<RouterNode, { methods: Set<HttpMethod>; basePath: string; anyMethod?: boolean }>();
  for (const mount of ctx.mounts) {
    if (mount.framework !== 'hono') continue;
    const refs = ctx.values.session.contain(
      mount.app.getSourceFile().fileName,
      'extract',
      () => collector.refs(mount.app),
      () => [],
      { wholeFile: true },
    );
    for (const ref of refs) {
      let m = nextMounts.get(ref.router);
      if (!m) nextMounts.set(ref.router, (m = { methods: new Set(), basePath: mount.basePath }));
      for (const x of mount.methods) m.methods.add(x);
      // a host route file that could not be parsed whole may export more methods than were read
      if (ctx.store.failed.has(mount.app.getSourceFile().fileName)) m.anyMethod = true;
    }
  }

  // apps a dispatcher hands requests to after stripping a prefix from the path: served under it
  const stripped = new Map<RouterNode, string>();
  for (const d of strippedDispatches(ctx.candidates, (f) => ctx.store.get(f), ctx.values))
    for (const ref of collector.refs(d.app)) if (!stripped.has(ref.router)) stripped.set(ref.router, d.prefix);

  const out: Endpoint[] = [];
  const uncertain = new Map<RouterNode, string>();
  const unmounted = unmountedRoots(graph, ctx, uncertain);
  // a Hono app handed to Next.js (`handle(app)`) is served there
  for (const n of nextMounts.keys()) unmounted.delete(n);
  for (const n of [...unmounted])
    if ([...nextMounts.keys()].some((m) => n.entries.some((e) => e.kind === 'inline' && e.router === m)))
      unmounted.delete(n);
  const routes = servedRoutes(graph, ctx, 'Hono', {
    matches: honoMatches,
    passes: (r: FlatRoute): boolean => handsOn(r.handler, ctx.values, 1),
    unmounted,
    limitsBefore,
  });
  for (const r of routes) {
    const mount = findMount(r.root, nextMounts);
    if (mount && !mount.anyMethod && r.method !== 'ANY' && !mount.methods.has(r.method)) continue;
    const mounted = mount?.basePath ? joinPaths(mount.basePath, r.path) : r.path;
    const strip = stripped.get(r.root);
    const path = strip ? joinPaths(strip, mounted) : mounted;
    const seed = {
      framework: 'hono' as const,
      method: r.method,
      path: path || '/',
      anchor: r.anchor,
      handlerExpr: r.handler,
      madeFor: r.madeFor,
      tags: mount ? ['next-mounted'] : [],
    };
    out.push(
      containedEndpoint(seed, ctx, () => {
        const chain = r.chain.map((m) => chainLink(m.expr, m.via, ctx.values));
        const schemas = [...r.schemas, ...r.routeArgs.flatMap((a) => validatorSchemas(a))];
        const ep = buildEndpoint({ ...seed, chain }, ctx);
        if (schemas.length && ep.handler.fn) addSchemaFields(ep.bodyFields, schemas, ctx.values);
        ep.lateChain = r.late.map((m) => chainLink(m.expr, 'router', ctx.values));
        return ep;
      }),
    );
    const why = uncertain.get(r.root);
    if (why) out[out.length - 1].unanalysed ??= why;
  }
  return out;
}

function findMount(
  root: RouterNode,
  mounts: Map<RouterNode, { methods: Set<HttpMethod>; basePath: string; anyMethod?: boolean }>,
): { methods: Set<HttpMethod>; basePath: string; anyMethod?: boolean } | undefined {
  const direct = mounts.get(root);
  if (direct) return direct;
  // `handle(app)` where app = new Hono().basePath('/api'): the mount names the child, the root is its parent.
  for (const [node, m] of mounts) {
    if (root.entries.some((e) => e.kind === 'inline' && e.router === node)) return m;
  }
  return undefined;
}

/**
 * A mount's prefix: its value where it is written, or `{expression}` kept with the expression, to be read
 * again with the arguments of each call of the registrar it is in (`mountRoutes({ app, routes, prefix:
 * '/api/v1' })` with `app.route(prefix, route)` in its body).
 */
function mountPath(arg: ts.Expression, ctx: AdapterContext): { path: string; pathExpr?: ts.Expression } {
  const p = evalString(arg, ctx.values) ?? envPath(arg, ctx);
  return p !== undefined ? { path: p } : { path: `{${arg.getText()}}`, pathExpr: arg };
}

/**
 * The app whose fetch function a mount hands requests to: `app.fetch`, `app.fetch.bind(app)`,
 * `(req, env) => app.fetch(req, env)` (a function whose body is that one call).
 */
function fetchedApp(arg: ts.Expression | undefined, depth = 0): ts.Expression | undefined {
  if (!arg || depth > 3) return undefined;
  const x = skipOuter(arg);
  if (ts.isPropertyAccessExpression(x)) return x.name.text === 'fetch' ? x.expression : undefined;
  if (ts.isCallExpression(x) && ts.isPropertyAccessExpression(x.expression)) {
    const callee = x.expression;
    if (callee.name.text === 'bind') return fetchedApp(callee.expression, depth + 1);
    return callee.name.text === 'fetch' ? callee.expression : undefined;
  }
  if (ts.isArrowFunction(x) || ts.isFunctionExpression(x)) {
    const body = ts.isBlock(x.body)
      ? x.body.statements.length === 1 && ts.isReturnStatement(x.body.statements[0])
        ? x.body.statements[0].expression
        : undefined
      : x.body;
    return body && ts.isCallExpression(skipOuter(body)) ? fetchedApp(body, depth + 1) : undefined;
  }
  return undefined;
}

/** `zValidator('json', schema)` / `validator('json', …)` arguments among a route's handlers. */
function validatorSchemas(arg: ts.Expression): ts.Expression[] {
  const x = skipOuter(arg);
  if (!ts.isCallExpression(x)) return [];
  const target = x.arguments[0] && skipOuter(x.arguments[0]);
  if (target && ts.isStringLiteralLike(target) && (target.text === 'json' || target.text === 'form') && x.arguments[1])
    return [x.arguments[1]];
  return [];
}
