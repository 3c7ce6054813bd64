// Express: `app|router.METHOD|all(path, ...handlers)`, `route('/x').get().post()` chains,
// `express()` / `express.Router()` / `Router()`, mounts through `use('/prefix', router)` across
// files, path-less and prefixed `use(mw)` in registration order.
import { ts } from 'ts-morph';
import { decoratorEndpoints } from './decorators.js';
import { evalString, evalStrings } from '../../analysis/strings.js';
import { addSchemaFields, schemasInArgs } from '../../analysis/body.js';
import { skipOuter } from '../../analysis/values.js';
import { findDeclaration } from '../../analysis/scope.js';
import { unwrap } from '../../analysis/unwrap.js';
import type { ChainLink, Endpoint, FunctionNode, HttpMethod } from '../../model.js';
import { ruleFile } from '../../rules/load.js';
import type { FrameworkRules } from '../../rules/types.js';
import { Collector, looksLikeHandler, orderOf, type Dialect, type RouterRef } from '../shared/collect.js';
import {
  buildEndpoint,
  chainLink,
  containedEndpoint,
  handsOn,
  importsAny,
  otherWebFramework,
} from '../shared/endpoint.js';
import { pathsOf } from '../shared/paths.js';
import { concretePath, RouterGraph, type FlatRoute, type RouterNode } from '../shared/router-graph.js';
import { servedRoutes, unmountedRoots } from '../shared/unmounted.js';
import type { AdapterContext, FrameworkAdapter } from '../types.js';

type ExpressRules = FrameworkRules['express'];

function methodOf(m: string): HttpMethod {
  return m === 'all' ? 'ANY' : (m.toUpperCase() as HttpMethod);
}

/**
 * Is the first argument a path (rather than a handler)? Constants, templates, regexes and arrays
 * of them are; so is an expression that resolves to nothing callable (a registrar's parameter).
 */
export function isPathArg(arg: ts.Expression, ctx: AdapterContext): boolean {
  const x = skipOuter(arg);
  if (ts.isStringLiteralLike(x) || ts.isTemplateExpression(x) || ts.isRegularExpressionLiteral(x)) return true;
  if (ts.isArrayLiteralExpression(x)) return x.elements.every((el) => isPathArg(el, ctx));
  if (ts.isFunctionLike(x) || ts.isObjectLiteralExpression(x)) return false;
  if (ts.isBinaryExpression(x) && x.operatorToken.kind === ts.SyntaxKind.PlusToken) return true;
  if (evalStrings(x, ctx.values) !== undefined) return true;
  // `router.get(loginPath(config), …)`: a path computed by a call (listed with a placeholder when it
  // cannot be evaluated), unless the call is seen to return a function (then it is a handler)
  if (ts.isCallExpression(x)) return !ctx.values.resolve(x).some((v) => v.kind === 'function');
  const vals = ctx.values.resolve(x);
  return (
    vals.length > 0 &&
    vals.every((v) => v.kind === 'param' || v.kind === 'literal' || (v.kind === 'unknown' && !ts.isCallExpression(x)))
  );
}

/** Paths of an argument, or the argument kept for evaluation with a registrar's call arguments. */
function pathsAndExpr(arg: ts.Expression, ctx: AdapterContext): { paths: string[]; pathExpr?: ts.Expression } {
  const strs = evalStrings(arg, ctx.values);
  if (strs) return { paths: strs };
  // inside a loop the registration is evaluated for (`for (const { path, router } of routes) app.use(`${prefix}${path}`,
  // router)`): a path read with the registrar's parameter defaults is this element's; evaluated again later, the
  // loop variable would no longer be bound to it
  const byDefault = ctx.values.bound ? evalStrings(arg, ctx.values, new Map()) : undefined;
  if (byDefault) return { paths: byDefault };
  return { paths: pathsOf(arg, ctx), pathExpr: arg };
}

/** Express matches a `use` prefix on whole path segments. */
export function expressMatches(pattern: string, full: string): boolean {
  if (!pattern || pattern === '/' || pattern === '*' || pattern === '/*') return true;
  if (pattern.startsWith('/^') || pattern.startsWith('{')) return false;
  const p = concretePath(pattern).replace(/\/$/, '');
  const f = concretePath(full);
  return f === p || f.startsWith(`${p}/`);
}

/** Methods of an Express response that send the answer (the others set its status or headers). */
const ANSWER_METHODS = /^(json|send|end|sendStatus|redirect|render|sendFile)$/;

/** Methods of an Express response a handler answers with. */
const RESPONSE_METHODS =
  /^(json|send|status|end|sendStatus|redirect|render|sendFile|download|cookie|set|header|type|format)$/;

