// The router graph shared by router-style frameworks (Express, Hono): routers with ordered
// registrations (routes, middleware, mounts, inlined registrar functions), flattened from the
// roots into endpoints with full paths and the middleware chain in force when each route was
// registered. Middleware registered after a route is kept apart (`late`): it never runs first.
import { ts } from 'ts-morph';
import { findDeclaration } from '../../analysis/scope.js';
import { skipOuter } from '../../analysis/values.js';
import { bindingSource, bindRestCall, boundBinding } from '../../analysis/numbers.js';
import type { Env } from '../../analysis/strings.js';
import type { HttpMethod } from '../../model.js';
import type { ScanSession } from '../../session.js';

export interface Order {
  file: string;
  pos: number;
}

/**
 * Registrations. `pathExpr` keeps a path that could not be evaluated where it was written (it
 * depends on a parameter of a registrar function); it is evaluated again with the arguments of
 * each call that registers it (`inline` entries carry that call).
 */
export type Entry =
  | {
      kind: 'route';
      methods: HttpMethod[];
      methodExpr?: ts.Expression;
      paths: string[];
      pathExpr?: ts.Expression;
      args: ts.Expression[];
      anchor: ts.Node;
      order: Order;
      extraMiddleware?: ts.Expression[];
      schemas?: ts.Expression[];
      /** The handler is a router (`router.post('/token', keyRouter)`): its path-less `use` functions run. */
      handlerRouter?: RouterNode;
      /**
       * A route whose method and path a factory's caller supplies (`router.openapi(config.routes.list, h)` in
       * `createCrudRouter(config)`): read again for each call of the factory being walked, with its arguments.
       */
      perCall?: (call: ts.Node) => RouteSpec | undefined;
    }
  | { kind: 'use'; path?: string; pathExpr?: ts.Expression; items: ts.Expression[]; anchor: ts.Node; order: Order }
  | {
      kind: 'mount';
      path: string;
      pathExpr?: ts.Expression;
      router: RouterNode;
      anchor: ts.Node;
      order: Order;
      /** Reached through a middleware that dispatches to the router, which may hand on instead (`next()`). */
      dispatched?: boolean;
    }
  | {
      kind: 'inline';
      router: RouterNode;
      anchor: ts.Node;
      order: Order;
      call?: ts.CallExpression | ts.NewExpression;
      fn?: ts.SignatureDeclaration;
      alias?: boolean;
    };

const HTTP_VERBS = new Set(['get', 'post', 'put', 'patch', 'delete', 'options', 'head', 'all']);

export type PathEvaluator = (expr: ts.Expression, env: Env) => string[] | undefined;

/** What a route registration serves, read for one call of the function that makes it. */
export interface RouteSpec {
  methods: HttpMethod[];
  paths: string[];
  extraMiddleware?: ts.Expression[];
  schemas?: ts.Expression[];
}

export interface RouterNode {
  id: number;
  framework: 'express' | 'hono';
  /** Prefix every registration carries (Hono `basePath`). */
  prefix: string;
  file: string;
  pos: number;
  entries: Entry[];
  /** Mounted or inlined somewhere: not a root. */
  attached: boolean;
  /** A router reached only through a guessed receiver (no creation seen). */
  guessed: boolean;
  /** A function parameter used as a router: a registrar function's input. */
  param: boolean;
  /**
   * Built by a package the analysis cannot read (`new Server()` from a workspace library outside the
   * tree): a router only by how it is used, so a route counts only when its handler uses the framework's
   * request context.
   */
  duck?: boolean;
  /** For a parameter router: its type or its file ties it to this framework. */
  evidence?: boolean;
  /** A view of another router with a prefix (Hono `basePath`): walked through its base. */
  derived?: boolean;
  /** Mounted somewhere with a prefix (then a derived view is not walked through its base again). */
  mounted?: boolean;
  /** The expression that creates it (or the factory call it was built for). */
  node?: ts.Node;
  /** An application object (`express()`), served by itself, rather than a router to mount. */
  app?: boolean;
}

