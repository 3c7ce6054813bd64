// Module specifier → file. Relative paths, tsconfig `paths`/`baseUrl`, and workspace packages
// (a monorepo's `@acme/auth` → packages/auth/src). Anything else is an external package, and so
// is a target outside the tree (tree.ts): a `..` or absolute import that climbs out, an alias or a
// workspace entry pointing out, a symbolic link leading out. Nothing outside the tree is opened.
import fs from 'node:fs';
import path from 'node:path';
import type { Tree } from './tree.js';
import { TsconfigReader, type PathAliases } from './tsconfig.js';
import { readPackage, type Workspace, type PackageInfo } from './workspace.js';
import { denoTarget, readImportMap, type ImportMap } from './import-map.js';
import { ruleFile } from '../rules/load.js';

export type Resolution =
  | { kind: 'file'; file: string }
  /** `outside`: the target exists, but outside the tree (never read: its guards cannot be verified). */
  | { kind: 'external'; module: string; outside?: boolean }
  | { kind: 'missing'; spec: string };

const EXTS = ['.ts', '.tsx', '.js', '.jsx', '.mjs', '.cjs', '.mts', '.cts'];
const JS_TO_TS: Record<string, string[]> = {
  '.js': ['.ts', '.tsx'],
  '.jsx': ['.tsx'],
  '.mjs': ['.mts'],
  '.cjs': ['.cts'],
};

/** Conditions a plain `node` run matches in an `imports` or `exports` map (`source` is a bundler's, read first when listed first). */
const RUN_CONDITIONS = new Set(['source', 'node', 'import', 'require', 'module', 'default']);

export class ModuleResolver {
  private readonly fileCache = new Map<string, 'file' | 'none' | 'outside'>();
  private readonly aliasCache = new Map<string, PathAliases | null>();
  /** Resolutions by importing file, then specifier (asked again for every lookup through an import). */
  private readonly byFile = new Map<string, Map<string, Resolution>>();
  /** Resolutions by importing folder and specifier: files of one folder share them. */
  private readonly resolveCache = new Map<string, Resolution>();
  private readonly tsconfigs: TsconfigReader;
  /** What resolution may reach. */
  readonly tree: Tree;
  /** Set by `isFile` when a candidate exists but lies outside the tree. */
  private leftTree = false;

  constructor(
    private readonly root: string,
    private readonly workspace: Workspace,
    /** Files discovery listed: existence inside the scanned tree is a set lookup. */
    private readonly known?: ReadonlySet<string>,
  ) {
    this.tree = workspace.tree;
    this.tsconfigs = new TsconfigReader(this.tree);
  }

  private isFile(p: string): boolean {
    if (
      this.known &&
      EXTS.includes(path.extname(p)) &&
      !p.endsWith('.d.ts') &&
      p.startsWith(this.root + path.sep) &&
      !p.includes(`${path.sep}node_modules${path.sep}`)
    ) {
      if (this.known.has(p)) return true;
      // the tree was listed without build folders and dot folders: only those need the file system
      if (!/[\\/](dist|build|out|coverage|\.[^\\/]+)[\\/]/.test(p.slice(this.root.length))) return false;
    }
    // outside the tree: not looked at
    if (!this.tree.containsPath(p)) {
      this.leftTree = true;
      return false;
    }
    let hit = this.fileCache.get(p);
    if (hit === undefined) {
      try {
        // (an absent candidate, the usual answer, without a thrown error)
        const st = fs.lstatSync(p, { throwIfNoEntry: false });
        hit = st?.isFile() && !p.split(path.sep).includes('node_modules') ? 'file' : 'none';
      } catch {
        hit = 'none';
      }
      // a folder on the way may be a symbolic link that leads out of the tree
      if (hit === 'file' && !this.tree.contains(p)) hit = 'outside';
      this.fileCache.set(p, hit);
    }
    if (hit === 'outside') this.leftTree = true;
    return hit === 'file';
  }

