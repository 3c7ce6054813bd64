// Next.js adapter: app router route handlers, pages router API routes, and middleware.ts /
// proxy.ts coverage (applied in `finalize`, after every adapter has run, so apps of other
// frameworks mounted in Next.js routes are covered too). Planning reads next.config.* and claims
// the files that serve routes by convention.
import path from 'node:path';
import { ts } from 'ts-morph';
import { externalName } from '../../analysis/unwrap.js';
import { skipOuter } from '../../analysis/values.js';
import { HTTP_METHODS, type Endpoint, type HttpMethod } from '../../model.js';
import { isTestFileName, isTestPath } from '../../project/prefilter.js';
import { matchesExport, ruleFile } from '../../rules/load.js';
import { relPosix } from '../../util.js';
import { callIndex } from '../shared/iterations.js';
import { unanalysedEndpoint, type EndpointSeed } from '../shared/endpoint.js';
import { optionExpr } from '../shared/options.js';
import type { AdapterContext, AdapterPlan, FrameworkAdapter, PlanContext } from '../types.js';
import { methodExports } from '../shared/method-exports.js';
import { extractAppRoute, mountOf } from './app-router.js';
import { DEFAULT_PAGE_EXTENSIONS, NEXT_CONFIG_FILE, readNextConfig, type NextAppConfig } from './config.js';
import { classifyNextFile, type NextFile, type NextLayout } from './files.js';
import { attachMiddleware, readMiddleware, type NextMiddleware } from './middleware.js';
import { extractPagesRoute } from './pages-router.js';

export function createNextAdapter(): FrameworkAdapter {
  let layout: NextLayout | undefined;
  const classify = (file: string): NextFile | undefined => (layout ? classifyNextFile(file, layout) : undefined);

  return {
    name: 'next',

    plan(ctx: PlanContext): AdapterPlan {
      const nextConfigs = new Map<string, NextAppConfig>();
      for (const f of ctx.sources) {
        if (!NEXT_CONFIG_FILE.test(path.basename(f))) continue;
        // a config that cannot be read leaves the defaults (reported)
        const cfg = ctx.values.session.contain(
          f,
          'extract',
          () => readNextConfig(f, ctx),
          () => ({ appRoot: path.dirname(f), basePath: '', pageExtensions: DEFAULT_PAGE_EXTENSIONS }),
        );
        nextConfigs.set(cfg.appRoot, cfg);
      }
      layout = { workspace: ctx.workspace, nextConfigs, dirs: ctx.dirs };
      const routeFiles: string[] = [];
      for (const f of ctx.sources) {
        const info = classify(f);
        if (!info) continue;
        // Inside a route tree `test/` or `e2e/` are URL segments; above the app they mark test fixtures.
        if (!isTestPath(`${relPosix(ctx.root, info.appRoot)}/`) && !isTestFileName(relPosix(ctx.root, f)))
          routeFiles.push(f);
      }
      // An application that depends on Next.js and on no package that registers routes in code
      // serves routes only through file conventions.
      const routers = ruleFile('frameworks').routerPackages;
      const apps = new Set([ctx.root, ...ctx.workspace.packages.map((p) => p.dir)]);
      const conventionOnlyApps = [...apps].filter(
        (a) =>
          !!ctx.workspace.packageAt(a) &&
          ctx.workspace.dependsOn(a, 'next') &&
          !routers.some((d) => ctx.workspace.dependsOn(a, d) || ctx.workspace.anyDependsOn(d, a)),
      );
      return { routeFiles, conventionOnlyApps };
    },

    extract(ctx: AdapterContext): Endpoint[] {
      const out: Endpoint[] = [];
      for (const file of ctx.candidates) {
        const info = classify(file);
        if (!info || info.kind === 'middleware') continue;
        const sf = ctx.store.get(file);
        if (!sf) continue;
        // One route file is one unit: if it fails, the methods it visibly exports are still listed, unverifiable.
        const eps = ctx.values.session.contain(
          file,
          'extract',
          () => {
            if (info.kind !== 'app-route') {
              const pages = extractPagesRoute(sf, info, ctx);
              publishOptionMounts(sf, info, ctx, ['ANY']);
              return pages;
            }
            const found = extractAppRoute(sf, info, ctx);
            publishMounts(sf, info, ctx);
            publishOptionMounts(
              sf,
              info,
              ctx,
              methodExports(sf, ctx).map((m) => m.method),
            );
            return found;
          },
          (reason) => conventionalEndpoints(sf, info).map((seed) => unanalysedEndpoint(seed, ctx, reason)),
          { wholeFile: true },
        );
        out.push(...eps);
      }
      return out;
    },

    finalize(endpoints: Endpoint[], ctx: AdapterContext): void {
      const middlewares: NextMiddleware[] = [];
      for (const file of ctx.candidates) {
        const info = classify(file);
        if (info?.kind !== 'middleware') continue;
        const sf = ctx.store.get(file);
        const mw = sf
          ? ctx.values.session.contain(
              file,
              'extract',
              () => readMiddleware(sf, info, ctx),
              () => undefined,
              { wholeFile: true },
            )
          : undefined;
        if (mw && !middlewares.some((m) => m.appRoot === mw.appRoot)) middlewares.push(mw);
      }
      for (const mw of middlewares) {
        // a middleware that cannot be attached leaves the endpoints of its app without it: they are unverifiable
        const file = mw.expr.getSourceFile().fileName;
        ctx.values.session.contain(
          file,
          'extract',
          () => attachMiddleware(endpoints, [mw], ctx),
          (reason) => {
            for (const ep of endpoints)
              if (ep.appRoot === mw.appRoot)
                ep.unanalysed ??= `its middleware (${relPosix(ctx.root, file)}) could not be analysed: ${reason}`;
          },
          { wholeFile: true },
        );
      }
    },
  };
}