export interface MiddlewareUse {
  expr: ts.Expression;
  /** Full path pattern the middleware was registered under ('' = everything). */
  pattern: string;
  via: 'router' | 'route';
  order: Order;
}

export interface FlatRoute {
  method: HttpMethod;
  path: string;
  anchor: ts.Node;
  handler: ts.Expression;
  chain: MiddlewareUse[];
  /** Matching router-level middleware registered after the route. */
  late: MiddlewareUse[];
  routeArgs: ts.Expression[];
  /** Body schemas declared with the route (OpenAPI `request.body`). */
  schemas: ts.Expression[];
  root: RouterNode;
  shadowed?: boolean;
  /** A route-method registration whose handler hands on to a later route: middleware, not an endpoint. */
  passthrough?: boolean;
  /** Served through a dispatching middleware: a later route of the same method and path may still answer. */
  dispatched?: boolean;
  /** The factory call that made the router the route was registered on (its handler's closure binds its arguments). */
  madeFor?: ts.CallExpression;
}

export type PathMatcher = (pattern: string, path: string) => boolean;

export class RouterGraph {
  private readonly nodes = new Map<ts.Node | string, RouterNode>();
  private nextId = 0;

  /** The scan whose budget bounds flattening (mounts can form many paths to one router); set by the collector. */
  session?: ScanSession;

  constructor(readonly framework: 'express' | 'hono') {}

  node(
    key: ts.Node | string,
    file: string,
    pos: number,
    opts: Partial<Pick<RouterNode, 'prefix' | 'guessed' | 'param'>> = {},
  ): RouterNode {
    let n = this.nodes.get(key);
    if (!n) {
      n = {
        id: this.nextId++,
        framework: this.framework,
        prefix: opts.prefix ?? '',
        file,
        pos,
        entries: [],
        attached: false,
        guessed: opts.guessed ?? false,
        param: opts.param ?? false,
      };
      this.nodes.set(key, n);
    }
    return n;
  }

  get size(): number {
    return this.nodes.size;
  }

  get all(): RouterNode[] {
    return [...this.nodes.values()];
  }

  add(router: RouterNode, entry: Entry): void {
    this.session?.budget.step('router graph', router.entries.length + 1);
    if (router.entries.some((e) => sameEntry(e, entry))) return;
    if (entry.kind === 'mount' || entry.kind === 'inline') entry.router.attached = true;
    if (entry.kind === 'mount') entry.router.mounted = true;
    router.entries.push(entry);
  }

  /**
   * Drops the alias entries by which `param` stood for `router` (a registrar's parameter first seen only
   * handing the router on, later seen receiving registrations on it): the parameter is then inside the
   * router, not the other way round, and the router is attached only by what else holds it.
   */
  unalias(param: RouterNode, router: RouterNode): void {
    const before = param.entries.length;
    param.entries = param.entries.filter((e) => !(e.kind === 'inline' && e.alias && e.router === router));
    if (param.entries.length === before) return;
    router.attached = this.all.some((n) =>
      n.entries.some((e) => (e.kind === 'mount' || e.kind === 'inline') && e.router === router),
    );
  }

  roots(): RouterNode[] {
    // A parameter router never linked to a real router counts only with framework evidence.
    return this.all
      .filter((n) => !n.attached && n.entries.length > 0 && (!n.param || n.evidence))
      .sort((a, b) => a.id - b.id);
  }

