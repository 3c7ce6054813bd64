// tRPC: every procedure of a mounted router is an endpoint. Mounts come from Next.js route files
// (`fetchRequestHandler({ router })`, `createNextApiHandler({ router })`, published by the Next.js
// adapter with the route's path) and from server adapters registered in code
// (`app.use('/trpc', createExpressMiddleware({ router }))`, Hono `trpcServer`, the standalone
// server). A procedure is served at `<mount>/<dotted.path>`: POST for a mutation, GET for a query
// or subscription. Its handler is the resolver; its chain is the middleware of its base procedures
// (`t.procedure.use(isAuthed)`, across files) in the order they run; its body fields are the keys
// of its input schemas. With no mount in the scanned tree, root routers are served under the
// Next.js convention (`/api/trpc`).
import { ts } from 'ts-morph';
import { addSchemaFields, readBodyFields } from '../../analysis/body.js';
import { argumentEnv, evalString, type Env } from '../../analysis/strings.js';
import { unwrap } from '../../analysis/unwrap.js';
import { calleeName, skipOuter, type ValueResolver } from '../../analysis/values.js';
import type { Endpoint, FunctionNode, HttpMethod } from '../../model.js';
import { isTestPath } from '../../project/prefilter.js';
import { ruleFile } from '../../rules/load.js';
import type { FrameworkRules } from '../../rules/types.js';
import { relPosix, spanOf } from '../../util.js';
import {
  builderRules,
  commonSteps,
  inputSchemas,
  isExport,
  isInputOption,
  stepLinks,
  wordsPath,
} from '../shared/builders.js';
import { callIndex, nameOf, withBindings } from '../shared/iterations.js';
import { importedPackageFiles } from '../shared/package-files.js';
import { containedEndpoint, handlerRef, wrapperLinks } from '../shared/endpoint.js';
import { optionExpr } from '../shared/options.js';
import { definesRouter, textMarks } from '../shared/text-marks.js';
import type { AdapterContext, AdapterPlan, FrameworkAdapter, PlanContext } from '../types.js';
import { RouterWalker, type ProcedureSite } from './routers.js';
import { usePrefixes } from './use-sites.js';

type TrpcRules = FrameworkRules['trpc'];

interface Mount {
  router: ts.Expression;
  /** An OpenAPI adapter: procedures are served at the method and path of their meta. */
  openapi?: boolean;
  /** The adapter call. */
  call?: ts.CallExpression;
  prefix: string;
  /** The application that serves the mount (the Next.js app of the route file). */
  appRoot?: string;
  nextMounted: boolean;
  /** The adapter's `createContext`: what every procedure's `ctx` is built from. */
  context?: ts.Expression;
}

