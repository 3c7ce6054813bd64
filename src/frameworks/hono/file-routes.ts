// HonoX file-system routes (`rules/frameworks.json` `hono.fileRoutes`): files under `app/routes/**`
// serve the path of their location, one route per method export (`export const POST = createRoute(…)`,
// the default export serves GET); `_middleware.ts` adds middleware to its folder and below; a default
// export that is a Hono app is mounted at the file's path. The routes are added to the app built by
// `createApp({ app: base })` (after the base app's own registrations) in the router graph.
import path from 'node:path';
import { ts } from 'ts-morph';
import { externalName } from '../../analysis/unwrap.js';
import { skipOuter } from '../../analysis/values.js';
import type { HttpMethod } from '../../model.js';
import { matchesExport } from '../../rules/load.js';
import type { HonoFileRoutes } from '../../rules/types.js';
import { relPosix } from '../../util.js';
import { orderOf, type Collector } from '../shared/collect.js';
import { callIndex } from '../shared/iterations.js';
import type { RouterNode } from '../shared/router-graph.js';
import type { AdapterContext, PlanContext } from '../types.js';
import { methodExports } from '../shared/method-exports.js';

/** A file of the routes folder: a route file (its URL path) or a folder's middleware. */
export interface RouteFile {
  file: string;
  appRoot: string;
  /** URL path of the file (for middleware, of its folder). */
  urlPath: string;
  middleware: boolean;
}

/** The URL path of a file under the routes folder, from its folders there and its name without extension. */
function routePath(segments: string[], stem: string): string {
  const out: string[] = [];
  for (const s of [...segments, stem]) {
    if (s.startsWith('(') && s.endsWith(')')) continue; // route group
    const rest = /^\[\.\.\.(.+)\]$/.exec(s);
    const param = /^\[(.+)\]$/.exec(s);
    out.push(rest ? `:${rest[1]}{.+}` : param ? `:${param[1]}` : s);
  }
  if (out[out.length - 1] === 'index') out.pop();
  return `/${out.join('/')}`;
}

/** Route and middleware files of the HonoX apps of a scanned root. */
export function planFileRoutes(ctx: PlanContext, rules: HonoFileRoutes): RouteFile[] {
  const isApp = new Map<string, boolean>();
  const honoxApp = (appRoot: string): boolean => {
    let v = isApp.get(appRoot);
    if (v === undefined) {
      const top = path.join(appRoot, path.dirname(rules.routesDir));
      v =
        ctx.workspace.dependsOn(appRoot, rules.package) ||
        ctx.sources.some((f) => path.dirname(f) === top && !!ctx.store.text(f, false)?.includes(rules.serverModule));
      isApp.set(appRoot, v);
    }
    return v;
  };
  const out: RouteFile[] = [];
  for (const file of ctx.sources) {
    const appRoot = ctx.workspace.appRootOf(file);
    const rel = relPosix(appRoot, file);
    if (!rel.startsWith(`${rules.routesDir}/`)) continue;
    const base = path.basename(rel);
    const ext = rules.extensions.find((e) => base.endsWith(`.${e}`));
    if (!ext || /\.(test|spec)\.[^.]+$/.test(base) || base.endsWith('.d.ts')) continue;
    const stem = base.slice(0, -(ext.length + 1));
    const middleware = stem === rules.middlewareFile;
    if (!middleware && rules.ignoredPrefixes.some((p) => stem.startsWith(p))) continue;
    if (!honoxApp(appRoot)) continue;
    const segments = rel
      .slice(rules.routesDir.length + 1)
      .split('/')
      .slice(0, -1);
    out.push({ file, appRoot, urlPath: routePath(segments, middleware ? 'index' : stem), middleware });
  }
  return out;
}

/** The expression a module's default export evaluates to (`export default x`, `export default function`, `export { x as default }`). */
function defaultExport(sf: ts.SourceFile): { expr: ts.Expression; anchor: ts.Node } | undefined {
  for (const st of sf.statements) {
    if (ts.isExportAssignment(st) && !st.isExportEquals) return { expr: st.expression, anchor: st };
    if (
      ts.isFunctionDeclaration(st) &&
      st.body &&
      ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword)
    )
      return { expr: st as unknown as ts.Expression, anchor: st };
    if (ts.isExportDeclaration(st) && !st.moduleSpecifier && st.exportClause && ts.isNamedExports(st.exportClause))
      for (const el of st.exportClause.elements)
        if (el.name.text === 'default') return { expr: el.propertyName ?? el.name, anchor: el };
  }
  return undefined;
}

/** The arguments of a `createRoute(…)` call an expression evaluates to (middleware, then the handler). */
function createRouteArgs(e: ts.Expression, ctx: AdapterContext, rules: HonoFileRoutes): ts.Expression[] | undefined {
  for (const v of ctx.values.resolve(skipOuter(e)))
    if (
      v.kind === 'call' &&
      ts.isCallExpression(v.node) &&
      v.callee.some((c) => matchesExport(rules.createRoute, externalName(c)))
    )
      return [...v.node.arguments];
  return undefined;
}