  /**
   * `passes`: does a route's handler hand the request on (`await next()`)? Such a registration
   * (`app.put('/users/*', requireAdmin)`) is middleware for the later routes of that method whose
   * path it matches, not an endpoint of its own, as long as one follows.
   */
  flatten(
    matches: PathMatcher,
    join: (a: string, b: string) => string,
    evalPath: PathEvaluator = () => undefined,
    passes?: (r: FlatRoute) => boolean,
    only: (root: RouterNode) => boolean = () => true,
  ): FlatRoute[] {
    const out: FlatRoute[] = [];
    this.evalPath = evalPath;
    for (const root of this.roots().filter(only)) {
      const start = out.length;
      const walk = (): void => this.walk(root, '', [], matches, join, out, new Set(), new Map());
      // One root is one unit of work: a root that fails keeps the routes it reached and is reported.
      if (this.session) this.session.contain(root.file, 'extract', walk, () => undefined, { wholeFile: true });
      else walk();
      for (let i = start; i < out.length; i++) out[i].root = root;
      if (passes) passThrough(out, start, passes);
      // A later registration of the same method and path is shadowed by the first: never reached.
      // (Not by one in a file that could not be parsed whole: whether it hands on cannot be read; nor by one served
      // through a dispatching middleware, which may hand on instead.)
      const seen = new Set<string>();
      const failed = this.session?.store.failed;
      for (let i = start; i < out.length; i++) {
        if (out[i].passthrough) continue;
        const k = `${out[i].method} ${out[i].path}`;
        if (seen.has(k)) out[i].shadowed = true;
        if (!failed?.has(out[i].anchor.getSourceFile().fileName) && !out[i].dispatched) seen.add(k);
      }
    }
    return out.filter((r) => !r.shadowed && !r.passthrough);
  }

  private sorted(router: RouterNode): Entry[] {
    return [...router.entries].sort((a, b) => {
      const fa = a.order.file === router.file ? 0 : 1;
      const fb = b.order.file === router.file ? 0 : 1;
      if (fa !== fb) return fa - fb;
      if (a.order.file !== b.order.file) return a.order.file < b.order.file ? -1 : 1;
      return a.order.pos - b.order.pos;
    });
  }

  /** Does a router register anything besides middleware (routes, mounts, registrar calls)? */
  private hasRoutes(router: RouterNode): boolean {
    return this.sorted(router).some((e) => e.kind !== 'use');
  }

  /** The functions a router `use`s without a path, in registration order (a router used as a route's handler). */
  private pathlessUses(router: RouterNode): ts.Expression[] {
    return this.sorted(router).flatMap((e) => (e.kind === 'use' && e.path === undefined && !e.pathExpr ? e.items : []));
  }

  private evalPath: PathEvaluator = () => undefined;

  /** The registrar calls the walk is inside, outermost first. */
  private readonly registrarCalls: ts.Node[] = [];
  /** The calls of factories that made the routers being walked (innermost last). */
  private readonly factoryCalls: ts.CallExpression[] = [];

  private paths(fixed: string[], expr: ts.Expression | undefined, env: Env): string[] {
    if (!expr || env.size === 0) return fixed;
    return this.evalPath(expr, env) ?? fixed;
  }

  /** A route's methods; a computed method (`router[verb]`) evaluated with the registrar call's arguments. */
  private methods(entry: Extract<Entry, { kind: 'route' }>, env: Env): HttpMethod[] {
    if (!entry.methodExpr || env.size === 0) return entry.methods;
    const names = this.evalPath(entry.methodExpr, env);
    const ms = names
      ?.map((n) => n.toLowerCase())
      .filter((n) => HTTP_VERBS.has(n))
      .map((n) => (n === 'all' ? 'ANY' : n.toUpperCase()) as HttpMethod);
    return ms && ms.length ? [...new Set(ms)] : entry.methods;
  }

