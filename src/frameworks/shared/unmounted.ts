// Routers that are built and exported but never mounted are not endpoints. A root router of the
// graph (nothing mounts or inlines it) is an application only when something can serve it: it is
// an application object (`express()`), it is not exported (a script that serves it itself), no other
// module imports it (an entry module: `export default app` for Workers and Bun), or a module that
// imports it serves it (`serve({ fetch: app.fetch })`, `handle(app)`, `app.listen`, re-exported as
// a default, or spread into the default export, `export default { ...app }`, a Worker's entry, or handed on as
// a plugin's or a module's app, `return { routes: api }`, for a host that calls its `fetch`).
// Otherwise its mount could not be resolved (or there is none): its routes are reported once as
// unmounted, in `errors[]`, never at root paths.
import path from 'node:path';
import { ts } from 'ts-morph';
import { findDeclaration } from '../../analysis/scope.js';
import { skipOuter } from '../../analysis/values.js';
import { isTestPath } from '../../project/prefilter.js';
import { relPosix } from '../../util.js';
import { readPackage } from '../../project/workspace.js';
import type { AdapterContext } from '../types.js';
import { evalPathWithEnv } from './paths.js';
import { joinPaths, type FlatRoute, type PathMatcher, type RouterGraph, type RouterNode } from './router-graph.js';

/** Calls and members that serve an application object given to them. */
const SERVES = (name: string): RegExp => {
  const n = name.replace(/[$]/g, '\\$');
  return new RegExp(
    `\\b${n}\\s*\\.\\s*(fetch|listen|request|handle|callback)\\b|\\b(serve|handle|fire|createServer|createAdaptorServer|toNodeHandler|serverless|getRequestListener|showRoutes)\\s*\\(\\s*(\\{[^)]*?)?\\b${n}\\b|export\\s+default\\s+${n}\\b|export\\s+default\\s*\\{[^}]*\\.\\.\\.\\s*${n}\\b|export\\s*\\{[^}]*\\b${n}\\s+as\\s+default\\b|module\\.exports\\s*=\\s*${n}\\b|\\b(fetch|routes|router|app|handler)\\s*:\\s*${n}\\b`,
  );
};

interface Binding {
  decl?: ts.VariableDeclaration;
  name?: string;
  /** Export names of the router in its module ('default' included). */
  exports: string[];
}

/** The variable a router is created into and the names its module exports it under. */
function bindingOf(node: ts.Node, ctx: AdapterContext): Binding {
  let n: ts.Node = node;
  while (
    n.parent &&
    (ts.isCallExpression(n.parent) ||
      ts.isPropertyAccessExpression(n.parent) ||
      ts.isParenthesizedExpression(n.parent) ||
      ts.isAsExpression(n.parent) ||
      ts.isNonNullExpression(n.parent) ||
      ts.isSatisfiesExpression(n.parent) ||
      ts.isNewExpression(n.parent) ||
      ts.isAwaitExpression(n.parent))
  ) {
    if (ts.isCallExpression(n.parent) && n.parent.arguments.includes(n as ts.Expression)) break;
    n = n.parent;
  }
  const parent = n.parent;
  const out: Binding = { exports: [] };
  if (parent && ts.isExportAssignment(parent)) out.exports.push('default');
  if (parent && ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) {
    out.decl = parent;
    out.name = parent.name.text;
  }
  if (
    parent &&
    ts.isBinaryExpression(parent) &&
    parent.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
    /^(module\.)?exports\b/.test(parent.left.getText())
  )
    out.exports.push(parent.left.getText() === 'module.exports' ? 'default' : parent.left.getText().split('.').pop()!);
  const table = ctx.values.exportsOf(node.getSourceFile().fileName);
  if (table && out.decl) {
    for (const [name, entry] of table.named) {
      if (entry.decl === out.decl) out.exports.push(name);
      else if (entry.expr) {
        const x = skipOuter(entry.expr);
        if (ts.isIdentifier(x) && findDeclaration(x) === out.decl) out.exports.push(name);
      }
    }
    if (table.cjs) {
      const x = skipOuter(table.cjs);
      if (ts.isIdentifier(x) && findDeclaration(x) === out.decl) out.exports.push('default');
      if (ts.isObjectLiteralExpression(x)) {
        for (const p of x.properties) {
          const v = ts.isShorthandPropertyAssignment(p)
            ? p.name
            : ts.isPropertyAssignment(p)
              ? skipOuter(p.initializer)
              : undefined;
          if (v && ts.isIdentifier(v) && findDeclaration(v) === out.decl && p.name && ts.isIdentifier(p.name))
            out.exports.push(p.name.text);
        }
      }
    }
  }
  return out;
}