/**
 * A function written to end the request: it answers through the response and its `next` (the third parameter,
 * when it has one) is never used. An error handler (four parameters) and anything that may hand on are not.
 */
function answersAlone(expr: ts.Expression | undefined, ctx: AdapterContext): boolean {
  const fn = expr && unwrap(expr, ctx.values).fn;
  if (!fn?.body || fn.parameters.length > 3 || !respondsThrough(fn)) return false;
  // (a fallback that only refuses, `(req, res) => res.status(404).end()`, does nothing a route does)
  const res = fn.parameters[1];
  const resName = res && ts.isIdentifier(res.name) ? res.name.text : '';
  let other = false;
  let refusal = false;
  let success = false;
  const look = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) {
      let root: ts.Expression = n.expression;
      while (ts.isPropertyAccessExpression(root) || ts.isCallExpression(root)) root = root.expression;
      if (!ts.isIdentifier(root) || root.text !== resName) other = true;
      const callee = n.expression;
      // an answer (`json`, `send`, `end`, `sendStatus`): a refusal when it is, or is chained on, an error status
      if (ts.isPropertyAccessExpression(callee) && ANSWER_METHODS.test(callee.name.text)) {
        let code: ts.Expression | undefined = callee.name.text === 'sendStatus' ? n.arguments[0] : undefined;
        for (let x: ts.Expression = callee.expression; !code && ts.isCallExpression(x);) {
          const f = x.expression;
          if (ts.isPropertyAccessExpression(f) && f.name.text === 'status') code = x.arguments[0];
          x = ts.isPropertyAccessExpression(f) ? f.expression : f;
        }
        if (code && ts.isNumericLiteral(code) && Number(code.text) >= 400) refusal = true;
        else success = true;
      }
    }
    ts.forEachChild(n, look);
  };
  look(fn.body);
  if (refusal && !success && !other) return false;
  const next = fn.parameters[2];
  // (handing on some other way, `arguments[2]()` or `req.next()`, is handing on)
  if (/\barguments\b|\.next\s*\(/.test(fn.body.getText())) return false;
  if (!next) return true;
  if (!ts.isIdentifier(next.name)) return false;
  const name = next.name.text;
  // (only ever handed an error, `next(err)` or `.catch(next)`: the request ends there either way)
  let handsOnward = false;
  const visit = (n: ts.Node): void => {
    if (handsOnward) return;
    if (ts.isIdentifier(n) && n.text === name && n !== next.name) {
      const p = n.parent;
      const errorCall = ts.isCallExpression(p) && p.expression === n && p.arguments.length > 0;
      const caught =
        ts.isCallExpression(p) &&
        p.arguments.includes(n) &&
        ts.isPropertyAccessExpression(p.expression) &&
        p.expression.name.text === 'catch';
      if (!errorCall && !caught) handsOnward = true;
    } else ts.forEachChild(n, visit);
  };
  visit(fn.body);
  return !handsOnward;
}

/** Does this handler answer through its second parameter, an Express response (`res.status(201).json(x)`)? */
function answersThroughResponse(expr: ts.Expression | undefined, ctx: AdapterContext): boolean {
  const fn = expr && unwrap(expr, ctx.values).fn;
  return !!fn && respondsThrough(fn);
}

/** Does this function answer through its second parameter, an Express response? */
function respondsThrough(fn: FunctionNode): boolean {
  const res = fn.parameters[1];
  if (!fn.body || !res || !ts.isIdentifier(res.name)) return false;
  const name = res.name.text;
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (
      ts.isPropertyAccessExpression(n) &&
      ts.isIdentifier(n.expression) &&
      n.expression.text === name &&
      RESPONSE_METHODS.test(n.name.text)
    )
      found = true;
    else ts.forEachChild(n, visit);
  };
  visit(fn.body);
  return found;
}

/** Is a call made on a route chain (`x.route('/p')`, possibly after other methods of that chain)? */
function onRouteChain(call: ts.CallExpression): boolean {
  let recv = ts.isPropertyAccessExpression(call.expression) ? skipOuter(call.expression.expression) : undefined;
  for (let i = 0; i < 12 && recv && ts.isCallExpression(recv); i++) {
    const callee = recv.expression;
    if (!ts.isPropertyAccessExpression(callee)) return false;
    if (callee.name.text === 'route') return recv.arguments.length >= 1;
    recv = skipOuter(callee.expression);
  }
  return false;
}

