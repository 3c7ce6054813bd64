// Application roots and workspace packages, from every package.json in the scanned tree.
import fs from 'node:fs';
import path from 'node:path';

export interface PackageInfo {
  dir: string;
  name?: string;
  deps: Set<string>;
  json: Record<string, unknown>;
}

export function readPackage(file: string): PackageInfo | undefined {
  try {
    const json = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
    if (typeof json !== 'object' || json === null) return undefined;
    const deps = new Set<string>();
    for (const key of ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies']) {
      const d = json[key];
      if (d && typeof d === 'object') for (const k of Object.keys(d)) deps.add(k);
    }
    return { dir: path.dirname(file), name: typeof json.name === 'string' ? json.name : undefined, deps, json };
  } catch {
    return undefined;
  }
}

export class Workspace {
  readonly packages: PackageInfo[] = [];
  private readonly byDir = new Map<string, PackageInfo>();
  private readonly byName = new Map<string, PackageInfo>();

  constructor(
    readonly root: string,
    packageJsons: string[],
  ) {
    for (const f of packageJsons) this.register(f);
    // Scanning a folder inside an application (`stepup-audit myapp/app`): its package.json is above.
    if (!this.byDir.has(root)) {
      let dir = path.dirname(root);
      for (let i = 0; i < 8 && dir !== path.dirname(dir); i++, dir = path.dirname(dir)) {
        const f = path.join(dir, 'package.json');
        if (fs.existsSync(f)) {
          const p = this.register(f);
          if (p) this.outerRoot = p.dir;
          break;
        }
      }
    }
  }

  /** The application folder above the scan root, when the scan starts inside an application. */
  outerRoot?: string;

  private register(file: string): PackageInfo | undefined {
    const p = readPackage(file);
    if (!p) return undefined;
    this.packages.push(p);
    this.byDir.set(p.dir, p);
    if (p.name && !this.byName.has(p.name)) this.byName.set(p.name, p);
    return p;
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

  packageAt(dir: string): PackageInfo | undefined {
    return this.byDir.get(dir);
  }

  packageNamed(name: string): PackageInfo | undefined {
    return this.byName.get(name);
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