const SPEC = /(?:\bfrom\s*|\brequire\s*\(\s*|\bimport\s*\(\s*)['"]([^'"]+)['"]/g;

/** Which modules import which: specifiers read from text, resolved once. */
class ImportIndex {
  private readonly byTarget = new Map<string, string[]>();
  /** Files a test imports. */
  private readonly byTests = new Set<string>();
  /** The files the package's manifest hands its consumers: imported by them, never only a test's support module. */
  readonly entries: Set<string>;
  constructor(private readonly ctx: AdapterContext) {
    this.entries = packageEntries(ctx.root);
    for (const file of ctx.allSources) {
      const test = isTestPath(relPosix(ctx.root, file));
      const text = ctx.store.text(file, false);
      if (!text) continue;
      for (const m of text.matchAll(SPEC)) {
        if (!m[1].startsWith('.') && !m[1].startsWith('@/') && !m[1].startsWith('~/') && !m[1].startsWith('#')) {
          // a bare specifier reaches a project file only through tsconfig paths or a workspace package
          if (!ctx.workspace || m[1].startsWith('node:')) continue;
        }
        const r = ctx.values.resolver.resolve(m[1], file);
        if (r.kind !== 'file') continue;
        if (test) {
          this.byTests.add(r.file);
          continue;
        }
        const list = this.byTarget.get(r.file) ?? [];
        if (!list.includes(file)) list.push(file);
        this.byTarget.set(r.file, list);
      }
    }
  }
  /**
   * The modules that import `file`, tests left out, and so is a test's support module (`test-helpers.ts`
   * that imports the app to hand it to the tests): one only tests import.
   */
  importers(file: string): string[] {
    return (this.byTarget.get(file) ?? []).filter(
      (i) => this.byTarget.has(i) || !this.byTests.has(i) || this.isEntry(i) || this.entries.has(i),
    );
  }
  /**
   * A module with a default export or one that starts a server is an entry the platform loads (a Workers
   * `export default { fetch }`, `serve(app)`), even when tests import it too: it is no test's support module.
   */
  private isEntry(file: string): boolean {
    // (a harness under a test folder or named for one, `src/test-utils/server.ts`, starts a server for the tests)
    if (TEST_SUPPORT.test(relPosix(this.ctx.root, file))) return false;
    const text = this.ctx.store.text(file, false) ?? '';
    return /(^|\n)\s*export\s+default\b|\bexport\s*\{[^}]*\bas\s+default\b/.test(text) || STARTS_SERVER.test(text);
  }
}

/** A module kept for tests by its folder or name (`test-utils/`, `__mocks__/`, `testServer.ts`, `fixtures/`). */
const TEST_SUPPORT =
  /(^|\/)(tests?|__tests__|test-?utils|test-?helpers|testing|specs?|__mocks__|mocks?|fixtures?|e2e|harness)(\/|$)|(^|\/)[^/]*(test|spec|mock|fixture|harness)[^/]*\.[cm]?[jt]sx?$/i;

/** Local names an importer gives to `exports` of `target` (type-only imports do not count); re-exports. */
function localNames(
  importer: string,
  target: string,
  exports: string[],
  ctx: AdapterContext,
): { names: string[]; reexports: string[] } {
  const text = ctx.store.text(importer, false) ?? '';
  const names: string[] = [];
  const reexports: string[] = [];
  const stem = path.basename(target).replace(/\.[cm]?[jt]sx?$/, '');
  const dir = path.basename(path.dirname(target));
  const mentions = (spec: string): boolean => {
    const last = spec
      .split('/')
      .pop()!
      .replace(/\.[cm]?[jt]sx?$/, '');
    return last === stem || (stem === 'index' && last === dir);
  };
  for (const m of text.matchAll(
    /import\s+(type\s+)?([\w$]+)?\s*,?\s*(?:\{([^}]*)\})?\s*(?:\*\s+as\s+([\w$]+))?\s*from\s*['"]([^'"]+)['"]/g,
  )) {
    if (m[1] || !mentions(m[5])) continue;
    if (m[2] && exports.includes('default')) names.push(m[2]);
    if (m[3])
      for (const part of m[3].split(',')) {
        if (/^\s*type\s/.test(part)) continue;
        const [orig, alias] = part.trim().split(/\s+as\s+/);
        if (orig && exports.includes(orig.trim())) names.push((alias ?? orig).trim());
      }
    if (m[4]) for (const e of exports) names.push(e === 'default' ? `${m[4]}.default` : `${m[4]}.${e}`);
  }
  for (const m of text.matchAll(
    /(?:const|let|var)\s+(?:([\w$]+)|\{([^}]*)\})\s*=\s*require\(\s*['"]([^'"]+)['"]\s*\)(?:\.([\w$]+))?/g,
  )) {
    if (!mentions(m[3])) continue;
    if (m[1]) names.push(m[4] ? m[1] : m[1]);
    if (m[2])
      for (const part of m[2].split(',')) {
        const [orig, alias] = part.trim().split(/\s*:\s*/);
        if (orig && exports.includes(orig.trim())) names.push((alias ?? orig).trim());
      }
  }
  // a module loaded when it runs (`const { createApp } = await import('./api/app')`, `const m = await import('./x')`)
  for (const m of text.matchAll(
    /(?:const|let|var)\s+(?:([\w$]+)|\{([^}]*)\})\s*=\s*(?:await\s+)?import\(\s*['"]([^'"]+)['"]\s*\)/g,
  )) {
    if (!mentions(m[3])) continue;
    // (a lazy load hands the module on in ways text cannot follow, `_app = module.default; _app.fetch(…)`:
    // it may serve or call anything it loads)
    names.push('');
    if (m[1]) for (const e of exports) names.push(`${m[1]}.${e}`);
    if (m[2])
      for (const part of m[2].split(',')) {
        const [orig, alias] = part.trim().split(/\s*:\s*/);
        if (orig && exports.includes(orig.trim())) names.push((alias ?? orig).trim());
      }
  }
  for (const m of text.matchAll(/export\s*(\*|\{([^}]*)\})\s*from\s*['"]([^'"]+)['"]/g)) {
    if (!mentions(m[3])) continue;
    if (m[1] === '*') reexports.push(...exports.filter((e) => e !== 'default'));
    else
      for (const part of m[2].split(',')) {
        const [orig, alias] = part.trim().split(/\s+as\s+/);
        if (orig && exports.includes(orig.trim())) reexports.push((alias ?? orig).trim());
      }
  }
  // `require('./x')(app)`, `app.use(require('./x'))`: used in place, mounted or served there
  if (
    new RegExp(`require\\(\\s*['"][^'"]*${stem.replace(/[.$]/g, '\\$&')}(\\.[cm]?[jt]sx?)?['"]\\s*\\)\\s*[(,)]`).test(
      text,
    )
  )
    names.push('');
  return { names, reexports };
}