/**
 * The endpoints a route file visibly declares, read from its statements alone (no resolution):
 * what is listed when the file's analysis fails. An app route's exported method names; a pages
 * route's default export (any method).
 */
function conventionalEndpoints(sf: ts.SourceFile, info: NextFile): EndpointSeed[] {
  const out: EndpointSeed[] = [];
  const exported = (st: ts.Statement): boolean =>
    ts.canHaveModifiers(st) && !!ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
  const isDefault = (st: ts.Statement): boolean =>
    ts.canHaveModifiers(st) && !!ts.getModifiers(st)?.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
  for (const st of sf.statements) {
    if (info.kind === 'pages-api') {
      if (ts.isExportAssignment(st) || (exported(st) && isDefault(st))) {
        out.push({
          framework: 'next-pages',
          method: 'ANY',
          path: info.urlPath,
          anchor: st,
          handlerExpr: ts.isExportAssignment(st) ? st.expression : (st as unknown as ts.Expression),
        });
        break;
      }
      continue;
    }
    const add = (name: string, anchor: ts.Node, handler: ts.Node): void => {
      if ((HTTP_METHODS as readonly string[]).includes(name) && !out.some((o) => o.method === name))
        out.push({
          framework: 'next-app',
          method: name as HttpMethod,
          path: info.urlPath,
          anchor,
          handlerExpr: handler as ts.Expression,
        });
    };
    if (ts.isFunctionDeclaration(st) && exported(st) && st.name) add(st.name.text, st, st);
    else if (ts.isVariableStatement(st) && exported(st)) {
      for (const d of st.declarationList.declarations)
        if (ts.isIdentifier(d.name)) add(d.name.text, st, d.initializer ?? d.name);
    } else if (ts.isExportDeclaration(st) && st.exportClause && ts.isNamedExports(st.exportClause)) {
      for (const el of st.exportClause.elements) add(el.name.text, el, el.name);
    }
  }
  return out;
}

/** Apps of another framework mounted in this route file (`export const POST = handle(app)`): only the exported methods reach them. */
function publishMounts(sf: ts.SourceFile, info: NextFile, ctx: AdapterContext): void {
  for (const ex of methodExports(sf, ctx)) {
    const mount = mountOf(skipOuter(ex.handler), ctx.values);
    if (!mount) continue;
    const { framework, app } = mount;
    let m = ctx.mounts.find((x) => x.app === app && x.framework === framework);
    if (!m) ctx.mounts.push((m = { framework, app, methods: new Set(), basePath: info.config.basePath }));
    m.methods.add(ex.method);
  }
}

/**
 * Calls that may be a mount adapter: the route file's own, and those of the project functions it calls, two
 * levels deep (`export default CreateTRPCAPIHandler()` with the adapter called in a shared package's factory).
 */
function adapterCalls(sf: ts.SourceFile, names: readonly string[], ctx: AdapterContext): ts.CallExpression[] {
  const out: ts.CallExpression[] = [];
  const seen = new Set<ts.Node>();
  const visit = (calls: readonly ts.CallExpression[], text: string, depth: number): void => {
    if (names.some((n) => text.includes(n))) out.push(...calls);
    if (depth >= 2) return;
    for (const c of calls) {
      // in the route file, only calls made when it loads (`export default CreateTRPCAPIHandler()`)
      if (depth === 0 && inFunction(c)) continue;
      for (const v of ctx.values.resolve(c.expression)) {
        if (v.kind !== 'function' || !v.node.body || seen.has(v.node)) continue;
        seen.add(v.node);
        const inner: ts.CallExpression[] = [];
        const walk = (n: ts.Node): void => {
          if (ts.isCallExpression(n)) inner.push(n);
          ts.forEachChild(n, walk);
        };
        walk(v.node.body);
        visit(inner, v.node.body.getText(), depth + 1);
      }
    }
  };
  visit(callIndex(sf).calls, sf.text, 0);
  return out;
}

function inFunction(n: ts.Node): boolean {
  for (let p = n.parent; p; p = p.parent) if (ts.isFunctionLike(p)) return true;
  return false;
}

/**
 * Adapters called from inside a route file with an options object (`fetchRequestHandler({ router })`
 * in a handler, `createNextApiHandler({ router })` at module level): the option names the mounted
 * app, served under the route's path. The route itself stays listed.
 */
function publishOptionMounts(sf: ts.SourceFile, info: NextFile, ctx: AdapterContext, methods: HttpMethod[]): void {
  const adapters = ruleFile('frameworks').mountAdapters.filter((m) => m.appOption);
  const names = adapters.flatMap((a) => a.adapters.map((x) => x.path.split('.').pop() ?? x.path));
  for (const call of adapterCalls(sf, names, ctx)) {
    const ext = ctx.values.resolve(call.expression).map(externalName).find(Boolean);
    const m = ext && adapters.find((a) => matchesExport(a.adapters, ext));
    const app = m ? optionExpr(call.arguments[0], m.appOption!, ctx.values) : undefined;
    if (!m || !app || ctx.mounts.some((x) => x.call === call)) continue;
    ctx.mounts.push({
      framework: m.framework,
      app,
      methods: new Set(methods),
      basePath: info.config.basePath,
      hostPath: info.urlPath,
      call,
      serves: m.serves,
    });
  }
}