export function expressDialect(ctx: AdapterContext, rules: ExpressRules): Dialect {
  const routeMethods = new Set(rules.routeMethods);
  return {
    // `Router()` from a package the analysis cannot read (a workspace package re-exporting Express's):
    // routes registered on it count when their handlers have Express's shape
    builtElsewhere: (callee) =>
      /^(default\.)?Router$/.test(callee.name) && !otherWebFramework(callee.module, 'Express'),
    creators: rules.creators,
    appCreators: rules.appCreators,
    paramTypes: /\b(Express|Router|Application|IRouter)\b/,
    importHints: rules.importHints,
    methods: new Set([...rules.routeMethods, 'use', 'route']),
    methodAliases: rules.methodAliases,
    routerWrappers: rules.routerWrappers,
    appHolders: rules.appHolders,
    plausible(method, call): boolean {
      const a = call.arguments;
      // (`app.route('/notes').get(list).post(create)`: a method of a route chain takes its handlers only)
      if (routeMethods.has(method))
        return (a.length >= 2 && isPathArg(a[0], ctx)) || (a.length >= 1 && onRouteChain(call));
      return a.length >= 1;
    },
    chain(method, call, refs): RouterRef[] {
      if (method === 'route') {
        const arg = call.arguments[0];
        if (!arg) return [];
        const p = pathsOf(arg, ctx)[0];
        return refs.map((r) => ({ router: r.router, routePath: p }));
      }
      // `app.get('env')`: `get` with one argument, off a `route('/x')` chain, reads a setting and is not the app
      if (method === 'get' && call.arguments.length < 2) return refs.filter((r) => r.routePath !== undefined);
      if (routeMethods.has(method) || method === 'use') return refs;
      // `app.disable('x-powered-by')`, `app.set('trust proxy', 1)` return the app; `app.set('views')` reads a setting
      const least = rules.chainMethods?.[method];
      if (least !== undefined && call.arguments.length >= least) return refs.map((r) => ({ router: r.router }));
      return [];
    },
    register(method, call, refs, c, methodExpr): void {
      const args = call.arguments;
      const anchor = ts.isPropertyAccessExpression(call.expression) ? call.expression.name : call;
      if (routeMethods.has(method)) {
        for (const ref of refs) {
          // a router known only by its name (built by a package outside the tree) answers routes whose
          // handler answers through an Express response
          if (ref.router.duck && !answersThroughResponse(args[args.length - 1], ctx)) continue;
          let paths: string[];
          let pathExpr: ts.Expression | undefined;
          let handlers: ts.Expression[];
          if (ref.routePath !== undefined) {
            paths = [ref.routePath];
            handlers = c.flattenArgs(args);
          } else {
            // `app.get('env')` is a settings read, not a route.
            if (args.length < 2 || !isPathArg(args[0], ctx)) continue;
            ({ paths, pathExpr } = pathsAndExpr(args[0], ctx));
            handlers = c.flattenArgs(args.slice(1));
          }
          if (!handlers.length) continue;
          // `router.post('/token', keyRouter)`: a router answering the route
          const handlerRouter = c.refs(handlers[handlers.length - 1]).find((r) => r.router !== ref.router)?.router;
          if (handlerRouter) handlerRouter.attached = true;
          c.graph.add(ref.router, {
            kind: 'route',
            methods: [methodOf(method)],
            methodExpr,
            paths,
            pathExpr,
            args: handlers,
            anchor,
            order: orderOf(call),
            ...(handlerRouter ? { handlerRouter } : {}),
          });
        }
        return;
      }
      if (method === 'use') {
        let prefixes: (string | undefined)[] = [undefined];
        let pathExpr: ts.Expression | undefined;
        let items = [...args];
        if (items.length > 1 && isPathArg(items[0], ctx)) {
          const r = pathsAndExpr(items[0], ctx);
          prefixes = r.paths;
          pathExpr = r.pathExpr;
          items = items.slice(1);
        }
        const flat = c.flattenArgs(items);
        // `router.use('/logout', auth, (req, res) => res.json(…))`: a last function that answers and never hands
        // on ends every request under the path. As Express runs it: the functions before it are middleware of the
        // path (for this route and what is registered under it later), the last a route of any method there
        if (
          prefixes.length > 0 &&
          prefixes.every((x) => x !== undefined) &&
          flat.every((item) => !c.refs(item).length) &&
          answersAlone(flat[flat.length - 1], ctx)
        ) {
          for (const ref of refs)
            for (const prefix of prefixes) {
              if (flat.length > 1)
                c.graph.add(ref.router, {
                  kind: 'use',
                  path: prefix,
                  pathExpr,
                  items: flat.slice(0, -1),
                  anchor: call,
                  order: orderOf(call),
                });
              c.graph.add(ref.router, {
                kind: 'route',
                methods: ['ANY'],
                paths: [prefix],
                pathExpr,
                args: flat.slice(-1),
                anchor,
                order: orderOf(call),
              });
            }
          return;
        }
        for (const ref of refs) {
          for (const prefix of prefixes) {
            let pending: ts.Expression[] = [];
            const flush = (): void => {
              if (pending.length)
                c.graph.add(ref.router, {
                  kind: 'use',
                  path: prefix,
                  pathExpr,
                  items: pending,
                  anchor: call,
                  order: orderOf(call),
                });
              pending = [];
            };
            for (const item of flat) {
              const sub = c.refs(item);
              if (sub.length) flush();
              // a middleware that hands the request to a router (`router.handle(req, res, done)`): it is
              // kept as middleware, and the router answers under its path as if mounted
              for (const s of sub.length ? sub : dispatchedRouters(item, c))
                if (s.router !== ref.router)
                  c.graph.add(ref.router, {
                    kind: 'mount',
                    path: prefix ?? '',
                    pathExpr,
                    router: s.router,
                    anchor: item,
                    order: orderOf(call),
                    ...(sub.length ? {} : { dispatched: true }),
                  });
              if (!sub.length) pending.push(item);
            }
            flush();
          }
        }
      }
    },
    guess(method, call, c): boolean {
      if (!routeMethods.has(method) || call.arguments.length < 2) return false;
      const sf = call.getSourceFile();
      const appRoot = ctx.workspace.appRootOf(sf.fileName);
      if (!importsAny(sf, rules.importHints) && !rules.importHints.some((h) => ctx.workspace.dependsOn(appRoot, h)))
        return false;
      const p = evalString(call.arguments[0], ctx.values);
      if (p === undefined || !(p.startsWith('/') || p === '*')) return false;
      return looksLikeHandler(call.arguments[call.arguments.length - 1], c.values, 2);
    },
  };
}