export function createTrpcAdapter(): FrameworkAdapter {
  // router files found when planning: with a mount in the tree they are reached from it, and when
  // that mount cannot be read they are still listed under the default prefix
  let plannedRouters: string[] = [];
  return {
    name: 'trpc',

    plan(ctx: PlanContext): AdapterPlan {
      // Server adapters are claimed; routers are reached from their mounts, and claimed only when no
      // mount is in the tree (a package that only defines the API).
      const mountFiles: string[] = [];
      const routerFiles: string[] = [];
      let mounted = false;
      for (const f of ctx.sources) {
        if (isTestPath(relPosix(ctx.root, f))) continue;
        const marks = textMarks(ctx, f);
        if (!marks) continue;
        if (marks.trpcMount) mounted = true;
        if (marks.trpcServerMount) mountFiles.push(f);
        else if (marks.trpcRouter) routerFiles.push(f);
      }
      plannedRouters = routerFiles;
      return { routeFiles: mounted ? mountFiles : routerFiles, conventionOnlyApps: [], declaringFiles: routerFiles };
    },

    extract(ctx: AdapterContext): Endpoint[] {
      const all = ruleFile('frameworks');
      const rules = all.trpc;
      const walker = new RouterWalker(ctx.values, rules);
      const mounts: Mount[] = [];
      for (const m of ctx.mounts) {
        if (m.framework !== 'trpc') continue;
        mounts.push({
          router: m.app,
          call: m.call,
          openapi: m.serves === 'openapi',
          prefix: hostPrefix(m.hostPath ?? ''),
          appRoot: m.call ? ctx.workspace.appRootOf(m.call.getSourceFile().fileName) : undefined,
          nextMounted: true,
          context: m.call ? contextOption(m.call.arguments[0], rules, ctx.values) : undefined,
        });
      }
      const names = rules.serverMounts.map((m) => m.path);
      const outside = new Set(importedPackageFiles(ctx));
      for (const file of [...ctx.candidates, ...outside]) {
        const sf = ctx.store.get(file);
        if (!sf || !names.some((n) => sf.text.includes(n))) continue;
        mounts.push(
          ...serverMounts(sf, rules, ctx, outside.has(file) && !ctx.candidates.includes(file))
            .filter((m) => !ctx.mounts.some((x) => x.call === m.call))
            // the application that serves the mount (its procedures may live in a shared package)
            .map((m) => ({ ...m, appRoot: ctx.workspace.appRootOf(file) })),
        );
      }
      // No mount in the tree (a package that only defines the API), or none in a file that could be
      // read whole (a mount whose file has a syntax error may name no router): its root routers, by convention.
      const usedFallback = !mounts.some((m) => !ctx.store.failed.has((m.call ?? m.router).getSourceFile().fileName));
      if (usedFallback) {
        const routers: ts.CallExpression[] = [];
        for (const file of new Set([...ctx.candidates, ...plannedRouters])) {
          const sf = ctx.store.get(file);
          // a file that only composes routers (`router({ user: userRouter })`) holds the root
          if (!sf || !definesRouter(sf.text)) continue;
          for (const call of callIndex(sf).calls) if (walker.routerKind(call)) routers.push(call);
        }
        for (const r of routers)
          ctx.values.session.contain(
            r.getSourceFile().fileName,
            'extract',
            () => walker.procedures(r),
            () => [],
            { wholeFile: true, unit: false },
          );
        for (const r of routers)
          if (!walker.nested.has(r)) mounts.push({ router: r, prefix: rules.defaultPrefix, nextMounted: false });
      }

      const out: Endpoint[] = [];
      const seen = new Set<string>();
      for (const m of mounts) {
        // Each part of a mounted router is walked as a unit (routers.ts): a part that cannot be walked
        // is reported against the file that mounts it (its procedures may be missing), the rest is listed.
        const mountFile = (m.call ?? m.router).getSourceFile().fileName;
        walker.onFail = (reason) =>
          ctx.values.session.fail(mountFile, 'extract', `a router it mounts could not be walked: ${reason}`, false);
        const sites = ctx.values.session.contain(
          mountFile,
          'extract',
          () => walker.procedures(m.router),
          () => [] as ProcedureSite[],
          { wholeFile: true, unit: false },
        );
        ctx.stats.routers++;
        for (const site of sites) {
          const ep = containedProcedure(site, m, rules, ctx);
          if (!ep) continue;
          const k = `${ep.method} ${ep.path} ${ep.anchor.file}:${ep.anchor.line}:${ep.anchor.column}`;
          if (seen.has(k)) continue;
          seen.add(k);
          out.push(ep);
        }
      }
      if (!usedFallback) reportUnreached(plannedRouters, out, walker, ctx);
      return out;
    },
  };
}

/**
 * Root routers of the planned router files that no mount reached while mounts exist (a mount whose
 * router import no longer resolves, a router left over): reported, as for Express and Hono routers
 * never mounted, so their procedures are not lost in silence.
 */
