// Reads tsconfig/jsconfig `compilerOptions.paths` and `baseUrl`, following `extends` where it can.
// An `extends` that cannot be resolved (a package that is not installed) is ignored, never fatal.
import fs from 'node:fs';
import path from 'node:path';
import { ts } from 'ts-morph';

export interface PathAliases {
  /** Folder that `paths` entries are relative to. */
  base: string;
  baseUrl?: string;
  paths: { pattern: string; targets: string[] }[];
}

interface RawConfig {
  extends?: string | string[];
  compilerOptions?: { baseUrl?: string; paths?: Record<string, string[]> };
}

function readJsonc(file: string): RawConfig | undefined {
  try {
    const text = fs.readFileSync(file, 'utf8');
    const parsed = ts.parseConfigFileTextToJson(file, text);
    if (parsed.error || typeof parsed.config !== 'object' || parsed.config === null) return undefined;
    return parsed.config as RawConfig;
  } catch {
    return undefined;
  }
}

function resolveExtends(spec: string, fromDir: string): string | undefined {
  const candidates: string[] = [];
  if (spec.startsWith('.') || path.isAbsolute(spec)) {
    const p = path.resolve(fromDir, spec);
    candidates.push(p, `${p}.json`, path.join(p, 'tsconfig.json'));
  } else {
    let dir = fromDir;
    for (;;) {
      const p = path.join(dir, 'node_modules', spec);
      candidates.push(p, `${p}.json`, path.join(p, 'tsconfig.json'));
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  for (const c of candidates) {
    try {
      if (fs.statSync(c).isFile()) return c;
    } catch {
      /* next */
    }
  }
  return undefined;
}

export function loadPathAliases(file: string, seen = new Set<string>()): PathAliases | undefined {
  if (seen.has(file) || seen.size > 16) return undefined;
  seen.add(file);
  const raw = readJsonc(file);
  if (!raw) return undefined;
  const dir = path.dirname(file);
  let inherited: PathAliases | undefined;
  const exts = raw.extends === undefined ? [] : Array.isArray(raw.extends) ? raw.extends : [raw.extends];
  for (const e of exts) {
    if (typeof e !== 'string') continue;
    const target = resolveExtends(e, dir);
    const parent = target ? loadPathAliases(target, seen) : undefined;
    if (parent) inherited = parent; // later entries of an `extends` array win, as in tsc
  }
  const co = raw.compilerOptions ?? {};
  const baseUrl = typeof co.baseUrl === 'string' ? path.resolve(dir, co.baseUrl) : inherited?.baseUrl;
  if (co.paths && typeof co.paths === 'object') {
    const paths = Object.entries(co.paths)
      .filter(([, v]) => Array.isArray(v))
      .map(([pattern, targets]) => ({ pattern, targets: targets.filter((t) => typeof t === 'string') }));
    // `paths` are relative to baseUrl when one is set, else to the config that declares them.
    return { base: baseUrl ?? dir, baseUrl, paths };
  }
  return { base: inherited?.base ?? dir, baseUrl, paths: inherited?.paths ?? [] };
}