/**
 * Routers a middleware function hands its own request and response to: `router.handle(req, res, done)`
 * (a wrapper running a router inside a transaction) or `apiRouter(req, res, next)`. Only a dispatch of the
 * middleware's own two first parameters counts; a function parameter called that way is a handler handed
 * in (`wrap(fn)`), not a router, unless `.handle` says so. A router handed to a factory that returns the
 * middleware (`withTenant(accounts)`) is that call's argument, never every call's; a middleware that rewrites
 * the URL first (`req.url = '/v2' + req.url`) serves the router at paths this cannot tell, so none is listed.
 */
function dispatchedRouters(item: ts.Expression, c: Collector): RouterRef[] {
  const out: RouterRef[] = [];
  for (const v of c.values.resolve(item)) {
    if (v.kind !== 'function' || !v.node.body) continue;
    const fn = v.node;
    const body = v.node.body;
    const [req, res] = fn.parameters;
    if (!req || !res || !ts.isIdentifier(req.name) || !ts.isIdentifier(res.name)) continue;
    const own = (e: ts.Expression, p: ts.ParameterDeclaration): boolean => {
      const x = skipOuter(e);
      return ts.isIdentifier(x) && findDeclaration(x) === p;
    };
    if (rewritesUrl(fn, req)) continue;
    // a parameter of the factory around the middleware: the argument of the call that made it (registered inside
    // the factory, on a router it makes, the parameter stands for each call's argument as a registrar's does)
    const routersOf = (target: ts.Expression, params: boolean): RouterRef[] =>
      c.values.resolve(target).flatMap((val) => {
        if (val.kind !== 'param' || val.fn === fn) return c.refsFromValue(val, 0, params);
        // registered inside the factory (on a router it makes): the parameter router, bound per call
        const site = v.site;
        if (!site || !ts.isCallExpression(site)) return params ? c.refsFromValue(val, 0, true) : [];
        // made by a call (`withTenant(accounts)`, `wrap({ router: accounts })`): that call's argument
        if (!c.values.resolve(site.expression).some((f) => f.kind === 'function' && f.node === val.fn)) return [];
        const arg = site.arguments[val.index];
        let vals = arg ? c.values.resolve(arg) : [];
        for (const name of val.path) vals = vals.flatMap((b) => c.values.member(b, name, site));
        return vals.flatMap((x) => c.refsFromValue(x, 0, false));
      });
    const visit = (n: ts.Node): void => {
      if (ts.isCallExpression(n) && n.arguments.length >= 2 && own(n.arguments[0], req) && own(n.arguments[1], res)) {
        const callee = skipOuter(n.expression);
        if (ts.isPropertyAccessExpression(callee) && callee.name.text === 'handle')
          out.push(...routersOf(callee.expression, true));
        else out.push(...routersOf(callee, false));
      }
      ts.forEachChild(n, visit);
    };
    visit(body);
  }
  return out;
}