  private walk(
    router: RouterNode,
    prefix: string,
    chain: MiddlewareUse[],
    matches: PathMatcher,
    join: (a: string, b: string) => string,
    out: FlatRoute[],
    stack: Set<RouterNode>,
    env: Env,
    site?: ts.CallExpression | ts.NewExpression,
  ): void {
    if (stack.has(router) || stack.size > 24) return;
    stack.add(router);
    const base = join(prefix, router.prefix);
    const entries = this.sorted(router);
    this.session?.budget.step('router flattening', entries.length + 1);
    const startIndex = out.length;
    const ownUses: MiddlewareUse[] = [];
    // a registrar's parameter stands for the routers each of its calls passed: walked for one call, it is
    // the routers that call passed (`mountRoutes({ app, routes: [v2], prefix: '/api/v2' })`), not every call's;
    // under registrars that call one another, the calls being walked at every level decide
    const calls = this.registrarCalls;
    const passedHere = router.param && entries.some((e) => e.kind === 'inline' && e.alias && calls.includes(e.anchor));
    for (const listed of entries) {
      if (passedHere && listed.kind === 'inline' && listed.alias && !calls.includes(listed.anchor)) continue;
      // a registration on a branch this call of its registrar does not take
      if (env.size && !runsUnderCall(listed.anchor, env)) continue;
      let entry = listed;
      // a route the factory's caller describes: read for the call being walked (none: not served from here)
      if (entry.kind === 'route' && entry.perCall) {
        const call = calls[calls.length - 1] ?? site;
        const spec = call ? entry.perCall(call) : undefined;
        if (!spec) continue;
        entry = {
          ...entry,
          ...spec,
          extraMiddleware: [...(entry.extraMiddleware ?? []), ...(spec.extraMiddleware ?? [])],
        };
      }
      if (entry.kind === 'route') {
        for (const p of this.paths(entry.paths, entry.pathExpr, env)) {
          const full = join(base, p);
          const applicable = chain.filter((m) => matches(m.pattern, full));
          // Handlers and middleware passed into a registrar (`add(router, 'post', '/x', [auth], handler)`) are the call's arguments.
          let args = env.size ? entry.args.flatMap((a) => bound(a, env)) : entry.args;
          // a router with routes of its own as the handler (`app.all('/activity*', activityRouter)`): it sees the
          // whole URL, so its routes are served where they match the pattern, under the route's methods
          if (entry.handlerRouter && this.hasRoutes(entry.handlerRouter)) {
            const sub: FlatRoute[] = [];
            const own = [...entry.args.slice(0, -1)].map<MiddlewareUse>((expr) => ({
              expr,
              pattern: full,
              via: 'route',
              order: entry.order,
            }));
            this.walk(entry.handlerRouter, base, [...applicable, ...own], matches, join, sub, stack, env, site);
            const methods = this.methods(entry, env);
            const served = sub.filter(
              (r) => patternServes(full, r.path) && (methods.includes('ANY') || methods.includes(r.method)),
            );
            if (sub.length) {
              out.push(...served);
              continue;
            }
          }
          // a router as the handler: what it `use`s for every path, in order, the last one answering
          const used = entry.handlerRouter ? this.pathlessUses(entry.handlerRouter) : [];
          if (used.length) args = [...args.slice(0, -1), ...used];
          const handler = args[args.length - 1];
          const routeMw = [...(entry.extraMiddleware ?? []), ...args.slice(0, -1)].map<MiddlewareUse>((expr) => ({
            expr,
            pattern: full,
            via: 'route',
            order: entry.order,
          }));
          // A route whose whole path or method the registrar's caller supplied is anchored at that call.
          const anchor =
            site && env.size && (entry.methodExpr || (entry.pathExpr && isParamRef(entry.pathExpr)))
              ? siteAnchor(site)
              : entry.anchor;
          for (const method of this.methods(entry, env)) {
            out.push({
              method,
              path: full,
              anchor,
              handler,
              chain: [...applicable, ...routeMw],
              late: [],
              routeArgs: args,
              schemas: entry.schemas ?? [],
              root: router,
              ...(this.factoryCalls.length && { madeFor: this.factoryCalls[this.factoryCalls.length - 1] }),
            });
          }
        }
      } else if (entry.kind === 'use') {
        const path = entry.path === undefined ? undefined : this.paths([entry.path], entry.pathExpr, env)[0];
        const pattern = path === undefined ? base || '' : join(base, path);
        for (const expr of entry.items) {
          const m: MiddlewareUse = { expr, pattern, via: 'router', order: entry.order };
          chain.push(m);
          ownUses.push(m);
        }
      } else if (entry.kind === 'mount') {
        const first = out.length;
        for (const p of this.paths([entry.path], entry.pathExpr, env))
          this.walk(entry.router, join(base, p), [...chain], matches, join, out, stack, env, site);
        if (entry.dispatched) for (let i = first; i < out.length; i++) out[i].dispatched = true;
      } else {
        // A derived view (`basePath`) mounted elsewhere is walked from its mount, not from its base.
        if (entry.router.derived && entry.router.mounted) continue;
        // A registrar function called with this router: its registrations happen here, in order,
        // and its middleware stays in force for what follows. Its parameters take the call's arguments.
        const inner: Env = new Map(env);
        if (entry.call && entry.fn)
          entry.fn.parameters.forEach((p, i) => {
            const a = entry.call!.arguments?.[i];
            if (a) inner.set(p, a);
            if (ts.isCallExpression(entry.call!)) bindRestCall(inner, p, entry.call);
          });
        // (a router a factory made for one call stands for that call too: the parameter routers inside stand
        // for what it passed, `bindContext(authRouter)` handing on only `authRouter`)
        const under = entry.call ?? (entry.alias && isCallSite(entry.anchor) ? entry.anchor : undefined);
        if (under) this.registrarCalls.push(under);
        const factory = !entry.call && entry.alias && ts.isCallExpression(entry.anchor) ? entry.anchor : undefined;
        if (factory) this.factoryCalls.push(factory);
        try {
          this.walk(entry.router, base, chain, matches, join, out, stack, inner, entry.call ?? site);
        } finally {
          if (under) this.registrarCalls.pop();
          if (factory) this.factoryCalls.pop();
        }
      }
    }
    // Middleware registered on this router after a route still matches its path but never runs first.
    for (let i = startIndex; i < out.length; i++) {
      const r = out[i];
      for (const m of ownUses) {
        if (!r.chain.includes(m) && matches(m.pattern, r.path)) r.late.push(m);
      }
    }
    stack.delete(router);
  }
}

