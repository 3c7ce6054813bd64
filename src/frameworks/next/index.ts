// Next.js adapter: app router route handlers, pages router API routes, and middleware.ts /
// proxy.ts coverage (applied in `finalize`, after every adapter has run, so apps of other
// frameworks mounted in Next.js routes are covered too). Planning reads next.config.* and claims
// the files that serve routes by convention.
import path from 'node:path';
import { unwrap } from '../../analysis/unwrap.js';
import { skipOuter } from '../../analysis/values.js';
import type { Endpoint } from '../../model.js';
import { isTestFileName, isTestPath } from '../../project/prefilter.js';
import { ruleFile } from '../../rules/load.js';
import { errorMessage, relPosix } from '../../util.js';
import type { AdapterContext, AdapterPlan, FrameworkAdapter, PlanContext } from '../types.js';
import { extractAppRoute, methodExports, mountAdapter } from './app-router.js';
import { NEXT_CONFIG_FILE, readNextConfig, type NextAppConfig } from './config.js';
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
        const cfg = readNextConfig(f, ctx);
        nextConfigs.set(cfg.appRoot, cfg);
      }
      layout = { workspace: ctx.workspace, nextConfigs, dirs: ctx.dirs };
      const routeFiles: string[] = [];
      for (const f of ctx.sources) {
        const info = classify(f);
        if (!info) continue;
        // Inside a route tree `test/` or `e2e/` are URL segments; above the app they mark test fixtures.
        if (!isTestPath(`${relPosix(ctx.root, info.appRoot)}/`) && !isTestFileName(relPosix(ctx.root, f))) routeFiles.push(f);
      }
      // An application that depends on Next.js and on no package that registers routes in code
      // serves routes only through file conventions.
      const routers = ruleFile('frameworks').routerPackages;
      const apps = new Set([ctx.root, ...ctx.workspace.packages.map((p) => p.dir)]);
      const conventionOnlyApps = [...apps].filter(
        (a) => !!ctx.workspace.packageAt(a) && ctx.workspace.dependsOn(a, 'next') && !routers.some((d) => ctx.workspace.dependsOn(a, d) || ctx.workspace.anyDependsOn(d, a)),
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
        try {
          if (info.kind === 'app-route') {
            out.push(...extractAppRoute(sf, info, ctx));
            publishMounts(sf, info, ctx);
          } else out.push(...extractPagesRoute(sf, info, ctx));
        } catch (err) {
          ctx.errors.push({ file, phase: 'extract', message: errorMessage(err) });
        }
      }
      return out;
    },

    finalize(endpoints: Endpoint[], ctx: AdapterContext): void {
      const middlewares: NextMiddleware[] = [];
      for (const file of ctx.candidates) {
        const info = classify(file);
        if (info?.kind !== 'middleware') continue;
        const sf = ctx.store.get(file);
        const mw = sf ? readMiddleware(sf, info, ctx) : undefined;
        if (mw && !middlewares.some((m) => m.appRoot === mw.appRoot)) middlewares.push(mw);
      }
      attachMiddleware(endpoints, middlewares, ctx);
    },
  };
}

/** Apps of another framework mounted in this route file (`export const POST = handle(app)`): only the exported methods reach them. */
function publishMounts(sf: import('ts-morph').ts.SourceFile, info: NextFile, ctx: AdapterContext): void {
  for (const ex of methodExports(sf, ctx)) {
    const u = unwrap(skipOuter(ex.handler), ctx.values);
    const framework = mountAdapter(u);
    const app = framework && u.factory?.call.arguments[0];
    if (!framework || !app) continue;
    let m = ctx.mounts.find((x) => x.app === app && x.framework === framework);
    if (!m) ctx.mounts.push((m = { framework, app, methods: new Set(), basePath: info.config.basePath }));
    m.methods.add(ex.method);
  }
}