function reportUnreached(
  files: readonly string[],
  listed: readonly Endpoint[],
  walker: RouterWalker,
  ctx: AdapterContext,
): void {
  const at = (s: { file: string; line: number; column: number }): string => `${s.file}:${s.line}:${s.column}`;
  const anchored = new Set(listed.map((e) => e.anchor.file));
  const reached = new Set(listed.map((e) => at(e.anchor)));
  for (const file of files) {
    if (anchored.has(file)) continue;
    const sf = ctx.store.get(file);
    if (!sf || !definesRouter(sf.text)) continue;
    const roots = callIndex(sf).calls.filter((c) => walker.routerKind(c) && !walker.nested.has(c));
    const sites = roots.flatMap((r) =>
      ctx.values.session.contain(
        file,
        'extract',
        () => walker.procedures(r),
        () => [] as ProcedureSite[],
        { wholeFile: true, unit: false },
      ),
    );
    // a root router whose procedures a mount lists (through its parts, in other files) is mounted
    if (!sites.length || sites.some((s) => reached.has(at(spanOf(s.key))))) continue;
    const line = sf.getLineAndCharacterOfPosition(roots[0].getStart()).line + 1;
    // one note per file that holds its procedures (its parts may be written in other files)
    const byFile = new Map<string, number>();
    for (const site of sites) {
      const f = site.key.getSourceFile().fileName;
      byFile.set(f, (byFile.get(f) ?? 0) + 1);
    }
    if (!byFile.has(file)) byFile.set(file, 0);
    for (const [f, n] of byFile) {
      const plural = (k: number): string => `${k} procedure${k === 1 ? '' : 's'}`;
      const message =
        f === file
          ? `tRPC router (line ${line}) is never mounted where the scan can see it: its ${plural(sites.length)} are not reported as endpoints`
          : `tRPC router (a part of the router at ${relPosix(ctx.root, file)}:${line}) is never mounted where the scan can see it: ${plural(n)} here not reported as endpoints`;
      ctx.errors.push({ file: f, phase: 'extract', message });
    }
  }
}

/** `/api/trpc/[trpc]` → `/api/trpc`: the route's folder serves the procedures. */
function hostPrefix(hostPath: string): string {
  const parts = hostPath.split('/');
  if (parts.length > 1 && /^\[.*\]$/.test(parts[parts.length - 1])) parts.pop();
  const p = parts.join('/');
  return p === '/' ? '' : p;
}

function joinPrefix(prefix: string, dotted: string): string {
  const base = prefix.endsWith('/') ? prefix.slice(0, -1) : prefix;
  return `${base}/${dotted}`;
}

/** Server adapters in a file (`createExpressMiddleware({ router })`) and the prefix each is registered under. */
function serverMounts(sf: ts.SourceFile, rules: TrpcRules, ctx: AdapterContext, outside = false): Mount[] {
  const values = ctx.values;
  const out: Mount[] = [];
  // `options`: the adapter's own options (router, createContext)
  const mount = (
    call: ts.CallExpression,
    router: ts.Expression,
    prefix: string,
    serves: string | undefined,
    options: ts.Expression | undefined,
  ): Mount => ({
    router,
    call,
    prefix: prefix.replace(/\/$/, ''),
    nextMounted: false,
    openapi: serves === 'openapi',
    context: contextOption(options, rules, values),
  });
  const registered = rules.serverMounts.filter((s) => s.prefix === 'register');
  for (const call of callIndex(sf).calls) {
    // a plugin handed to the server: `fastify.register(fastifyTRPCPlugin, { prefix, trpcOptions: { router } })`
    const at = registered.length ? call.arguments.findIndex((a) => isExport(a, registered, values)) : -1;
    const plugin = at >= 0 ? registered.find((s) => isExport(call.arguments[at], [s], values)) : undefined;
    if (plugin && call.arguments[at + 1]) {
      const opts = call.arguments[at + 1];
      const inner = plugin.optionsOption ? optionExpr(opts, plugin.optionsOption, values) : opts;
      const router = inner ? optionExpr(inner, rules.routerOption, values) : undefined;
      if (!router) continue;
      const prefixExpr = plugin.endpointOption ? optionExpr(opts, plugin.endpointOption, values) : undefined;
      const prefix = (prefixExpr ? evalString(prefixExpr, values) : undefined) ?? '';
      // registered inside a plugin of the project's that is itself registered with a prefix
      // (`app.register(appTrpcPlugin, { prefix: '/trpc' })`): Fastify prefixes what the plugin registers
      for (const outer of pluginPrefixes(call, ctx))
        out.push(mount(call, router, joinPath(outer, prefix), plugin.serves, inner));
      continue;
    }
    const m = rules.serverMounts.find((s) => s.prefix !== 'register' && isExport(call.expression, [s], values));
    if (!m) continue;
    const router = optionExpr(call.arguments[0], rules.routerOption, values);
    if (!router) continue;
    // the prefix the adapter strips (`endpoint`) wins over where it is registered
    const endpointExpr = m.endpointOption ? optionExpr(call.arguments[0], m.endpointOption, values) : undefined;
    const endpoint = endpointExpr ? evalString(endpointExpr, values) : undefined;
    const prefixes =
      endpoint !== undefined
        ? [endpoint]
        : m.prefix === 'root'
          ? ['']
          : m.prefix === 'file'
            ? [filePrefix(sf)]
            : usePrefixes(call, ctx.candidates, ctx.store, values);
    // registered some other way (`app.all('/trpc/*', adapter)`, a route, not middleware): the adapter
    // serves under the prefix it strips by default, if it has one
    const served = prefixes.length ? prefixes : [m.endpointDefault ?? ''];
    // inside a project helper handed the router (`setupTrpcHandler(app, appRouter, createContext)`,
    // `nextTRPCHandler(req, { router, createContext })`): one mount per call of the helper, with the
    // router, context and endpoint that call passes
    const callers = helperCalls(router, ctx);
    if (callers) {
      const context = contextOption(call.arguments[0], rules, values);
      for (const site of callers) {
        const routerArg = site.argument(router);
        if (!routerArg) continue;
        const own = endpointExpr ? evalString(endpointExpr, values, 0, site.env) : undefined;
        for (const prefix of own !== undefined ? [own] : served) {
          const at = mount(call, routerArg, prefix, m.serves, call.arguments[0]);
          out.push({ ...at, context: context && (site.argument(context) ?? context) });
        }
      }
      continue;
    }
    // a package's own mount of its own router is that package's server, not this application's
    if (outside) continue;
    for (const prefix of served) out.push(mount(call, router, prefix, m.serves, call.arguments[0]));
  }
  return out;
}