/**
 * Roots of the graph that nothing serves: exported, imported elsewhere, and never mounted or served
 * there. A root imported by a file that could not be analysed may be mounted there: it is kept, and
 * `uncertain` says why its mount (prefix, middleware) is unknown.
 */
export function unmountedRoots(
  graph: RouterGraph,
  ctx: AdapterContext,
  uncertain?: Map<RouterNode, string>,
): Set<RouterNode> {
  const out = new Set<RouterNode>();
  let index: ImportIndex | undefined;
  for (const root of graph.roots()) {
    if (root.param || root.guessed || root.derived || root.app || !root.node) continue;
    const b = bindingOf(root.node, ctx);
    const sf = root.node.getSourceFile();
    if (!b.exports.length) {
      // built and returned by an exported factory (`export function createApiRoutes() { const api = new Hono(); …
      // return api }`) that only tests call: the project shows where it is used, and no module serves it.
      // A factory nothing in the tree calls is kept (an entry outside the tree may call it).
      const factory = returningFactory(root.node, b, ctx);
      if (
        factory &&
        calledInTests(factory, ctx) &&
        !factoryCalled(sf.fileName, factory, ctx, (index ??= new ImportIndex(ctx)))
      )
        out.add(root);
      continue;
    }
    // its own module exporting it is not serving it: the importers decide
    if (
      b.name &&
      SERVES(b.name).test(sf.text.replace(/export\s+default\s+[\w$]+\s*;?|module\.exports\s*=\s*[\w$]+/g, ''))
    )
      continue;
    index ??= new ImportIndex(ctx);
    let served = false;
    let imported = false;
    const seen = new Set<string>();
    const visit = (target: string, exports: string[], depth: number): void => {
      if (served || depth > 3 || seen.has(target)) return;
      seen.add(target);
      // re-exported by the package's own entry: its consumers, outside the scanned folder, serve it
      if (depth > 0 && index!.entries.has(target)) {
        served = true;
        return;
      }
      for (const importer of index!.importers(target)) {
        const { names, reexports } = localNames(importer, target, exports, ctx);
        if (names.length || reexports.length) imported = true;
        // a broken importer never hides the router's routes: they are listed, their mount unknown
        const failure = ctx.values.session.failureOf(importer);
        if (failure !== undefined && (names.length || reexports.length)) {
          uncertain?.set(
            root,
            `it is imported by ${relPosix(ctx.root, importer)}, which could not be analysed (${failure}): where it is mounted and behind which middleware is unknown`,
          );
          served = true;
          return;
        }
        const text = ctx.store.text(importer, false) ?? '';
        if (
          names
            .flatMap((n) => [n, ...aliases(n, text)])
            .some(
              (n) =>
                n === '' || SERVES(n).test(text) || handedToServer(importer, n, ctx) || usedByPage(importer, n, text),
            )
        ) {
          served = true;
          return;
        }
        if (reexports.length) visit(importer, reexports, depth + 1);
      }
    };
    visit(sf.fileName, b.exports, 0);
    if (imported && !served) out.add(root);
  }
  return out;
}