  /** Tries `p` as a file, with source extensions, as a folder index, and `.js` → `.ts`. */
  probe(p: string): string | undefined {
    return (
      this.probeWith(p, (q) => (this.isFile(q) ? q : undefined)) ??
      // a path that differs from the file only in letter case (`./routes/admin.js` for `Routes/admin.js`):
      // the file a case-insensitive file system (macOS, Windows) opens, where the project runs
      this.probeWith(p, (q) => this.caseFolded(q))
    );
  }

  private probeWith(p: string, found: (q: string) => string | undefined): string | undefined {
    const ext = path.extname(p);
    if (ext && EXTS.includes(ext)) {
      const hit = found(p);
      if (hit) return hit;
    }
    if (JS_TO_TS[ext]) {
      for (const alt of JS_TO_TS[ext]) {
        const hit = found(p.slice(0, -ext.length) + alt);
        if (hit) return hit;
      }
    }
    for (const e of EXTS) {
      const hit = found(p + e);
      if (hit) return hit;
    }
    for (const e of EXTS) {
      const hit = found(path.join(p, `index${e}`));
      if (hit) return hit;
    }
    return undefined;
  }

  /** Listed source files by their lower-case path (one that two files share folds to none). */
  private folded?: Map<string, string | null>;

  private caseFolded(p: string): string | undefined {
    if (!this.known || !p.startsWith(this.root + path.sep) || p.endsWith('.d.ts')) return undefined;
    if (!this.folded) {
      this.folded = new Map();
      for (const f of this.known) {
        const k = f.toLowerCase();
        this.folded.set(k, this.folded.has(k) ? null : f);
      }
    }
    return this.folded.get(p.toLowerCase()) ?? undefined;
  }

  private aliasesFor(file: string): PathAliases | undefined {
    let dir = path.dirname(file);
    const visited: string[] = [];
    let found: PathAliases | undefined;
    for (;;) {
      const cached = this.aliasCache.get(dir);
      if (cached !== undefined) {
        found = cached ?? undefined;
        break;
      }
      visited.push(dir);
      let cfg: string | undefined;
      for (const name of ['tsconfig.json', 'jsconfig.json']) {
        const c = path.join(dir, name);
        if (this.isFile(c)) {
          cfg = c;
          break;
        }
      }
      if (cfg) {
        found = this.tsconfigs.load(cfg);
        break;
      }
      // the nearest config upward, as tsc finds it, up to the top of the tree
      const parent = path.dirname(dir);
      if (dir === this.tree.root || dir === this.tree.realRoot || parent === dir || !this.tree.containsPath(parent))
        break;
      dir = parent;
    }
    for (const v of visited) this.aliasCache.set(v, found ?? null);
    return found;
  }

  /**
   * The nearest folder above a file (inside the tree) for which `read` finds something, with every folder
   * visited on the way remembered in `cache` (a folder that holds nothing answers what its parent does).
   */
  private nearestUp<T>(
    file: string,
    cache: Map<string, T | null>,
    read: (dir: string) => T | undefined,
  ): T | undefined {
    const visited: string[] = [];
    let found: T | undefined;
    for (let dir = path.dirname(file); this.tree.contains(dir);) {
      const hit = cache.get(dir);
      if (hit !== undefined) {
        found = hit ?? undefined;
        break;
      }
      visited.push(dir);
      const own = read(dir);
      if (own) {
        found = own;
        break;
      }
      const parent = path.dirname(dir);
      if (parent === dir || dir === this.tree.root || dir === this.tree.realRoot) break;
      dir = parent;
    }
    for (const v of visited) cache.set(v, found ?? null);
    return found;
  }

  private readonly importMapCache = new Map<string, ImportMap | null>();

  /** The import map of the nearest deno.json / deno.jsonc above a file, inside the tree. */
  private importMapFor(file: string): ImportMap | undefined {
    return this.nearestUp(file, this.importMapCache, (dir) => readImportMap(dir, this.tree));
  }

  private readonly nearestCache = new Map<string, PackageInfo | null>();

  /** The package.json nearest above a file, inside the tree (a workspace package outside the scanned folder too). */
  private nearestPackage(file: string): PackageInfo | undefined {
    return this.nearestUp(
      file,
      this.nearestCache,
      (dir) => this.workspace.packageAt(dir) ?? readPackage(path.join(dir, 'package.json')),
    );
  }

