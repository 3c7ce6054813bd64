// What a run scans, and with which configuration.
// - Scan paths: a file argument (what lint-staged and changed-file steps pass) stands for the
//   project around it (the nearest folder upward with a package.json); a file with no project
//   around it is refused. Identical and nested paths are scanned once (the outermost).
// - Configuration: each application root uses the nearest configuration upward from it (as
//   ESLint and Biome do), unless one is named explicitly.
import fs from 'node:fs';
import path from 'node:path';
import fg from 'fast-glob';
import { UsageError } from '../errors.js';
import { CONFIG_FILES, configIn, findConfig, loadConfigFile, validateConfig } from './load.js';
import { defaults, type ResolvedConfig } from './types.js';

export interface ScanTarget {
  /** Absolute folder to scan. */
  root: string;
  /** The arguments that led to it (a folder, or files inside the project). */
  args: string[];
}

function statOf(p: string): fs.Stats | undefined {
  try {
    return fs.statSync(p);
  } catch {
    return undefined;
  }
}

/** The nearest folder at or above `dir` that holds a package.json. */
export function projectAround(dir: string): string | undefined {
  let d = dir;
  for (;;) {
    if (statOf(path.join(d, 'package.json'))?.isFile()) return d;
    const parent = path.dirname(d);
    if (parent === d) return undefined;
    d = parent;
  }
}

function inside(child: string, parent: string): boolean {
  return child === parent || child.startsWith(parent.endsWith(path.sep) ? parent : parent + path.sep);
}

/** Resolves the command-line paths to the folders to scan. Throws UsageError for a path that cannot be scanned. */
export function resolveTargets(args: string[], cwd: string): ScanTarget[] {
  const found: ScanTarget[] = [];
  for (const arg of args) {
    const abs = path.resolve(cwd, arg);
    const st = statOf(abs);
    if (!st) throw new UsageError(`path not found: ${arg}`);
    let root: string;
    if (st.isDirectory()) root = abs;
    else if (st.isFile()) {
      const project = projectAround(path.dirname(abs));
      if (!project)
        throw new UsageError(`${arg} is a file with no package.json above it: give the project folder to scan`);
      root = project;
    } else throw new UsageError(`not a file or folder: ${arg}`);
    try {
      fs.accessSync(root, fs.constants.R_OK);
    } catch {
      throw new UsageError(`cannot read: ${arg}`);
    }
    const same = found.find((t) => t.root === root);
    if (same) same.args.push(arg);
    else found.push({ root, args: [arg] });
  }
  // Nested paths: the outermost one covers the others.
  return found
    .filter((t) => !found.some((o) => o !== t && o.root !== t.root && inside(t.root, o.root)))
    .map((t) => ({
      root: t.root,
      args: [...t.args, ...found.filter((o) => o !== t && inside(o.root, t.root)).flatMap((o) => o.args)],
    }));
}

const WALK_IGNORE = [
  '**/node_modules/**',
  '**/.git/**',
  '**/.next/**',
  '**/.turbo/**',
  '**/.vercel/**',
  '**/.output/**',
  '**/dist/**',
  '**/build/**',
  '**/out/**',
  '**/coverage/**',
];

export interface ConfigPlan {
  config: ResolvedConfig;
  /** The configuration each application root uses (file, or undefined for the defaults), sorted by root. */
  used: { appRoot: string; file?: string }[];
}

export interface ConfigOverrides {
  failOn?: ResolvedConfig['failOn'];
  maxFreshnessMinutes?: number;
}

function applyOverrides(c: ResolvedConfig, o: ConfigOverrides): ResolvedConfig {
  if (o.failOn !== undefined) c.failOn = o.failOn;
  if (o.maxFreshnessMinutes !== undefined) c.maxFreshnessMinutes = o.maxFreshnessMinutes;
  return c;
}

/**
 * The configuration for a run. `explicit` (a file) applies to every application, its `ignore`
 * patterns relative to `cwd`. Otherwise each application root (a folder with a package.json, and
 * each scanned folder) uses the nearest configuration upward from it; `ignore` patterns are
 * relative to the configuration's folder. `stop` bounds the upward search (besides `.git`).
 */
export async function planConfigs(
  roots: string[],
  options: { explicit?: string; cwd: string; overrides?: ConfigOverrides; stop?: string },
): Promise<ConfigPlan> {
  const overrides = options.overrides ?? {};
  if (options.explicit) {
    const f = loadConfigFile(path.resolve(options.cwd, options.explicit));
    const config = applyOverrides(await validateConfig(f.raw, f.file), overrides);
    config.ignoreBase = options.cwd;
    return { config, used: roots.map((r) => ({ appRoot: r, file: config.file })) };
  }
  // Every configuration file and application root below the scanned folders, and the nearest configuration above each.
  const byDir = new Map<string, ResolvedConfig>();
  const appRoots = new Set<string>(roots);
  const add = async (dir: string, found: { file: string; raw: unknown } | undefined): Promise<void> => {
    if (!found || byDir.has(dir)) return;
    const c = applyOverrides(await validateConfig(found.raw, found.file), overrides);
    c.ignoreBase = dir;
    byDir.set(dir, c);
  };
  for (const root of roots) {
    const above = findConfig(root, options.stop);
    if (above) await add(path.dirname(above.file.replace(/#stepupAudit$/, '')), above);
    const names = [...CONFIG_FILES, 'package.json'];
    const entries = fg.sync(`**/{${names.join(',')}}`, {
      cwd: root,
      dot: true,
      ignore: WALK_IGNORE,
      onlyFiles: true,
      followSymbolicLinks: false,
      suppressErrors: true,
    });
    const dirs = new Set<string>();
    for (const e of entries.sort()) {
      const dir = path.join(root, path.dirname(e));
      if (path.basename(e) === 'package.json') appRoots.add(dir);
      dirs.add(dir);
    }
    for (const dir of [...dirs].sort()) await add(dir, configIn(dir));
  }
  const fallback = applyOverrides(defaults(), overrides);
  const cache = new Map<string, ResolvedConfig>();
  const of = (appRoot: string): ResolvedConfig => {
    let hit = cache.get(appRoot);
    if (hit) return hit;
    let dir = appRoot;
    for (;;) {
      hit = byDir.get(dir);
      if (hit) break;
      if (options.stop !== undefined && dir === options.stop) break;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
    hit ??= fallback;
    cache.set(appRoot, hit);
    return hit;
  };
  const used = [...appRoots].sort().map((appRoot) => ({ appRoot, file: of(appRoot).file }));
  const distinct = [...new Set([...appRoots].map(of))];
  if (distinct.length <= 1) return { config: distinct[0] ?? fallback, used };
  const config = applyOverrides(defaults(), overrides);
  config.perApp = { of, all: () => distinct };
  return { config, used };
}