/**
 * Variables an importer makes from the router it imported: the router itself or a chain of calls on it
 * (`const router = app.route('/auth', auth).route('/admin', admin)`; a chain of mounts returns the app),
 * then served under that name (`export default { fetch: router.fetch }`).
 */
function aliases(name: string, text: string): string[] {
  if (!name) return [];
  const n = name.replace(/[$.]/g, '\\$&');
  return [...text.matchAll(new RegExp(`\\b(?:const|let|var)\\s+([\\w$]+)\\s*=\\s*${n}\\s*(?:[.;\\n]|$)`, 'g'))].map(
    (m) => m[1],
  );
}

/** A Next.js pages API route file (`pages/api/…`, `src/pages/api/…`). */
const PAGES_API = /(^|\/)pages\/api\//;

/**
 * Is the router `name` used by the handler a pages API route exports (`export default nc().use(router)`)?
 * next-connect hands such a router every request of the route with its whole URL: its routes are
 * served at the paths they are written with.
 */
function usedByPage(file: string, name: string, text: string): boolean {
  if (!PAGES_API.test(file.replace(/\\/g, '/'))) return false;
  const word = new RegExp(`(^|[^\\w$])${name.replace(/[$]/g, '\\$')}($|[^\\w$])`);
  // every `.use(…)` call's arguments, read up to its own closing parenthesis (`use(rateLimit({ max }), router)`)
  for (const m of text.matchAll(/\.\s*use\s*\(/g)) {
    let depth = 1;
    let i = m.index + m[0].length;
    const start = i;
    for (; i < text.length && depth > 0; i++) {
      if (text[i] === '(') depth++;
      else if (text[i] === ')') depth--;
    }
    if (word.test(text.slice(start, i - 1))) return true;
  }
  return false;
}

/** What starts a server in a function or class body (`serve({ fetch })`, `Bun.serve`, `app.listen(port)`). */
const STARTS_SERVER =
  /\b(serve|createServer|createAdaptorServer)\s*\(|\b(Bun|Deno)\s*\.\s*serve\s*\(|\.\s*listen\s*\(|\bfetch\s*:/;

/**
 * Is the router `name` handed, in `file`, to a project function that starts a server (`server().start(app)`
 * with `start(app) { serve({ fetch: app.fetch }) }`)? The function's own body, or its class's, says so.
 */
function handedToServer(file: string, name: string, ctx: AdapterContext): boolean {
  const sf = ctx.store.get(file);
  if (!sf || !new RegExp(`[(,]\\s*${name.replace(/[$]/g, '\\$')}\\s*[,)]`).test(sf.text)) return false;
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found) return;
    if (
      ts.isCallExpression(n) &&
      n.arguments.some((a) => ts.isIdentifier(skipOuter(a)) && (skipOuter(a) as ts.Identifier).text === name)
    )
      for (const v of ctx.values.resolve(n.expression)) {
        if (v.kind !== 'function' || !v.node.body) continue;
        const holder = ts.isClassLike(v.node.parent) ? v.node.parent : v.node;
        if (STARTS_SERVER.test(holder.getText())) found = true;
      }
    if (!found) ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

/** The export names of the function that builds this router and returns it, if that function is exported. */
function returningFactory(node: ts.Node, b: Binding, ctx: AdapterContext): string[] | undefined {
  let fn: ts.Node | undefined = node.parent;
  while (fn && !ts.isFunctionLike(fn)) fn = fn.parent;
  if (!fn || !('body' in fn) || !fn.body || !b.name) return undefined;
  const name = b.name;
  let returned = false;
  const visit = (n: ts.Node): void => {
    if (returned || (n !== fn && ts.isFunctionLike(n))) return;
    if (ts.isReturnStatement(n) && n.expression) {
      const x = skipOuter(n.expression);
      if (ts.isIdentifier(x) && x.text === name) returned = true;
    }
    ts.forEachChild(n, visit);
  };
  visit(fn.body);
  if (!returned) return undefined;
  const decl = ts.isFunctionDeclaration(fn)
    ? fn
    : fn.parent && ts.isVariableDeclaration(fn.parent)
      ? fn.parent
      : undefined;
  if (!decl) return undefined;
  const table = ctx.values.exportsOf(node.getSourceFile().fileName);
  const names: string[] = [];
  for (const [n, entry] of table?.named ?? []) {
    if (entry.decl === decl) names.push(n);
    else if (
      entry.expr &&
      ts.isIdentifier(skipOuter(entry.expr)) &&
      findDeclaration(skipOuter(entry.expr) as ts.Identifier) === decl
    )
      names.push(n);
  }
  return names.length ? names : undefined;
}

/** Does a test file call one of these names? */
function calledInTests(names: string[], ctx: AdapterContext): boolean {
  const re = new RegExp(`\\b(${names.map((n) => n.replace(/[.$]/g, '\\$&')).join('|')})\\s*\\(`);
  return ctx.allSources.some((f) => isTestPath(relPosix(ctx.root, f)) && re.test(ctx.store.text(f, false) ?? ''));
}

/**
 * Does a module (tests aside) import the factory and call it, directly or through re-exports? A factory the
 * package's own entry exports (`export { createApiApp } from './app'` in the file its package.json names) is the
 * package's API: the application deploying it calls it, from outside the scanned folder.
 */
function factoryCalled(file: string, exports: string[], ctx: AdapterContext, index: ImportIndex): boolean {
  const seen = new Set<string>();
  const visit = (target: string, names: string[], depth: number): boolean => {
    if (depth > 3 || seen.has(target)) return false;
    seen.add(target);
    if (depth > 0 && index.entries.has(target)) return true;
    for (const importer of index.importers(target)) {
      const { names: local, reexports } = localNames(importer, target, names, ctx);
      // a module that could not be analysed, or one that uses the factory in place, may call it
      if (ctx.values.session.failureOf(importer) !== undefined && (local.length || reexports.length)) return true;
      // import lines are left out (a name continued on the lines of a multi-line import still counts: kept)
      const text = (ctx.store.text(importer, false) ?? '').replace(/^\s*import\b[^\n]*$/gm, '');
      if (local.some((n) => n === '' || new RegExp(`\\b${n.replace(/[.$]/g, '\\$&')}\\b`).test(text))) return true;
      if (reexports.length && visit(importer, reexports, depth + 1)) return true;
    }
    return false;
  };
  // called in its own module, outside its declaration (`const app = createApp(); export default app`)
  const own = ctx.store.text(file, false) ?? '';
  if (exports.some((n) => new RegExp(`(?<!function\\s+)\\b${n.replace(/[.$]/g, '\\$&')}\\s*\\(`).test(own)))
    return true;
  return visit(file, exports, 0);
}

/**
 * The source files a package's manifest names as what it hands its consumers (`main`, `module`, `types`,
 * `exports['.']`), a built file's source beside it (`dist/index.js` → `src/index.ts`).
 */
function packageEntries(root: string): Set<string> {
  const pkg = readPackage(path.join(root, 'package.json'));
  const out = new Set<string>();
  if (!pkg) return out;
  const named: string[] = [];
  const pick = (v: unknown, depth = 0): void => {
    if (typeof v === 'string') named.push(v);
    else if (v && typeof v === 'object' && depth < 3)
      for (const [k, x] of Object.entries(v as Record<string, unknown>))
        if (!k.startsWith('./') || k === '.') pick(x, depth + 1);
  };
  for (const k of ['main', 'module', 'types', 'source']) pick(pkg.json[k]);
  pick(pkg.json.exports);
  for (const n of named) {
    const abs = path.resolve(root, n);
    const stem = abs.replace(/\.(d\.ts|[cm]?[jt]sx?)$/, '');
    for (const base of [stem, stem.replace(/([\\/])(dist|build|lib|out)([\\/])/, '$1src$3')])
      for (const ext of ['.ts', '.tsx', '.mts', '.js', '.mjs', '.cjs']) out.add(base + ext);
  }
  return out;
}

/** One note per unmounted router, with its routes (never endpoints). */
export function reportUnmounted(routes: FlatRoute[], ctx: AdapterContext, framework: string): void {
  const byRoot = new Map<RouterNode, FlatRoute[]>();
  for (const r of routes) {
    const list = byRoot.get(r.root) ?? [];
    list.push(r);
    byRoot.set(r.root, list);
  }
  for (const [root, list] of byRoot) {
    const shown = list.slice(0, 12).map((r) => `${r.method} ${r.path || '/'}`);
    const more = list.length > shown.length ? `, … ${list.length - shown.length} more` : '';
    const line = root.node ? root.node.getSourceFile().getLineAndCharacterOfPosition(root.node.getStart()).line + 1 : 0;
    ctx.errors.push({
      file: root.file,
      phase: 'extract',
      message: `${framework} router (line ${line}) is exported but never mounted: its ${list.length} route${list.length === 1 ? '' : 's'} are not reported as endpoints (${shown.join(', ')}${more})`,
    });
    // the files its routes are written in (sub-routers, registrars) are named too: each says what it loses
    const byFile = new Map<string, number>();
    for (const r of list) {
      const f = r.anchor.getSourceFile().fileName;
      if (f !== root.file) byFile.set(f, (byFile.get(f) ?? 0) + 1);
    }
    for (const [f, n] of byFile)
      ctx.errors.push({
        file: f,
        phase: 'extract',
        message: `${framework}: ${n} route${n === 1 ? '' : 's'} written here ${n === 1 ? 'belongs' : 'belong'} to the router at ${relPosix(ctx.root, root.file)}:${line}, which is exported but never mounted: not reported as endpoints`,
      });
  }
}

/**
 * Resolution budgets reached while this adapter extracted (`values.limits` from `from` on): one note
 * per file, so a registration that may be missing because of a bound is never a silent drop.
 */
export function reportLimits(ctx: AdapterContext, from: number, framework: string): void {
  const byFile = new Map<string, Set<string>>();
  for (const l of ctx.values.limits.slice(from)) {
    const set = byFile.get(l.file) ?? new Set<string>();
    set.add(`${l.line} (${l.kind})`);
    byFile.set(l.file, set);
  }
  for (const [file, lines] of byFile) {
    const list = [...lines];
    ctx.errors.push({
      file,
      phase: 'extract',
      message: `${framework}: value resolution budget reached at line${list.length === 1 ? '' : 's'} ${list.slice(0, 8).join(', ')}${list.length > 8 ? ', …' : ''}; registrations that depend on these values may be missing`,
    });
  }
}

/**
 * The routes a router framework serves: routes of unmounted roots are reported once (not served),
 * the rest flattened with their full paths; the analysis limits hit while collecting are reported.
 */
export function servedRoutes(
  graph: RouterGraph,
  ctx: AdapterContext,
  framework: string,
  opts: {
    matches: PathMatcher;
    passes: (r: FlatRoute) => boolean;
    unmounted: ReadonlySet<RouterNode>;
    limitsBefore: number;
  },
): FlatRoute[] {
  reportUnmounted(
    graph.flatten(opts.matches, joinPaths, evalPathWithEnv(ctx), opts.passes, (n) => opts.unmounted.has(n)),
    ctx,
    framework,
  );
  const routes = graph.flatten(
    opts.matches,
    joinPaths,
    evalPathWithEnv(ctx),
    opts.passes,
    (n) => !opts.unmounted.has(n),
  );
  reportLimits(ctx, opts.limitsBefore, framework);
  ctx.stats.routers += graph.all.length;
  return routes;
}
