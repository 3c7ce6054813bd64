// Reads tsconfig/jsconfig `compilerOptions.paths` and `baseUrl`, following `extends` (a string or
// an array, later entries winning) as deep as TypeScript does: no depth limit, a cycle ends the
// chain where it closes, and each config is read once. An `extends` that cannot be resolved (a
// package that is not installed) or that points out of the tree is ignored, never fatal.
import fs from 'node:fs';
import path from 'node:path';
import { ts } from 'ts-morph';
import { stripBom, type Tree } from './tree.js';

export interface PathAliases {
  /** Folder that `paths` entries are relative to. */
  base: string;
  baseUrl?: string;
  paths: { pattern: string; targets: string[] }[];
  /** `compilerOptions.rootDir` and `outDir` (absolute): a built file under outDir comes from the source under rootDir. */
  rootDir?: string;
  outDir?: string;
}

interface RawConfig {
  extends?: unknown;
  compilerOptions?: { baseUrl?: unknown; paths?: unknown; rootDir?: unknown; outDir?: unknown };
}

function readJsonc(file: string): RawConfig | undefined {
  try {
    const text = stripBom(fs.readFileSync(file, 'utf8'));
    const parsed = ts.parseConfigFileTextToJson(file, text);
    if (parsed.error || typeof parsed.config !== 'object' || parsed.config === null || Array.isArray(parsed.config))
      return undefined;
    return parsed.config as RawConfig;
  } catch {
    return undefined;
  }
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

/** The file an `extends` entry names: a relative or absolute path, or a package in a node_modules inside the tree. */
function resolveExtends(spec: string, fromDir: string, tree: Tree | undefined): string | undefined {
  const candidates: string[] = [];
  const push = (p: string): void => {
    candidates.push(p, `${p}.json`, path.join(p, 'tsconfig.json'));
  };
  if (spec.startsWith('.') || path.isAbsolute(spec)) push(path.resolve(fromDir, spec));
  else {
    for (let dir = fromDir; ;) {
      push(path.join(dir, 'node_modules', spec));
      const parent = path.dirname(dir);
      if (parent === dir || (tree && (dir === tree.root || dir === tree.realRoot || !tree.containsPath(parent)))) break;
      dir = parent;
    }
  }
  for (const c of candidates) {
    if (tree && !tree.contains(c)) continue;
    if (isFile(c)) return c;
  }
  return undefined;
}

/** The template variable TypeScript replaces with the folder of the config in use. */
const CONFIG_DIR = '${configDir}';

/** Reads configs once each for one resolver; `tree` bounds every file opened. */
export class TsconfigReader {
  private readonly cache = new Map<string, PathAliases | null>();

  constructor(private readonly tree?: Tree) {}

  /** Path aliases a config declares or inherits; undefined when it cannot be read. */
  load(file: string): PathAliases | undefined {
    const abs = path.resolve(file);
    const out = this.loadChain(abs, new Set());
    // `${configDir}` in an inherited `paths` target stands for the folder of the config in use (TypeScript
    // 5.5): a shared base config maps `@/*` to each application's own `src/*`
    if (!out || !out.paths.some((p) => p.targets.some((t) => t.includes(CONFIG_DIR)))) return out;
    const dir = path.dirname(abs);
    return {
      ...out,
      paths: out.paths.map((p) => ({ ...p, targets: p.targets.map((t) => t.split(CONFIG_DIR).join(dir)) })),
    };
  }

  private loadChain(file: string, chain: Set<string>): PathAliases | undefined {
    const hit = this.cache.get(file);
    if (hit !== undefined) return hit ?? undefined;
    // a cycle: the config that closes it contributes nothing more (tsc reports it and goes on)
    if (chain.has(file)) return undefined;
    if (this.tree && !this.tree.contains(file)) return undefined;
    chain.add(file);
    let out: PathAliases | undefined;
    try {
      out = this.read(file, chain);
    } finally {
      chain.delete(file);
    }
    this.cache.set(file, out ?? null);
    return out;
  }

  private read(file: string, chain: Set<string>): PathAliases | undefined {
    const raw = readJsonc(file);
    if (!raw) return undefined;
    const dir = path.dirname(file);
    let inherited: PathAliases | undefined;
    const exts = raw.extends === undefined ? [] : Array.isArray(raw.extends) ? raw.extends : [raw.extends];
    for (const e of exts) {
      if (typeof e !== 'string') continue;
      const target = resolveExtends(e, dir, this.tree);
      const parent = target ? this.loadChain(path.resolve(target), chain) : undefined;
      if (parent) inherited = parent; // later entries of an `extends` array win, as in tsc
    }
    const co = raw.compilerOptions && typeof raw.compilerOptions === 'object' ? raw.compilerOptions : {};
    const baseUrl = typeof co.baseUrl === 'string' ? path.resolve(dir, co.baseUrl) : inherited?.baseUrl;
    const rootDir = typeof co.rootDir === 'string' ? path.resolve(dir, co.rootDir) : inherited?.rootDir;
    const outDir = typeof co.outDir === 'string' ? path.resolve(dir, co.outDir) : inherited?.outDir;
    const dirs = { ...(rootDir ? { rootDir } : {}), ...(outDir ? { outDir } : {}) };
    if (co.paths && typeof co.paths === 'object' && !Array.isArray(co.paths)) {
      const paths = Object.entries(co.paths as Record<string, unknown>)
        .filter((e): e is [string, unknown[]] => Array.isArray(e[1]))
        .map(([pattern, targets]) => ({ pattern, targets: targets.filter((t): t is string => typeof t === 'string') }));
      // `paths` are relative to baseUrl when one is set, else to the config that declares them.
      return { base: baseUrl ?? dir, baseUrl, paths, ...dirs };
    }
    return { base: inherited?.base ?? dir, baseUrl, paths: inherited?.paths ?? [], ...dirs };
  }
}