/** Does a middleware write the request's URL (`req.url = …`) before handing it on? */
function rewritesUrl(fn: ts.Node, req: ts.ParameterDeclaration): boolean {
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (
      ts.isBinaryExpression(n) &&
      n.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
      ts.isPropertyAccessExpression(n.left) &&
      /^(url|originalUrl|path|baseUrl)$/.test(n.left.name.text) &&
      ts.isIdentifier(n.left.expression) &&
      findDeclaration(n.left.expression) === req
    )
      found = true;
    else ts.forEachChild(n, visit);
  };
  ts.forEachChild(fn, visit);
  return found;
}

/**
 * A generated route that names the controller method it dispatches to (tsoa's
 * `fetchMiddlewares(UserController.prototype.createUser)` beside a handler that calls it by name
 * through a template service): that method is the route's implementation.
 */
function implementationOf(args: readonly ts.Expression[], ctx: AdapterContext): ts.Expression | undefined {
  let found: ts.PropertyAccessExpression | undefined;
  const visit = (n: ts.Node): void => {
    if (found || ts.isFunctionLike(n)) return;
    if (
      ts.isPropertyAccessExpression(n) &&
      ts.isPropertyAccessExpression(n.expression) &&
      n.expression.name.text === 'prototype'
    ) {
      found = n;
      return;
    }
    ts.forEachChild(n, visit);
  };
  for (const a of args.slice(0, -1)) visit(a);
  if (!found) return undefined;
  return ctx.values.resolve(found).some((v) => v.kind === 'function' && !!v.node.body) ? found : undefined;
}

/** Express 5 names its wildcards (`/files/*splat`, `/{*rest}`); an endpoint's path spells every named
 *  parameter `:name`, as Next.js catch-alls (`[...slug]`) are. */
function namedWildcards(path: string): string {
  return path.replace(/\{\*([A-Za-z_$][\w$]*)\}|\*([A-Za-z_$][\w$]*)/g, (_m, a?: string, b?: string) => `:${a ?? b}`);
}

export const createExpressAdapter = (): FrameworkAdapter => ({
  name: 'express',
  extract(ctx: AdapterContext): Endpoint[] {
    const rules = ruleFile('frameworks').express;
    const graph = new RouterGraph('express');
    const collector = new Collector(graph, ctx.values, expressDialect(ctx, rules));
    const limitsBefore = ctx.values.limits.length;
    collector.collectAll(ctx);
    const out: Endpoint[] = [];
    const uncertain = new Map<RouterNode, string>();
    const unmounted = unmountedRoots(graph, ctx, uncertain);
    // controller methods a generated route dispatches to: the route is where they are served
    const dispatched = new Set<ts.Node>();
    const routes = servedRoutes(graph, ctx, 'Express', {
      matches: expressMatches,
      passes: (r: FlatRoute): boolean => handsOn(r.handler, ctx.values, 2),
      unmounted,
      limitsBefore,
    });
    for (const r of routes) {
      const impl = implementationOf(r.routeArgs, ctx);
      if (impl) for (const v of ctx.values.resolve(impl)) if (v.kind === 'function') dispatched.add(v.node);
      const seed = {
        framework: 'express' as const,
        method: r.method,
        path: namedWildcards(r.path || '/'),
        anchor: r.anchor,
        handlerExpr: impl ?? r.handler,
        madeFor: r.madeFor,
      };
      out.push(
        containedEndpoint(seed, ctx, () => {
          const chain: ChainLink[] = r.chain.map((m) => chainLink(m.expr, m.via, ctx.values));
          const ep = buildEndpoint({ ...seed, chain }, ctx);
          // a validation middleware on the route names the body's fields: `validate(schemas.createUser)`
          for (const a of r.routeArgs.slice(0, -1)) {
            const x = skipOuter(a);
            if (ts.isCallExpression(x)) addSchemaFields(ep.bodyFields, schemasInArgs(x, ctx.values), ctx.values);
          }
          ep.lateChain = r.late.map((m) => chainLink(m.expr, 'router', ctx.values));
          return ep;
        }),
      );
      const why = uncertain.get(r.root);
      if (why) out[out.length - 1].unanalysed ??= why;
    }
    out.push(...decoratorEndpoints(ctx, dispatched));
    return out;
  },
});