/** The router file routes of an app are added to: the base app of `createApp({ app: base })`, the app it builds, or one of their own. */
function targetRouters(
  appRoot: string,
  collector: Collector,
  ctx: AdapterContext,
  rules: HonoFileRoutes,
): RouterNode[] {
  const out: RouterNode[] = [];
  for (const file of ctx.candidates) {
    if (ctx.workspace.appRootOf(file) !== appRoot || !ctx.store.text(file, false)?.includes(rules.serverModule))
      continue;
    const sf = ctx.store.get(file);
    for (const call of sf ? callIndex(sf).calls : []) {
      if (!ctx.values.resolve(call.expression).some((v) => matchesExport(rules.apps, externalName(v)))) continue;
      const made = collector.refs(call).map((r) => r.router);
      const option = call.arguments[0] && skipOuter(call.arguments[0]);
      const baseExpr =
        option && ts.isObjectLiteralExpression(option)
          ? option.properties.find((p) => p.name && ts.isIdentifier(p.name) && p.name.text === rules.appOption)
          : undefined;
      const bases =
        baseExpr && (ts.isPropertyAssignment(baseExpr) || ts.isShorthandPropertyAssignment(baseExpr))
          ? collector
              .refs(ts.isPropertyAssignment(baseExpr) ? baseExpr.initializer : baseExpr.name)
              .map((r) => r.router)
          : [];
      // the app createApp returns is the base app with the file routes added after its own registrations
      for (const m of made)
        for (const b of bases)
          if (m !== b) collector.graph.add(m, { kind: 'inline', router: b, anchor: call, order: orderOf(call) });
      out.push(...(bases.length ? bases : made));
    }
  }
  if (out.length) return [...new Set(out)];
  const dir = path.join(appRoot, rules.routesDir);
  return [collector.graph.node(`file-routes:${dir}`, dir, 0)];
}

/** Adds the file routes of every HonoX app to the router graph. */
export function addFileRoutes(
  files: readonly RouteFile[],
  collector: Collector,
  ctx: AdapterContext,
  rules: HonoFileRoutes,
  createHandlers: string[],
): void {
  const candidates = new Set(ctx.candidates);
  const byApp = new Map<string, RouteFile[]>();
  for (const f of files) {
    if (!candidates.has(f.file)) continue;
    const list = byApp.get(f.appRoot) ?? [];
    byApp.set(f.appRoot, [...list, f]);
  }
  for (const [appRoot, list] of byApp) {
    const targets = targetRouters(appRoot, collector, ctx, rules);
    // each folder's middleware, outermost first
    const middleware = new Map<string, ts.Expression[]>();
    for (const f of list.filter((x) => x.middleware)) {
      const sf = ctx.store.get(f.file);
      const d = sf && defaultExport(sf);
      if (!d) continue;
      const x = skipOuter(d.expr);
      const items = createRouteArgs(x, ctx, rules) ?? (ts.isArrayLiteralExpression(x) ? [...x.elements] : [x]);
      middleware.set(path.dirname(f.file), collector.flattenArgs(items, createHandlers));
    }
    const folderMiddleware = (file: string): ts.Expression[] => {
      const dirs: string[] = [];
      for (let d = path.dirname(file); d.startsWith(path.join(appRoot, rules.routesDir)); d = path.dirname(d))
        dirs.unshift(d);
      return dirs.flatMap((d) => middleware.get(d) ?? []);
    };
    for (const f of list.filter((x) => !x.middleware)) {
      const sf = ctx.store.get(f.file);
      if (!sf) continue;
      ctx.values.session.contain(
        f.file,
        'extract',
        () => {
          for (const target of targets) addFile(sf, f, target, folderMiddleware(f.file));
        },
        () => undefined,
        { wholeFile: true },
      );
    }
  }

  function addFile(sf: ts.SourceFile, f: RouteFile, target: RouterNode, folderMw: ts.Expression[]): void {
    const exportsOf: { method: HttpMethod; anchor: ts.Node; handler: ts.Expression; isDefault?: boolean }[] =
      methodExports(sf, ctx);
    const d = defaultExport(sf);
    if (d && !exportsOf.some((e) => e.method === 'GET'))
      exportsOf.push({ method: 'GET', anchor: d.anchor, handler: d.expr, isDefault: true });
    for (const ex of exportsOf) {
      const order = { file: f.file, pos: ex.anchor.getStart() };
      const args = createRouteArgs(ex.handler, ctx, rules);
      if (!args && ex.isDefault) {
        // a Hono app exported whole: its routes are mounted at the file's path, behind the folders' middleware
        const subs = collector.refs(skipOuter(ex.handler)).filter((r) => r.router !== target);
        if (subs.length) {
          if (folderMw.length)
            collector.graph.add(target, {
              kind: 'use',
              path: f.urlPath === '/' ? '*' : `${f.urlPath}/*`,
              items: folderMw,
              anchor: ex.anchor,
              order: { ...order, pos: order.pos - 1 },
            });
          for (const s of subs)
            collector.graph.add(target, { kind: 'mount', path: f.urlPath, router: s.router, anchor: ex.anchor, order });
          continue;
        }
      }
      const handlers = collector.flattenArgs(args ?? [skipOuter(ex.handler)], createHandlers);
      if (!handlers.length) continue;
      collector.graph.add(target, {
        kind: 'route',
        methods: [ex.method],
        paths: [f.urlPath],
        args: [...folderMw, ...handlers],
        anchor: ex.anchor,
        order,
      });
    }
  }
}