/** Turns route registrations that hand on (`app.get('/x', mw)` before the real `/x`) into route middleware of the routes they reach. */
function passThrough(out: FlatRoute[], start: number, passes: (r: FlatRoute) => boolean): void {
  const verdict = new Map<FlatRoute, boolean>();
  const hands = (r: FlatRoute): boolean => {
    let v = verdict.get(r);
    if (v === undefined) verdict.set(r, (v = passes(r)));
    return v;
  };
  // each path is compiled or made concrete once, not once per pair of routes
  const patterns = new Map<string, RegExp | undefined>();
  const targets = new Map<string, string>();
  const matchesRoute = (pattern: string, full: string): boolean => {
    if (pattern === full) return true;
    let re = patterns.get(pattern);
    if (!patterns.has(pattern)) patterns.set(pattern, (re = patternRegex(pattern)));
    let target = targets.get(full);
    if (target === undefined) targets.set(full, (target = concretePath(full)));
    return !!re && re.test(target);
  };
  for (let i = start; i < out.length; i++) {
    const r = out[i];
    const later: FlatRoute[] = [];
    for (let j = i + 1; j < out.length; j++) {
      const o = out[j];
      if ((r.method === 'ANY' || o.method === r.method) && matchesRoute(r.path, o.path)) later.push(o);
    }
    if (!later.length || !hands(r)) continue;
    if (later.every((o) => hands(o))) continue;
    r.passthrough = true;
    const links: MiddlewareUse[] = r.routeArgs.map((expr) => ({
      expr,
      pattern: r.path,
      via: 'route',
      order: r.chain[0]?.order ?? { file: r.anchor.getSourceFile().fileName, pos: r.anchor.getStart() },
    }));
    for (const o of later) {
      const at = o.chain.findIndex((m) => m.via === 'route');
      o.chain.splice(at < 0 ? o.chain.length : at, 0, ...links);
    }
  }
}

/** The regular expression of a route path pattern (whole path, `*` any rest), or undefined when it cannot be built. */
function patternRegex(pattern: string): RegExp | undefined {
  const pat = concretePath(pattern.replace(/\{\*[A-Za-z_]*\}|\*[A-Za-z_]+/g, '*'));
  let re = '';
  for (const ch of pat) re += ch === '*' ? '.*' : /[.^$|\\{}()[\]+?]/.test(ch) ? `\\${ch}` : ch;
  if (re.endsWith('/.*')) re = `${re.slice(0, -3)}(?:/.*)?`;
  try {
    return new RegExp(`^${re}/?$`);
  } catch {
    return undefined;
  }
}

