// Application roots and workspace packages, from every package.json in the scanned path, and
// the members of the workspace that holds it (scanning `apps/web` still resolves `@acme/auth`
// to `packages/auth`). Nothing outside the tree (tree.ts) is read.
import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { findTree, readJsonFile, workspacePatterns, type Tree } from './tree.js';

export interface PackageInfo {
  dir: string;
  name?: string;
  deps: Set<string>;
  json: Record<string, unknown>;
}

/** A package.json (BOM or not); undefined when it cannot be read or is not an object. */
export function readPackage(file: string): PackageInfo | undefined {
  const json = readJsonFile(file) as Record<string, unknown> | undefined;
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return undefined;
  const deps = new Set<string>();
  for (const key of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
    const d = json[key];
    if (d && typeof d === 'object') for (const k of Object.keys(d)) deps.add(k);
  }
  return { dir: path.dirname(file), name: typeof json.name === 'string' ? json.name : undefined, deps, json };
}

export class Workspace {
  readonly packages: PackageInfo[] = [];
  private readonly byDir = new Map<string, PackageInfo>();
  private readonly byName = new Map<string, PackageInfo>();

  /** What the scan may read: the repository holding the scanned path. */
  readonly tree: Tree;

  constructor(
    readonly root: string,
    packageJsons: string[],
    tree?: Tree,
  ) {
    this.tree = tree ?? findTree(root);
    for (const f of packageJsons) this.register(f);
    // Scanning a folder inside an application (`stepup-audit myapp/app`): its manifest is above, inside
    // the tree (or, outside any repository or workspace, a few folders up: its dependencies only, never code).
    if (!this.byDir.has(root)) {
      for (
        let dir = path.dirname(root), i = 0;
        dir !== path.dirname(dir) && (this.tree.containsPath(dir) || (this.tree.kind === 'path' && i < 8));
        dir = path.dirname(dir), i++
      ) {
        const p = readPackage(path.join(dir, 'package.json'));
        if (p) {
          this.add(p);
          this.outerRoot = p.dir;
          break;
        }
      }
    }
  }

  /** The application folder above the scan root, when the scan starts inside an application. */
  outerRoot?: string;

  private register(file: string): PackageInfo | undefined {
    const p = readPackage(file);
    if (p) this.add(p);
    return p;
  }

  private add(p: PackageInfo): void {
    this.packages.push(p);
    this.byDir.set(p.dir, p);
    if (p.name && !this.byName.has(p.name)) this.byName.set(p.name, p);
  }

  private members?: Map<string, PackageInfo>;

  /**
   * Packages of the workspace that holds the scanned path, outside the scanned path itself
   * (listed once, on the first name the scanned packages do not have). Used for resolution only.
   */
  private workspaceMembers(): Map<string, PackageInfo> {
    if (this.members) return this.members;
    this.members = new Map();
    const wsRoot = this.tree.workspaceRoot;
    if (!wsRoot || wsRoot === this.root || isBelow(wsRoot, this.root) || !this.tree.containsPath(wsRoot))
      return this.members;
    const patterns = (workspacePatterns(wsRoot) ?? []).filter(
      (p) => !p.startsWith('!') && !p.split('/').includes('..') && !/^[\\/]/.test(p),
    );
    if (!patterns.length) return this.members;
    const manifests = fg.sync(
      patterns.map((p) => `${p.replace(/\/+$/, '')}/package.json`),
      {
        cwd: wsRoot,
        ignore: ['**/node_modules/**'],
        followSymbolicLinks: false,
        onlyFiles: true,
        suppressErrors: true,
        absolute: true,
        dot: false,
      },
    );
    for (const f of manifests.sort()) {
      const file = path.resolve(f);
      if (!this.tree.contains(file)) continue;
      const p = readPackage(file);
      if (p?.name && !this.members.has(p.name)) this.members.set(p.name, p);
    }
    return this.members;
  }

  /** The nearest folder with a package.json at or above `file`, within the scan root; else the root. */
  appRootOf(file: string): string {
    let dir = path.dirname(file);
    for (;;) {
      if (this.byDir.has(dir)) return dir;
      if (dir === this.root || !dir.startsWith(this.root)) return this.outerRoot ?? this.root;
      const parent = path.dirname(dir);
      if (parent === dir) return this.root;
      dir = parent;
    }
  }

  private readonly configCache = new Map<string, { name: string; json: unknown }[]>();

  /**
   * JSON configuration files in a folder of the tree whose names match (`tsoa.json`, `tsoa.private.json`),
   * parsed as data, never run. Empty outside the tree or when the folder cannot be listed.
   */
  configFiles(dir: string, name: RegExp): { name: string; json: unknown }[] {
    const key = `${dir}\0${name.source}`;
    let hit = this.configCache.get(key);
    if (hit) return hit;
    hit = [];
    if (this.tree.contains(dir)) {
      let names: string[];
      try {
        names = fs.readdirSync(dir).filter((n) => name.test(n));
      } catch {
        names = [];
      }
      for (const n of names.sort()) {
        const json = readJsonFile(path.join(dir, n));
        if (json !== undefined) hit.push({ name: n, json });
      }
    }
    this.configCache.set(key, hit);
    return hit;
  }

  packageAt(dir: string): PackageInfo | undefined {
    return this.byDir.get(dir);
  }

  packageNamed(name: string): PackageInfo | undefined {
    return this.byName.get(name) ?? this.workspaceMembers().get(name);
  }

  /**
   * Workspace packages outside the scanned path that the scanned packages depend on, directly or through one
   * another (`apps/cms` → `@acme/db` in `packages/db`): where the records they write are declared.
   */
  dependedMembers(): PackageInfo[] {
    const out: PackageInfo[] = [];
    const seen = new Set<string>();
    const queue = this.packages.flatMap((p) => [...p.deps]);
    while (queue.length) {
      const name = queue.shift()!;
      if (seen.has(name) || this.byName.has(name)) continue;
      seen.add(name);
      const m = this.workspaceMembers().get(name);
      if (!m) continue;
      out.push(m);
      queue.push(...m.deps);
    }
    return out;
  }

  /** True when a package below `dir` depends on `dep` (a server nested inside an application). */
  anyDependsOn(dep: string, dir: string): boolean {
    return this.packages.some((p) => p.dir.startsWith(`${dir}/`) && p.deps.has(dep));
  }

  /** True when the app (or the repository root above it) depends on `dep`. */
  dependsOn(appRoot: string, dep: string): boolean {
    let dir = appRoot;
    for (;;) {
      if (this.byDir.get(dir)?.deps.has(dep)) return true;
      if (dir === this.root || dir === this.outerRoot || !dir.startsWith(this.outerRoot ?? this.root)) return false;
      const parent = path.dirname(dir);
      if (parent === dir) return false;
      dir = parent;
    }
  }
}

function isBelow(dir: string, ancestor: string): boolean {
  return dir.startsWith(ancestor + path.sep);
}