  /** `#x` through the `imports` field of the package the importing file belongs to (exact keys, then `#*` patterns). */
  private subpathImport(spec: string, fromFile: string): string | undefined {
    const pkg = this.nearestPackage(fromFile);
    const imports = pkg?.json.imports;
    if (!pkg || !imports || typeof imports !== 'object') return undefined;
    const map = imports as Record<string, unknown>;
    const targets: string[] = [];
    // conditions as Node picks them: the first key, in the object's own order, that a plain run matches
    // (`types` is for the type checker, `development` and `production` only when asked for)
    const collect = (v: unknown, star: string): void => {
      if (typeof v === 'string') targets.push(v.replace('*', star));
      else if (Array.isArray(v)) v.forEach((x) => collect(x, star));
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        const key = Object.keys(o).find((k) => RUN_CONDITIONS.has(k));
        if (key) collect(o[key], star);
        // then the other conditions' targets (`development: './src/x.ts'` beside `default: './dist/x.js'`): a
        // built file absent from the tree is found through the source another condition names
        for (const k of Object.keys(o)) if (k !== key && k !== 'types') collect(o[k], star);
      }
    };
    if (spec in map) collect(map[spec], '');
    else {
      // the longest matching pattern wins, as in Node
      let best: { key: string; star: string } | undefined;
      for (const key of Object.keys(map)) {
        const i = key.indexOf('*');
        if (i < 0) continue;
        const pre = key.slice(0, i);
        const post = key.slice(i + 1);
        if (spec.startsWith(pre) && spec.endsWith(post) && spec.length >= pre.length + post.length)
          if (!best || pre.length > best.key.indexOf('*'))
            best = { key, star: spec.slice(pre.length, spec.length - post.length) };
      }
      if (best) collect(map[best.key], best.star);
    }
    for (const t of targets) {
      // a package named as the target (`"#wallet": "@acme/handlers"`)
      if (!t.startsWith('./')) {
        if (t.startsWith('#') || t.startsWith('/') || t.startsWith('.')) continue;
        const r = this.resolveInTree(t, fromFile);
        if (r.kind === 'file') return r.file;
        continue;
      }
      const abs = path.resolve(pkg.dir, t);
      const hit =
        this.probe(abs) ??
        this.probe(abs.replace(/([\\/])(dist|build|lib|out)([\\/])/, '$1src$3').replace(/\.(d\.ts|js|mjs|cjs)$/, ''));
      if (hit) return hit;
    }
    return undefined;
  }

  private packageEntry(pkg: PackageInfo, subpath: string): string | undefined {
    const json = pkg.json;
    const candidates: string[] = [];
    const pick = (v: unknown): void => {
      if (typeof v === 'string') candidates.push(v);
      else if (Array.isArray(v)) v.forEach(pick);
      else if (v && typeof v === 'object') {
        const o = v as Record<string, unknown>;
        for (const k of ['source', 'development', 'types', 'import', 'require', 'node', 'default'])
          if (k in o) pick(o[k]);
      }
    };
    const exportsField = json.exports;
    const key = subpath ? `./${subpath}` : '.';
    if (typeof exportsField === 'string' && !subpath) pick(exportsField);
    else if (exportsField && typeof exportsField === 'object') {
      const ex = exportsField as Record<string, unknown>;
      if (key in ex) pick(ex[key]);
      else if (!subpath && !Object.keys(ex).some((k) => k.startsWith('.'))) pick(ex);
      else {
        for (const [k, v] of Object.entries(ex)) {
          if (k.includes('*')) {
            const [pre, post] = k.split('*');
            if (key.startsWith(pre) && key.endsWith(post)) {
              const star = key.slice(pre.length, key.length - post.length);
              const sub: string[] = [];
              const collect = (x: unknown): void => {
                if (typeof x === 'string') sub.push(x.replace('*', star));
                else if (x && typeof x === 'object') Object.values(x).forEach(collect);
              };
              collect(v);
              candidates.push(...sub);
            }
          }
        }
      }
    }
    if (!subpath)
      for (const k of ['source', 'main', 'module', 'types', 'typings'])
        if (typeof json[k] === 'string') candidates.push(json[k]);
    if (subpath) candidates.push(subpath, `src/${subpath}`);
    else candidates.push('src/index', 'index');
    for (const c of candidates) {
      const abs = path.resolve(pkg.dir, c);
      const hit =
        this.probe(abs) ??
        this.probe(abs.replace(/([\\/])(dist|build|lib|out)([\\/])/, '$1src$3').replace(/\.d\.ts$/, '.ts'));
      if (hit) return hit;
      const noExt = abs.replace(/\.(d\.ts|js|mjs|cjs)$/, '');
      const viaSrc = this.probe(noExt.replace(/([\\/])(dist|build|lib|out)([\\/])/, '$1src$3'));
      if (viaSrc) return viaSrc;
      const viaRoot = this.builtSource(pkg.dir, noExt);
      if (viaRoot) return viaRoot;
    }
    return undefined;
  }

  /** A built entry (`dist/index.js`) of a package whose tsconfig compiles `rootDir` into `outDir`: its source (`lib/index.ts`). */
  private builtSource(pkgDir: string, noExt: string): string | undefined {
    // the package's build config (`tsconfig.build.json`) or its plain one; a rootDir left out is inferred by tsc
    // from the sources, which sit in `src/` or `lib/` by convention
    for (const name of ['tsconfig.build.json', 'tsconfig.json']) {
      const cfg = path.join(pkgDir, name);
      if (!this.tree.contains(cfg)) continue;
      const c = this.tsconfigs.load(cfg);
      if (!c?.outDir) continue;
      const rel = path.relative(c.outDir, noExt);
      if (rel.startsWith('..') || path.isAbsolute(rel)) continue;
      const roots = c.rootDir ? [c.rootDir] : [path.join(pkgDir, 'src'), path.join(pkgDir, 'lib'), pkgDir];
      for (const root of roots) {
        const hit = this.probe(path.join(root, rel));
        if (hit) return hit;
      }
    }
    return undefined;
  }

  /** A file a module-alias alias of the importing package names (`_moduleAliases` in its package.json). */
  private moduleAlias(spec: string, fromFile: string): string | undefined {
    const pkg = this.workspace.packageAt(this.workspace.appRootOf(fromFile));
    const table = pkg?.json._moduleAliases;
    if (!pkg || !table || typeof table !== 'object' || Array.isArray(table)) return undefined;
    let best: { key: string; target: string } | undefined;
    for (const [key, target] of Object.entries(table as Record<string, unknown>)) {
      if (typeof target !== 'string' || !key) continue;
      if ((spec === key || spec.startsWith(`${key}/`)) && (!best || key.length > best.key.length))
        best = { key, target };
    }
    if (!best) return undefined;
    const rest = spec.slice(best.key.length).replace(/^\//, '');
    return this.probe(path.resolve(pkg.dir, best.target, rest));
  }

  resolve(spec: string, fromFile: string): Resolution {
    let mine = this.byFile.get(fromFile);
    if (!mine) this.byFile.set(fromFile, (mine = new Map<string, Resolution>()));
    const known = mine.get(spec);
    if (known) return known;
    const key = `${path.dirname(fromFile)}\0${spec}`;
    let r = this.resolveCache.get(key);
    if (!r) this.resolveCache.set(key, (r = this.resolveUncached(spec, fromFile)));
    mine.set(spec, r);
    return r;
  }

  private resolveUncached(spec: string, fromFile: string): Resolution {
    this.leftTree = false;
    const r = this.resolveInTree(spec, fromFile);
    // a target that exists only outside the tree is a module the scan does not see, like a package
    if (r.kind === 'missing' && this.leftTree) return { kind: 'external', module: spec, outside: true };
    return r;
  }

  private resolveInTree(spec: string, fromFile: string, depth = 0): Resolution {
    if (typeof spec !== 'string' || spec === '') return { kind: 'missing', spec: String(spec ?? '') };
    if (spec.startsWith('node:')) return { kind: 'external', module: spec };
    // Deno: the import map of the nearest deno.json, and registry specifiers (`npm:hono@4`, `jsr:…`, deno.land/x URLs)
    if (!spec.startsWith('.') && !spec.startsWith('#') && !path.isAbsolute(spec) && depth < 4) {
      const t = denoTarget(spec, this.importMapFor(fromFile));
      if (t?.kind === 'path') {
        const hit = this.probe(t.file);
        return hit ? { kind: 'file', file: hit } : { kind: 'missing', spec };
      }
      if (t?.kind === 'package' && t.module !== spec) return this.resolveInTree(t.module, fromFile, depth + 1);
    }
    // Node subpath imports (`#env.ts`, `#handlers/trpc.ts`): the nearest package.json's `imports` map
    if (spec.startsWith('#')) {
      const hit = this.subpathImport(spec, fromFile);
      if (hit) return { kind: 'file', file: hit };
    }
    if (spec.startsWith('.') || path.isAbsolute(spec)) {
      const hit = this.probe(path.resolve(path.dirname(fromFile), spec));
      return hit ? { kind: 'file', file: hit } : { kind: 'missing', spec };
    }
    const aliases = this.aliasesFor(fromFile);
    if (aliases) {
      let best: { pattern: string; targets: string[]; star: string } | undefined;
      for (const { pattern, targets } of aliases.paths) {
        const i = pattern.indexOf('*');
        if (i < 0) {
          if (pattern === spec) best = { pattern, targets, star: '' };
          continue;
        }
        const pre = pattern.slice(0, i);
        const post = pattern.slice(i + 1);
        if (spec.startsWith(pre) && spec.endsWith(post) && spec.length >= pre.length + post.length) {
          if (!best || pre.length > best.pattern.indexOf('*'))
            best = { pattern, targets, star: spec.slice(pre.length, spec.length - post.length) };
        }
      }
      if (best) {
        for (const t of best.targets) {
          const hit = this.probe(path.resolve(aliases.base, t.replace('*', best.star)));
          if (hit) return { kind: 'file', file: hit };
        }
        // The project's own alias (`@shared/*`, not a catch-all `*`) leads out of the tree: a module
        // the scan does not read. (A catch-all may stand for packages: those go on as usual.)
        if (this.leftTree && best.pattern !== '*') return { kind: 'external', module: spec, outside: true };
      }
      if (aliases.baseUrl) {
        const hit = this.probe(path.resolve(aliases.baseUrl, spec));
        if (hit) return { kind: 'file', file: hit };
      }
    }
    // module-alias: the package's `_moduleAliases` (`"@routes": "routes"`) name folders of its own, and
    // `require('@routes/v1/index.js')` is a file there, whatever package shares the name
    const aliased = this.moduleAlias(spec, fromFile);
    if (aliased) return { kind: 'file', file: aliased };
    const parts = spec.split('/');
    const pkgName = spec.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
    // (an application that depends on a package of its own name, an app called `hono` built on Hono, imports
    // the dependency; another package of the workspace is still that package)
    const named = this.workspace.packageNamed(pkgName);
    const importer = this.workspace.packageAt(this.workspace.appRootOf(fromFile));
    const pkg = named && !(named.dir === importer?.dir && named.deps.has(pkgName)) ? named : undefined;
    if (pkg) {
      const entry = this.packageEntry(pkg, spec.slice(pkgName.length + 1));
      if (entry) return { kind: 'file', file: entry };
      return { kind: 'missing', spec };
    }
    // a settings package (node-config): `require('config')` reads the application's `config/default.js`
    const settings = ruleFile('frameworks').settingsModules?.[spec];
    const app = this.workspace.packageAt(this.workspace.appRootOf(fromFile));
    if (settings && app?.deps.has(spec)) {
      const hit = this.probe(path.resolve(app.dir, settings));
      if (hit) return { kind: 'file', file: hit };
    }
    // The package's own folder on the module path (module-alias `addPath('.')`, NODE_PATH=.):
    // `require('routes/v1/account.js')` names a file of the package when no dependency has that name.
    const own = this.workspace.packageAt(this.workspace.appRootOf(fromFile));
    if (own && !own.deps.has(pkgName) && !spec.startsWith('@') && parts.length > 1) {
      const hit = this.probe(path.resolve(own.dir, spec));
      if (hit) return { kind: 'file', file: hit };
    }
    return { kind: 'external', module: spec };
  }
}
