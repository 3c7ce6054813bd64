// next-connect routers in a pages-router file: `nc()` / `createRouter()` made in the file or in
// another module (a shared instance, a factory), and the methods the file registers on them.
import { ts } from 'ts-morph';
import { skipOuter } from '../../analysis/values.js';
import type { HttpMethod } from '../../model.js';
import { Collector, orderOf, type Dialect } from '../shared/collect.js';
import { joinPaths, RouterGraph, type FlatRoute } from '../shared/router-graph.js';
import type { AdapterContext } from '../types.js';
import { compiled, ruleFile } from '../../rules/load.js';

/** The method routers of rules/frameworks.json `pagesRouters`: their makers, modules and export methods. */
const ROUTERS = compiled(() => {
  const list = ruleFile('frameworks').pagesRouters ?? [];
  return {
    creators: list.flatMap((r) => r.makers.map((path) => ({ module: r.module, path }))),
    modules: list.map((r) => r.module),
    exportMethods: new Set(list.flatMap((r) => r.exportMethods)),
  };
});

/** `middlewareOnly`: only `use` is recorded (read in the module that made the router, not a page). */
function nextConnectDialect(middlewareOnly: boolean): Dialect {
  const methods = ['get', 'post', 'put', 'patch', 'delete', 'options', 'head', 'all'];
  return {
    creators: ROUTERS().creators,
    paramTypes: /\bNextConnect\b/,
    importHints: ROUTERS().modules,
    methods: new Set(middlewareOnly ? ['use'] : [...methods, 'use']),
    plausible: (_m, call) => call.arguments.length >= 1,
    chain: (m, _call, refs) => (methods.includes(m) || m === 'use' || ROUTERS().exportMethods.has(m) ? refs : []),
    register(m, call, refs, c): void {
      const args = [...call.arguments];
      // a pattern matched against the whole address (`handler.post('/api/auth/login', …)` in a catch-all page):
      // kept for the page to decide; the file's own path serves otherwise
      const first = args.length ? skipOuter(args[0]) : undefined;
      const pattern = first && ts.isStringLiteralLike(first) ? first.text : '';
      if (first && ts.isStringLiteralLike(first)) args.shift();
      const items = c.flattenArgs(args);
      if (!items.length) return;
      for (const ref of refs) {
        if (m === 'use') c.graph.add(ref.router, { kind: 'use', items, anchor: call, order: orderOf(call) });
        else if (!middlewareOnly)
          c.graph.add(ref.router, {
            kind: 'route',
            methods: [m === 'all' ? 'ANY' : (m.toUpperCase() as HttpMethod)],
            paths: [pattern],
            args: items,
            anchor: ts.isPropertyAccessExpression(call.expression) ? call.expression.name : call,
            order: orderOf(call),
          });
      }
    },
    guess: () => false,
  };
}

/**
 * The address a next-connect route serves in a page: its pattern when the page catches every address under its
 * own static part and the pattern is a whole address there (`/api/auth/login` in `pages/api/auth/[...auth].js`,
 * where next-connect matches the pattern against the request's path); the page's path otherwise.
 */
export function servedPath(pattern: string, pagePath: string): string {
  const catchAll = /\/\[{1,2}\.\.\.[^\]]+\]{1,2}$/;
  if (!pattern.startsWith('/') || !catchAll.test(pagePath)) return pagePath;
  const base = pagePath.replace(catchAll, '');
  return pattern === base || pattern.startsWith(`${base}/`) ? pattern.replace(/\/+$/, '') || '/' : pagePath;
}

/** Does a default export hand out a next-connect router (`handler`, `base().put(x)`, `withSession(handler)`)? */
function exportsRouter(e: ts.Expression, c: Collector, depth = 0): boolean {
  const x = skipOuter(e);
  if (c.refs(x, false).length) return true;
  return depth < 3 && ts.isCallExpression(x) && x.arguments.some((a) => exportsRouter(a, c, depth + 1));
}

/**
 * The routes a pages-router file registers on next-connect routers: its own registrations (a shared
 * instance imported by several pages gets each page's own), after the middleware the module that made
 * the router registers on it (`handler.use(session)` beside `nc()`, `() => nc().use(auth)`).
 */
export function nextConnectRoutes(sf: ts.SourceFile, exported: ts.Expression, ctx: AdapterContext): FlatRoute[] {
  const graph = new RouterGraph('express');
  const collector = new Collector(graph, ctx.values, nextConnectDialect(false));
  if (!ROUTERS().modules.some((m) => sf.text.includes(m)) && !exportsRouter(exported, collector)) return [];
  collector.collectFile(sf);
  const makers = new Set<ts.SourceFile>();
  for (const n of graph.all) {
    const made = n.node?.getSourceFile();
    if (made && made !== sf) makers.add(made);
  }
  const uses = new Collector(graph, ctx.values, nextConnectDialect(true));
  for (const made of makers) uses.collectFile(made);
  ctx.stats.routers += graph.all.length;
  return graph.flatten(() => true, joinPaths);
}