/**
 * What a condition in a registrar is for one call of it, where its arguments decide it: a flag the caller
 * passed (`stepUp: true`), left out (falsy), or its negation. Undefined when the call does not decide it.
 */
function truthUnderCall(e: ts.Expression, env: Env, depth = 0): boolean | undefined {
  return conditionTruth(
    e,
    (x, d) => {
      if (!ts.isIdentifier(x)) return undefined;
      if (x.text === 'undefined') return false;
      const decl = findDeclaration(x);
      if (!decl) return undefined;
      if (ts.isParameter(decl)) {
        const a = env.get(decl);
        // a parameter of the registrar the call leaves out is undefined (or its default)
        if (a) return truthUnderCall(a, env, d + 1);
        const fn = decl.parent;
        const called = [...env.keys()].some((k) => ts.isParameter(k) && k.parent === fn);
        return called ? (decl.initializer ? truthUnderCall(decl.initializer, env, d + 1) : false) : undefined;
      }
      const src = bindingSource(decl, env);
      if (src) return src.value ? truthUnderCall(src.value, env, d + 1) : false;
      return undefined;
    },
    depth,
  );
}

/**
 * A condition's truth where it is written as a literal (`true`, `false`, `null`), a negation, or a name
 * `leaf` can read (a registrar's argument, a loop element's flag); undefined when none decides it.
 */
export function conditionTruth(
  e: ts.Expression,
  leaf: (x: ts.Expression, depth: number) => boolean | undefined,
  depth = 0,
): boolean | undefined {
  if (depth > 8) return undefined;
  const x = skipOuter(e);
  if (x.kind === ts.SyntaxKind.TrueKeyword) return true;
  if (x.kind === ts.SyntaxKind.FalseKeyword || x.kind === ts.SyntaxKind.NullKeyword) return false;
  if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.ExclamationToken) {
    const t = conditionTruth(x.operand, leaf, depth + 1);
    return t === undefined ? undefined : !t;
  }
  return leaf(x, depth);
}

/** Does a registration written at `anchor` run for this call of its registrar (no enclosing branch the call rules out)? */
function runsUnderCall(anchor: ts.Node, env: Env): boolean {
  return onTakenBranch(anchor, (e) => truthUnderCall(e, env));
}

/**
 * Does `node` sit on branches a known truth allows: no enclosing `if` or `?:` (up to its function) whose
 * condition `truth` decides against the side it is on?
 */
export function onTakenBranch(node: ts.Node, truth: (cond: ts.Expression) => boolean | undefined): boolean {
  for (let n: ts.Node = node; n.parent && !ts.isFunctionLike(n) && !ts.isSourceFile(n.parent); n = n.parent) {
    const p = n.parent;
    const [cond, yes, no] = ts.isIfStatement(p)
      ? [p.expression, p.thenStatement, p.elseStatement]
      : ts.isConditionalExpression(p)
        ? [p.condition, p.whenTrue, p.whenFalse]
        : [];
    if (!cond || n === cond) continue;
    const t = truth(cond);
    if ((n === yes && t === false) || (n === no && t === true)) return false;
  }
  return true;
}