interface HelperCall {
  call: ts.CallExpression;
  /** The argument this call passes for a parameter (or an option of one) of the helper. */
  argument(e: ts.Expression): ts.Expression | undefined;
  /** The helper's parameters bound to this call's arguments. */
  env: Env;
}

/**
 * The calls of the project function whose parameter `expr` is (a mount written inside a helper), each
 * with the argument it passes for one of that function's parameters; undefined when `expr` is no
 * parameter of a named function.
 */
function helperCalls(expr: ts.Expression, ctx: AdapterContext): HelperCall[] | undefined {
  const vals = ctx.values.resolve(expr);
  const p = vals[0];
  // the parameter itself, or an option of it (`{ router, createContext }: Options`, `opts.trpc.router`)
  if (vals.length !== 1 || p.kind !== 'param' || p.path.length > 3) return undefined;
  const fn = p.fn;
  const argument = (call: ts.CallExpression) => (e: ts.Expression) => {
    const v = ctx.values.resolve(e)[0];
    if (!v || v.kind !== 'param' || v.fn !== fn || v.path.length > 3) return undefined;
    let a: ts.Expression | undefined = call.arguments[v.index];
    if (!a || ts.isSpreadElement(a)) return undefined;
    for (const key of v.path) a = a && optionExpr(a, key, ctx.values);
    return a;
  };
  // the names the helper is called by: its own, and those it is imported as (`import mount from`, `as mountTrpc`)
  const names = new Set<string>();
  const own = nameOf(fn);
  if (own) names.add(own);
  const out: HelperCall[] = [];
  const files = new Set(ctx.candidates);
  if (own)
    for (const f of ctx.allSources)
      if (!isTestPath(relPosix(ctx.root, f)) && ctx.store.text(f, false)?.includes(own)) files.add(f);
  for (const file of files) {
    const sf = ctx.store.get(file);
    if (!sf) continue;
    const local = new Set(names);
    for (const st of sf.statements) {
      if (!ts.isImportDeclaration(st) || !st.importClause || st.importClause.isTypeOnly) continue;
      const bindings: ts.Identifier[] = [];
      if (st.importClause.name) bindings.push(st.importClause.name);
      const nb = st.importClause.namedBindings;
      if (nb && ts.isNamedImports(nb)) for (const el of nb.elements) if (!el.isTypeOnly) bindings.push(el.name);
      for (const b of bindings)
        if (!local.has(b.text) && ctx.values.resolve(b).some((v) => v.kind === 'function' && v.node === fn))
          local.add(b.text);
    }
    if (![...local].some((n) => sf.text.includes(n))) continue;
    for (const call of callIndex(sf).calls) {
      if (!local.has(calleeName(call))) continue;
      if (ctx.values.resolve(skipOuter(call.expression)).some((v) => v.kind === 'function' && v.node === fn))
        out.push({ call, argument: argument(call), env: argumentEnv(fn, call) });
    }
  }
  return out;
}

