// The tree a scan may read: the repository that holds the scanned path. It is the git top level
// (found by looking for `.git` upward, never by running git), else the outermost workspace root
// found upward (a package.json with `workspaces`, a pnpm-workspace.yaml), else the scanned path
// itself. Scanning `apps/web` of a monorepo still follows `packages/auth`; nothing outside the
// tree is ever opened: module resolution, tsconfig `paths` and `extends`, workspace entry points
// and symbolic links all stop at its edge, and a target outside it is an external module.
import fs from 'node:fs';
import path from 'node:path';

export type TreeKind = 'git' | 'workspace' | 'path';

/** Strips a UTF-8 byte order mark (editors on Windows write one into JSON files). */
export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Reads a JSON file inside the tree, without its BOM. Undefined when it cannot be read or parsed. */
export function readJsonFile(file: string): unknown {
  try {
    return JSON.parse(stripBom(fs.readFileSync(file, 'utf8')));
  } catch {
    return undefined;
  }
}

function exists(p: string): boolean {
  try {
    fs.lstatSync(p);
    return true;
  } catch {
    return false;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * Workspace member patterns a folder declares, or undefined: package.json `workspaces` and
 * pnpm-workspace.yaml together (pnpm reads only its own file, so a stale `workspaces` list beside it
 * may name fewer folders; a member either one lists is a package of the repository).
 */
export function workspacePatterns(dir: string): string[] | undefined {
  const fromPackage = packageJsonWorkspaces(dir);
  const fromPnpm = pnpmWorkspaces(dir);
  if (!fromPackage && !fromPnpm) return undefined;
  return [...new Set([...(fromPackage ?? []), ...(fromPnpm ?? [])])];
}

function packageJsonWorkspaces(dir: string): string[] | undefined {
  const pkgFile = path.join(dir, 'package.json');
  if (!isFile(pkgFile)) return undefined;
  const pkg = readJsonFile(pkgFile) as Record<string, unknown> | undefined;
  const ws = pkg && typeof pkg === 'object' ? pkg.workspaces : undefined;
  const list = Array.isArray(ws)
    ? ws
    : ws && typeof ws === 'object' && Array.isArray((ws as { packages?: unknown }).packages)
      ? (ws as { packages: unknown[] }).packages
      : undefined;
  return list?.filter((x): x is string => typeof x === 'string');
}

function pnpmWorkspaces(dir: string): string[] | undefined {
  const pnpm = path.join(dir, 'pnpm-workspace.yaml');
  if (!isFile(pnpm)) return undefined;
  let text: string;
  try {
    text = stripBom(fs.readFileSync(pnpm, 'utf8'));
  } catch {
    return undefined;
  }
  // `packages:` followed by `- 'apps/*'` items (the only part of the file that matters here)
  const out: string[] = [];
  let inPackages = false;
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.replace(/\s+#.*$/, '');
    if (/^packages\s*:/.test(line)) {
      inPackages = true;
      const inline = /\[(.*)\]/.exec(line);
      if (inline) {
        out.push(
          ...inline[1]
            .split(',')
            .map((s) => s.trim().replace(/^['"]|['"]$/g, ''))
            .filter(Boolean),
        );
        inPackages = false;
      }
      continue;
    }
    if (inPackages) {
      const m = /^\s+-\s*(.+?)\s*$/.exec(line);
      if (m) out.push(m[1].replace(/^['"]|['"]$/g, ''));
      else if (/^\S/.test(line)) inPackages = false;
    }
  }
  return out;
}

export class Tree {
  /** The tree's folder as given (symbolic links not resolved): lexical containment. */
  readonly root: string;
  /** The same folder with symbolic links resolved: where files really are. */
  readonly realRoot: string;
  private readonly realCache = new Map<string, string | null>();

  constructor(
    root: string,
    readonly kind: TreeKind,
    /** The workspace root at or above the scanned path, inside the tree (its members resolve by name). */
    readonly workspaceRoot?: string,
  ) {
    this.root = path.resolve(root);
    let real = this.root;
    try {
      real = fs.realpathSync(this.root);
    } catch {
      /* a path that does not exist: nothing inside it either */
    }
    this.realRoot = real;
  }

  /** Lexically inside the tree (`..` segments already resolved by the caller). */
  containsPath(p: string): boolean {
    return within(this.root, p) || within(this.realRoot, p);
  }

  /**
   * Is `p` inside the tree once symbolic links are resolved? A path that climbs out (`..`), is
   * absolute elsewhere, or passes through a link that points out of the tree is not. Cached.
   */
  contains(p: string): boolean {
    const abs = path.resolve(p);
    if (!this.containsPath(abs)) return false;
    let real = this.realCache.get(abs);
    if (real === undefined) {
      real = realPath(abs);
      if (real === undefined) {
        // does not exist (yet): decided by its folder, which must be inside too
        const parent = path.dirname(abs);
        real = parent !== abs && this.containsPath(parent) && this.contains(parent) ? abs : null;
      }
      this.realCache.set(abs, real);
    }
    return real !== null && within(this.realRoot, real);
  }
}

/**
 * A path with its symbolic links resolved, or undefined when it cannot be (absent, a dangling link). Most
 * paths asked about do not exist (a config file looked for in every folder): those are answered without
 * the cost of a thrown error.
 */
function realPath(p: string): string | undefined {
  try {
    return fs.lstatSync(p, { throwIfNoEntry: false }) ? fs.realpathSync(p) : undefined;
  } catch {
    return undefined;
  }
}

/** Is `p` the folder `root` or inside it (lexically)? */
export function within(root: string, p: string): boolean {
  return p === root || p.startsWith(root.endsWith(path.sep) ? root : root + path.sep);
}

/**
 * The tree that holds `scanPath` (a folder or a file): the git top level, else the outermost
 * workspace root found upward, else the scanned folder itself. Reads only directory entries and
 * workspace manifests on the way up.
 */
export function findTree(scanPath: string): Tree {
  let start = path.resolve(scanPath);
  try {
    if (!fs.statSync(start).isDirectory()) start = path.dirname(start);
  } catch {
    /* missing: treated as a folder */
  }
  let git: string | undefined;
  const workspaces: string[] = [];
  for (let dir = start; ;) {
    if (workspacePatterns(dir)) workspaces.push(dir);
    if (exists(path.join(dir, '.git'))) {
      git = dir;
      break;
    }
    const parent = path.dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  // The workspace whose members resolve by name: the outermost one below the tree's top.
  const workspaceRoot = workspaces[workspaces.length - 1];
  if (git) return new Tree(git, 'git', workspaceRoot);
  if (workspaceRoot) return new Tree(workspaceRoot, 'workspace', workspaceRoot);
  return new Tree(start, 'path');
}
