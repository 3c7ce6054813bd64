// Express routes declared by decorators on controller classes (@overnightjs/core, inversify-express-utils,
// routing-controllers, tsoa): `@Controller('projects')` on a class, `@Post('id/:id')` or `@httpPost('/')`
// on its methods, middleware in `@Middleware([auth])`, in the decorators' extra arguments or in
// `@UseBefore(auth)`, child controllers (`@ChildControllers([new V1()])`) under their parent's path, and
// a prefix every controller is served under (`new InversifyExpressServer(c, null, { rootPath: '/api' })`).
// Which library a decorator belongs to is decided by what it resolves to, from rules/frameworks.json.
import path from 'node:path';
import { ts } from 'ts-morph';
import { evalString } from '../../analysis/strings.js';
import { externalName } from '../../analysis/unwrap.js';
import { calleeName, propertyNameText, skipOuter } from '../../analysis/values.js';
import { forEachNode } from '../../analysis/walk.js';
import type { ChainLink, Endpoint, HttpMethod } from '../../model.js';
import { ruleFile } from '../../rules/load.js';
import type { DecoratorRouting } from '../../rules/types.js';
import { buildEndpoint, chainLink, containedEndpoint } from '../shared/endpoint.js';
import { joinPaths } from '../shared/router-graph.js';
import type { AdapterContext } from '../types.js';

interface Controller {
  cls: ts.ClassDeclaration;
  lib: DecoratorRouting;
  path: string;
  middleware: ts.Expression[];
  children: ts.ClassLikeDeclaration[];
}

/** The library and export name a decorator's callee resolves to, among the decorator-routing libraries. */
function decoratorOf(
  d: ts.Decorator,
  ctx: AdapterContext,
  libs: DecoratorRouting[],
): { lib: DecoratorRouting; name: string; call?: ts.CallExpression } | undefined {
  const x = d.expression;
  const call = ts.isCallExpression(x) ? x : undefined;
  const callee = call ? call.expression : x;
  for (const v of ctx.values.resolve(callee)) {
    const ext = externalName(v);
    if (!ext) continue;
    const lib = libs.find((l) => l.module === ext.module);
    if (lib) return { lib, name: ext.name, call };
  }
  return undefined;
}

function decoratorsOf(node: ts.Node): readonly ts.Decorator[] {
  return (ts.canHaveDecorators(node) && ts.getDecorators(node)) || [];
}

/** A decorator's path argument (`@Get('id/:id')`, `@Get()` is the controller's own path). */
function pathArg(call: ts.CallExpression | undefined, ctx: AdapterContext, lib: DecoratorRouting): string {
  const a = call?.arguments[0];
  if (!a) return '';
  const x = skipOuter(a);
  // routing-controllers and overnightjs accept options objects or arrays of middleware in the first place
  if (ts.isObjectLiteralExpression(x) || ts.isArrayLiteralExpression(x)) return '';
  const p = evalString(a, ctx.values);
  // a path that cannot be evaluated is listed as written (`{PATHS.account}`), as route registrations are
  if (p === undefined) return `{${a.getText().replace(/\s+/g, ' ')}}`;
  return lib.braceParams ? p.replace(/\{([^}]+)\}/g, ':$1') : p;
}

/** Middleware expressions given to a decorator: its arguments after the path, arrays flattened. */
function middlewareArgs(call: ts.CallExpression | undefined, from: number): ts.Expression[] {
  if (!call) return [];
  return call.arguments.slice(from).flatMap((a) => {
    const x = skipOuter(a);
    return ts.isArrayLiteralExpression(x) ? [...x.elements] : ts.isObjectLiteralExpression(x) ? [] : [a];
  });
}

/** Classes constructed or named in a child-controller list (`[new A(), B]`). */
function classesIn(expr: ts.Expression, ctx: AdapterContext): ts.ClassLikeDeclaration[] {
  const x = skipOuter(expr);
  const items = ts.isArrayLiteralExpression(x) ? [...x.elements] : [x];
  const out: ts.ClassLikeDeclaration[] = [];
  for (const it of items) {
    const e = skipOuter(it);
    const target = ts.isNewExpression(e) ? e.expression : e;
    for (const v of ctx.values.resolve(target)) if (v.kind === 'class') out.push(v.node);
  }
  return out;
}

/**
 * The prefix a library's server serves its controllers under (`rootPath`, `routePrefix`), when one is set:
 * for a controller a server lists (`controllers: [WalletController]`), that server's; otherwise the one
 * prefix every server agrees on (none when they differ: which controller each serves is not known).
 */