/** `a` then `b`, one slash between them. */
function joinPath(a: string, b: string): string {
  if (!a) return b;
  if (!b) return a.replace(/\/$/, '');
  return `${a.replace(/\/$/, '')}/${b.replace(/^\//, '')}`;
}

/**
 * The prefixes a registration inside a project plugin function receives from where that plugin is
 * registered (`server.register(plugin, { prefix })`); `['']` when it is registered without one or the
 * registration is not found.
 */
function pluginPrefixes(call: ts.CallExpression, ctx: AdapterContext, depth = 0): string[] {
  let fn: ts.Node | undefined = call.parent;
  while (fn && !ts.isFunctionDeclaration(fn) && !ts.isArrowFunction(fn) && !ts.isFunctionExpression(fn)) fn = fn.parent;
  if (!fn || depth > 3) return [''];
  const out = new Set<string>();
  // (a file that only registers plugins is no candidate: any source that registers something is looked at)
  const files = new Set(ctx.candidates);
  for (const f of ctx.allSources) if (ctx.store.text(f, false)?.includes('register(')) files.add(f);
  for (const file of files) {
    if (isTestPath(relPosix(ctx.root, file))) continue;
    const sf = ctx.store.get(file);
    if (!sf || !sf.text.includes('register(')) continue;
    for (const c of callIndex(sf).calls) {
      const callee = skipOuter(c.expression);
      if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'register' || c.arguments.length < 1) continue;
      if (!ctx.values.resolve(c.arguments[0]).some((v) => v.kind === 'function' && v.node === fn)) continue;
      const p = c.arguments[1] ? optionExpr(c.arguments[1], 'prefix', ctx.values) : undefined;
      const own = (p ? evalString(p, ctx.values) : undefined) ?? '';
      // that registration may itself sit in a plugin registered with a prefix
      for (const outer of pluginPrefixes(c, ctx, depth + 1)) out.add(joinPath(outer, own));
    }
  }
  return out.size ? [...out] : [''];
}

/** The `createContext` of an adapter's options object, when it names one. */
function contextOption(
  opts: ts.Expression | undefined,
  rules: TrpcRules,
  values: ValueResolver,
): ts.Expression | undefined {
  return opts ? optionExpr(opts, rules.contextOption, values) : undefined;
}

/**
 * tRPC calls the handler and each middleware with `{ ctx, … }`, `ctx` built by the mount's
 * `createContext`: `ctx.db`, `ctx.assertCorrectPassword(…)` are then the project's own values.
 */
function provideContext(fns: (FunctionNode | undefined)[], mount: Mount, values: ValueResolver): void {
  if (!mount.context) return;
  for (const fn of fns) {
    const p = fn?.parameters[0];
    if (p) values.provideMember(p, 'ctx', mount.context);
  }
}

/**
 * The path a file-routed server serves its handler at: Nuxt/Nitro `server/api/trpc/[trpc].ts` → `/api/trpc`,
 * `server/routes/rpc/[...path].ts` → `/rpc` (the catch-all segment is the procedure path).
 */
function filePrefix(sf: ts.SourceFile): string {
  const m = /(?:^|\/)server\/(api|routes)\/(.*)$/.exec(sf.fileName.replace(/\\/g, '/'));
  if (!m) return '';
  const segs = m[2].replace(/\.[cm]?[jt]s$/, '').split('/');
  if (segs.length && /^\[.*\]$|^index$/.test(segs[segs.length - 1])) segs.pop();
  return `${m[1] === 'api' ? '/api' : ''}${segs.length ? `/${segs.join('/')}` : ''}`;
}

/** `.meta({ openapi: { method: 'POST', path: '/report' } })`: the REST method and path an OpenAPI adapter serves a procedure at. */
function openApiRoute(
  site: ProcedureSite,
  rules: TrpcRules,
  values: ValueResolver,
): { method: HttpMethod; path: string } | undefined {
  for (const step of [...site.chains[0].steps].reverse()) {
    if (step.kind !== 'meta') continue;
    const read = (): { method: HttpMethod; path: string } | undefined => {
      const o = optionExpr(step.expr, rules.openApiMeta, values);
      const method = o && optionExpr(o, 'method', values);
      const path = o && optionExpr(o, 'path', values);
      const m = method && evalString(method, values);
      const p = path && evalString(path, values);
      return m && p !== undefined
        ? { method: m.toUpperCase() as HttpMethod, path: p.startsWith('/') ? p : `/${p}` }
        : undefined;
    };
    const route = withArguments(step.expr, values, read);
    if (route) return route;
  }
  return undefined;
}