/** An argument as the registrar's caller wrote it: parameters replaced by call arguments, arrays spread. */
function bound(e: ts.Expression, env: Env, depth = 0): ts.Expression[] {
  if (depth > 8) return [e];
  const x = ts.isSpreadElement(e) ? e.expression : e;
  if (ts.isIdentifier(x)) {
    const d = findDeclaration(x);
    const a = d && ts.isParameter(d) ? env.get(d) : d && boundBinding(d, env);
    if (a) return bound(a, env, depth + 1);
    // a list the registrar builds from its arguments (`const guards = stepUp ? [requireStepUp] : []`)
    const init =
      d && ts.isVariableDeclaration(d) && d.initializer && d.parent.flags & ts.NodeFlags.Const
        ? skipOuter(d.initializer)
        : undefined;
    if (init && (ts.isConditionalExpression(init) || ts.isArrayLiteralExpression(init)))
      return bound(init, env, depth + 1);
  }
  // a branch the call decides (`auth ? [requireUser] : []`): only the branch it takes; a choice of lists
  // the call does not decide adds neither (a check that may not run is not counted as one)
  if (ts.isConditionalExpression(x)) {
    const t = truthUnderCall(x.condition, env);
    if (t !== undefined) return bound(t ? x.whenTrue : x.whenFalse, env, depth + 1);
    if (ts.isArrayLiteralExpression(skipOuter(x.whenTrue)) || ts.isArrayLiteralExpression(skipOuter(x.whenFalse)))
      return [];
  }
  if (ts.isParenthesizedExpression(x)) return bound(x.expression, env, depth + 1);
  if (ts.isArrayLiteralExpression(x) && (x !== e || depth > 0))
    return x.elements.flatMap((el) => bound(el, env, depth + 1));
  return [x];
}

function isCallSite(n: ts.Node): n is ts.CallExpression | ts.NewExpression {
  return ts.isCallExpression(n) || ts.isNewExpression(n);
}

function isParamRef(e: ts.Expression): boolean {
  let x: ts.Node = e;
  while (ts.isParenthesizedExpression(x) || ts.isAsExpression(x) || ts.isNonNullExpression(x)) x = x.expression;
  if (!ts.isIdentifier(x)) return false;
  const d = findDeclaration(x);
  return !!d && ts.isParameter(d);
}

function siteAnchor(call: ts.CallExpression | ts.NewExpression): ts.Node {
  const c = call.expression;
  return ts.isPropertyAccessExpression(c) ? c.name : ts.isIdentifier(c) ? c : call;
}

function sameEntry(a: Entry, b: Entry): boolean {
  if (a.anchor !== b.anchor || a.kind !== b.kind) return false;
  if (a.kind === 'mount' && b.kind === 'mount') return a.router === b.router && a.path === b.path;
  if (a.kind === 'inline' && b.kind === 'inline') return a.router === b.router;
  if (a.kind === 'use' && b.kind === 'use')
    return a.path === b.path && a.items.length === b.items.length && a.items.every((x, i) => x === b.items[i]);
  if (a.kind === 'route' && b.kind === 'route')
    return a.paths.join() === b.paths.join() && a.methods.join() === b.methods.join() && a.methodExpr === b.methodExpr;
  return true;
}

/** Joins a mount prefix and a route path the way Express and Hono do. */
export function joinPaths(a: string, b: string): string {
  if (!a) return b === '' ? '' : b.startsWith('/') || b === '*' ? b : `/${b}`;
  if (!b || b === '/') return a || '/';
  const left = a.endsWith('/') ? a.slice(0, -1) : a;
  const right = b.startsWith('/') ? b : `/${b}`;
  return left + right;
}

/** A representative concrete path for matching middleware patterns (`:id`, `{id}`, `[id]` → a segment). */
export function concretePath(p: string): string {
  return p
    .replace(/\[\[\.\.\.[^\]]+\]\]/g, 'x')
    .replace(/\[\.\.\.[^\]]+\]/g, 'x/y')
    .replace(/\[[^\]]+\]/g, 'x')
    .replace(/:[A-Za-z_][A-Za-z0-9_]*(\([^)]*\))?[?*+]?/g, 'x')
    .replace(/\{[^}]+\}/g, 'x');
}

/**
 * Does a route pattern (`/activity*`, `/users/:id?`) serve a path (`/activity/:_id`)? Parameters of the path
 * stand for one segment; the pattern's `*` for anything.
 */
function patternServes(pattern: string, path: string): boolean {
  const concrete = concretePath(path).replace(/\*/g, 'x');
  const re = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\/:\w+\?/g, '(?:/[^/]+)?')
    .replace(/:\w+/g, '[^/]+')
    .replace(/\*/g, '.*');
  return new RegExp(`^${re}/?$`).test(concrete);
}