function serverPrefixes(lib: DecoratorRouting, ctx: AdapterContext): (cls: ts.ClassLikeDeclaration) => string {
  const prefixes = new Set<string>();
  const byController = new Map<ts.ClassLikeDeclaration, Set<string>>();
  for (const opt of lib.serverOptions ?? []) {
    // the server may be built in a file that registers nothing itself: every source is looked at, by text first
    for (const file of ctx.allSources) {
      const text = ctx.store.text(file, false);
      if (!text || !text.includes(opt.call) || !text.includes(lib.module)) continue;
      const sf = ctx.store.get(file);
      if (!sf) continue;
      forEachNode(sf, (n) => {
        if (!(ts.isCallExpression(n) || ts.isNewExpression(n)) || calleeName(n) !== opt.call) return;
        const arg = n.arguments?.[opt.argument];
        // (written in place, or held in a constant: `const options = { routePrefix: '/v1', … }; useExpressServer(app, options)`)
        const objs = arg ? ctx.values.resolve(arg).flatMap((v) => (v.kind === 'object' ? [v.node] : [])) : [];
        for (const obj of objs) {
          let prefix: string | undefined;
          const listed: ts.ClassLikeDeclaration[] = [];
          for (const p of obj.properties) {
            if (!ts.isPropertyAssignment(p) || !p.name) continue;
            const key = propertyNameText(p.name);
            if (key === opt.option) prefix = evalString(p.initializer, ctx.values);
            else if (key === 'controllers') listed.push(...classesIn(p.initializer, ctx));
          }
          // (a server with no prefix, a test's own, says nothing about the others')
          if (prefix !== undefined) prefixes.add(prefix);
          prefix ??= '';
          for (const cls of listed) {
            let set = byController.get(cls);
            if (!set) byController.set(cls, (set = new Set()));
            set.add(prefix);
          }
        }
      });
    }
  }
  const common = prefixes.size === 1 ? [...prefixes][0] : '';
  return (cls) => {
    const own = byController.get(cls);
    return own?.size === 1 ? [...own][0] : common;
  };
}

/**
 * The prefix a routes generator serves a controller file under (tsoa's `routes.basePath` in a
 * `tsoa*.json` beside the application's package.json, the one whose `controllerPathGlobs` match).
 * Read as data, never run; empty when there is none or several disagree.
 */
function generatorBasePath(file: string, ctx: AdapterContext, lib: DecoratorRouting): string {
  if (!lib.configFiles) return '';
  const root = ctx.workspace.appRootOf(file);
  const rel = path.relative(root, file).split(path.sep).join('/');
  const bases = new Set<string>();
  for (const { json } of ctx.workspace.configFiles(root, new RegExp(lib.configFiles))) {
    const cfg = json as
      { controllerPathGlobs?: unknown; routes?: { basePath?: unknown }; spec?: { basePath?: unknown } } | undefined;
    if (!cfg || typeof cfg !== 'object') continue;
    const globs = Array.isArray(cfg.controllerPathGlobs)
      ? cfg.controllerPathGlobs.filter((g): g is string => typeof g === 'string')
      : [];
    if (globs.length && !globs.some((g) => globToRegExp(g).test(rel))) continue;
    const base = cfg.routes?.basePath ?? cfg.spec?.basePath;
    bases.add(typeof base === 'string' ? base : '');
  }
  return bases.size === 1 ? [...bases][0] : '';
}