/**
 * Runs `read` with the parameters of the project function a meta is built by (`.meta(buildOpenapi({
 * method: 'POST', path: '/create' }))`, returning `{ openapi: { ...meta, path: \`/workspace${meta.path}\` } }`)
 * bound to that call's arguments, so the object it returns reads as it does for this procedure.
 */
function withArguments<T>(expr: ts.Expression, values: ValueResolver, read: () => T): T {
  const x = skipOuter(expr);
  if (!ts.isCallExpression(x)) return read();
  const fn = values.resolve(x.expression).find((v) => v.kind === 'function');
  if (!fn || fn.kind !== 'function') return read();
  return withBindings(values, [...argumentEnv(fn.node, x)], read);
}

/**
 * One procedure is one unit: if its analysis fails (its handler nested too deep, the budget), it is
 * still listed at its identity, unverifiable. An OpenAPI route that cannot be read is reported
 * against the procedure's file.
 */
function containedProcedure(
  site: ProcedureSite,
  mount: Mount,
  rules: TrpcRules,
  ctx: AdapterContext,
): Endpoint | undefined {
  const terminal = site.chains[0].terminal!;
  const file = site.key.getSourceFile().fileName;
  const rest = mount.openapi
    ? ctx.values.session.contain(
        file,
        'extract',
        () => openApiRoute(site, rules, ctx.values),
        () => undefined,
      )
    : undefined;
  if (mount.openapi && !rest) return undefined; // an OpenAPI adapter serves only procedures that declare a route
  const method: HttpMethod = rest?.method ?? rules.procedureTypes[terminal.name] ?? 'POST';
  const path = rest ? joinPrefix(mount.prefix, rest.path.slice(1)) : joinPrefix(mount.prefix, site.path.join('.'));
  const seed = {
    framework: 'trpc' as const,
    method,
    path,
    anchor: site.key,
    handlerExpr: terminal.handler,
    tags: mount.nextMounted ? ['next-mounted'] : [],
  };
  const ep = containedEndpoint(seed, ctx, () => procedureEndpoint(site, mount, rest, method, path, ctx));
  if (ep.unanalysed && mount.appRoot) ep.appRoot = mount.appRoot;
  return ep;
}

function procedureEndpoint(
  site: ProcedureSite,
  mount: Mount,
  rest: { method: HttpMethod; path: string } | undefined,
  method: HttpMethod,
  path: string,
  ctx: AdapterContext,
): Endpoint {
  const main = site.chains[0];
  const terminal = main.terminal!;
  const u = unwrap(terminal.handler, ctx.values);
  const steps = commonSteps(site.chains);
  const inputOption = builderRules(main.builder)?.inputOption;
  const fn = u.fn;
  provideContext(
    [fn, ...steps.map((st) => (st.kind === 'middleware' ? unwrap(st.expr, ctx.values).fn : undefined))],
    mount,
    ctx.values,
  );
  const bodyFields = fn
    ? readBodyFields(fn, 'trpc', ctx.values, method, [], inputOption ? isInputOption(fn, inputOption) : undefined)
    : [];
  addSchemaFields(bodyFields, inputSchemas(main.steps), ctx.values);
  const keyFile = site.key.getSourceFile().fileName;
  return {
    id: '',
    framework: 'trpc',
    method,
    path,
    wordsPath: rest ? undefined : joinPrefix(mount.prefix, wordsPath(site.path).slice(1)),
    anchor: spanOf(site.key),
    appRoot: mount.appRoot ?? ctx.workspace.appRootOf(keyFile),
    handler: { ...handlerRef(u, terminal.handler), name: u.fn ? `${site.path.join('.')} (${terminal.name})` : u.name },
    chain: [...stepLinks(steps, ctx.values), ...wrapperLinks(u)],
    bodyFields,
    tags: mount.nextMounted ? ['next-mounted'] : [],
  };
}