/** A file glob (`**`, `*`, `?`, `{a,b}`) as a regular expression on a path relative to the application. */
function globToRegExp(glob: string): RegExp {
  const esc = (t: string): string => t.replace(/[.+^$()|[\]\\]/g, '\\$&');
  const g = glob.replace(/^\.\//, '');
  let re = '';
  for (let i = 0; i < g.length; i++) {
    const ch = g[i];
    if (ch === '*' && g[i + 1] === '*') {
      const dir = g[i + 2] === '/';
      re += dir ? '(?:.*/)?' : '.*';
      i += dir ? 2 : 1;
    } else if (ch === '*') re += '[^/]*';
    else if (ch === '?') re += '[^/]';
    else if (ch === '{' && g.indexOf('}', i) > i) {
      const end = g.indexOf('}', i);
      const alts = g.slice(i + 1, end).split(',');
      re += `(?:${alts.map((a) => a.split('*').map(esc).join('[^/]*')).join('|')})`;
      i = end;
    } else re += esc(ch);
  }
  return new RegExp(`^${re}$`);
}

export function decoratorEndpoints(
  ctx: AdapterContext,
  /** Controller methods a generated route file dispatches to: listed there, at the path it serves them. */
  dispatched: ReadonlySet<ts.Node> = new Set(),
): Endpoint[] {
  const libs = ruleFile('frameworks').decoratorRouting;
  const files: ts.SourceFile[] = [];
  for (const file of ctx.candidates) {
    const text = ctx.store.text(file, false);
    if (!text || !libs.some((l) => text.includes(l.module))) continue;
    const sf = ctx.store.get(file);
    if (sf) files.push(sf);
  }
  if (!files.length) return [];

  const controllers = new Map<ts.ClassLikeDeclaration, Controller>();
  for (const sf of files) {
    ctx.values.session.contain(
      sf.fileName,
      'extract',
      () => {
        for (const st of sf.statements) {
          if (!ts.isClassDeclaration(st)) continue;
          let found: Controller | undefined;
          const children: ts.Expression[] = [];
          const middleware: ts.Expression[] = [];
          for (const d of decoratorsOf(st)) {
            const dec = decoratorOf(d, ctx, libs);
            if (!dec) continue;
            if (dec.lib.controllers.includes(dec.name)) {
              found = { cls: st, lib: dec.lib, path: pathArg(dec.call, ctx, dec.lib), middleware, children: [] };
              if (dec.lib.middlewareAfterPath) middleware.push(...middlewareArgs(dec.call, 1));
            } else if (dec.lib.children?.includes(dec.name) && dec.call?.arguments[0])
              children.push(dec.call.arguments[0]);
            else if (dec.lib.middleware?.includes(dec.name)) middleware.push(...middlewareArgs(dec.call, 0));
          }
          if (!found) continue;
          found.children = children.flatMap((c) => classesIn(c, ctx));
          controllers.set(st, found);
        }
      },
      () => undefined,
      { wholeFile: true },
    );
  }

  // where each controller is served: under each parent that lists it as a child, else at the top
  const parents = new Map<ts.ClassLikeDeclaration, Controller[]>();
  for (const c of controllers.values())
    for (const child of c.children) {
      let list = parents.get(child);
      if (!list) parents.set(child, (list = []));
      list.push(c);
    }
  const prefixes = new Map<DecoratorRouting, (cls: ts.ClassLikeDeclaration) => string>();
  const mountsOf = (c: Controller, seen: Set<Controller>): { path: string; middleware: ts.Expression[] }[] => {
    const own = { path: c.path, middleware: c.middleware };
    const ps = (parents.get(c.cls) ?? []).filter((p) => !seen.has(p));
    if (!ps.length) {
      let prefixOf = prefixes.get(c.lib);
      if (!prefixOf) prefixes.set(c.lib, (prefixOf = serverPrefixes(c.lib, ctx)));
      const prefix = prefixOf(c.cls);
      const generated = generatorBasePath(c.cls.getSourceFile().fileName, ctx, c.lib);
      return [{ path: joinPaths(joinPaths(prefix, generated), own.path), middleware: own.middleware }];
    }
    return ps.flatMap((p) =>
      mountsOf(p, new Set([...seen, c])).map((m) => ({
        path: joinPaths(m.path, own.path),
        middleware: [...m.middleware, ...own.middleware],
      })),
    );
  };

  const out: Endpoint[] = [];
  for (const c of controllers.values()) {
    const mounts = mountsOf(c, new Set([c]));
    for (const m of c.cls.members) {
      if (!ts.isMethodDeclaration(m) || !m.body || dispatched.has(m)) continue;
      const routes: { method: HttpMethod; path: string; anchor: ts.Node; middleware: ts.Expression[] }[] = [];
      const methodMiddleware: ts.Expression[] = [];
      for (const d of decoratorsOf(m)) {
        const dec = decoratorOf(d, ctx, [c.lib]);
        if (!dec) continue;
        const verb = c.lib.routes[dec.name];
        if (verb) {
          routes.push({
            method: verb as HttpMethod,
            path: pathArg(dec.call, ctx, c.lib),
            anchor: d,
            middleware: c.lib.middlewareAfterPath ? middlewareArgs(dec.call, 1) : [],
          });
        } else if (c.lib.middleware?.includes(dec.name)) methodMiddleware.push(...middlewareArgs(dec.call, 0));
      }
      for (const r of routes)
        for (const mount of mounts) {
          const seed = {
            framework: 'express' as const,
            method: r.method,
            path: joinPaths(mount.path, r.path) || '/',
            anchor: r.anchor,
            handlerExpr: m.name as ts.Expression,
          };
          out.push(
            containedEndpoint(seed, ctx, () => {
              const chain: ChainLink[] = [
                ...mount.middleware.map((x) => chainLink(x, 'router', ctx.values)),
                ...[...methodMiddleware, ...r.middleware].map((x) => chainLink(x, 'route', ctx.values)),
              ];
              return buildEndpoint(
                {
                  ...seed,
                  chain,
                  unwrapped: { fn: m, wrappers: [], name: `${c.cls.name?.text ?? 'controller'}.${m.name.getText()}` },
                },
                ctx,
              );
            }),
          );
        }
    }
  }
  return out;
}
