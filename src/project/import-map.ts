// Deno's module names. A Deno project maps bare names to packages in the `imports` of its
// deno.json / deno.jsonc (or of the import map file its `importMap` names): `"@hono": "npm:hono@^4"`
// makes `import { Hono } from '@hono'` the npm package `hono`. Deno code may also name a package
// directly: `npm:hono@4`, `jsr:@hono/hono@4`, `https://deno.land/x/hono@v4/mod.ts`. This module
// turns both into what the rest of the scan knows: a package name (with its subpath) or a file.
// Nothing is fetched; only configuration files inside the tree are read.
import fs from 'node:fs';
import path from 'node:path';
import { ts } from 'ts-morph';
import { stripBom, type Tree } from './tree.js';

export interface ImportMap {
  /** Folder the map's relative targets are relative to. */
  base: string;
  entries: Map<string, string>;
}

/** Where a Deno specifier leads: a package of the registry (name and subpath) or a path. */
export type DenoTarget = { kind: 'package'; module: string } | { kind: 'path'; file: string };

const CONFIGS = ['deno.json', 'deno.jsonc'];

function readConfig(file: string): Record<string, unknown> | undefined {
  try {
    // (looked for in every folder: an absent file is answered without a thrown error)
    if (!fs.statSync(file, { throwIfNoEntry: false })) return undefined;
    const parsed = ts.parseConfigFileTextToJson(file, stripBom(fs.readFileSync(file, 'utf8')));
    const c = parsed.config as unknown;
    return !parsed.error && c && typeof c === 'object' && !Array.isArray(c)
      ? (c as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

function entriesOf(imports: unknown): Map<string, string> {
  const out = new Map<string, string>();
  if (imports && typeof imports === 'object' && !Array.isArray(imports))
    for (const [k, v] of Object.entries(imports as Record<string, unknown>)) if (typeof v === 'string') out.set(k, v);
  return out;
}

/** The import map a deno.json in `dir` declares (its own `imports`, else the `importMap` file it names). */
export function readImportMap(dir: string, tree: Tree): ImportMap | undefined {
  for (const name of CONFIGS) {
    const file = path.join(dir, name);
    if (!tree.contains(file)) continue;
    const cfg = readConfig(file);
    if (!cfg) continue;
    const own = entriesOf(cfg.imports);
    if (own.size) return { base: dir, entries: own };
    if (typeof cfg.importMap === 'string' && !/^[a-z]+:/i.test(cfg.importMap)) {
      const mapFile = path.resolve(dir, cfg.importMap);
      if (!tree.contains(mapFile)) return undefined;
      const m = readConfig(mapFile);
      const entries = entriesOf(m?.imports);
      return entries.size ? { base: path.dirname(mapFile), entries } : undefined;
    }
    return undefined;
  }
  return undefined;
}

/** A specifier looked up in a map: the exact key, else the longest key ending in `/` that starts it. */
export function mapSpecifier(spec: string, map: ImportMap): string | undefined {
  const exact = map.entries.get(spec);
  if (exact !== undefined) return exact;
  let best: string | undefined;
  for (const k of map.entries.keys())
    if (k.endsWith('/') && spec.startsWith(k) && (!best || k.length > best.length)) best = k;
  return best ? map.entries.get(best)! + spec.slice(best.length) : undefined;
}

/** `name@1.2/sub` → `name/sub` (and `@scope/name@1/sub` → `@scope/name/sub`). */
function dropVersion(s: string): string {
  const scoped = s.startsWith('@');
  const parts = s.replace(/^\/+/, '').split('/');
  const n = scoped ? 2 : 1;
  const head = parts.slice(0, n);
  head[n - 1] = (head[n - 1] ?? '').replace(/@[^/]*$/, '');
  return [...head, ...parts.slice(n)].filter((p) => p !== '').join('/');
}

/** Module files that stand for the package itself (`mod.ts`, `index.ts`) rather than a subpath. */
const ENTRY = /^(mod|index)\.(ts|js|mjs|tsx)$/;

/**
 * A Deno registry or URL specifier as a package name: `npm:hono@^4/cors` → `hono/cors`, `jsr:@hono/hono@4`
 * → `@hono/hono`, `https://deno.land/x/hono@v4.3.0/mod.ts` → `hono`, `https://esm.sh/hono@4` → `hono`.
 * Undefined for anything else.
 */
export function denoPackage(spec: string): string | undefined {
  const reg = /^(npm|jsr):(.+)$/.exec(spec);
  if (reg) return dropVersion(reg[2]) || undefined;
  const url = /^https?:\/\/(?:deno\.land\/x|esm\.sh|cdn\.skypack\.dev|jsr\.io)\/(.+)$/.exec(spec);
  if (!url) return undefined;
  const name = dropVersion(url[1].replace(/[?#].*$/, ''));
  const parts = name.split('/');
  const n = name.startsWith('@') ? 2 : 1;
  const rest = parts.slice(n);
  if (rest.length === 1 && ENTRY.test(rest[0])) rest.length = 0;
  const last = rest.length - 1;
  if (last >= 0) rest[last] = rest[last].replace(/\.(ts|js|mjs|tsx)$/, '');
  return [...parts.slice(0, n), ...rest].join('/') || undefined;
}

/** What a Deno specifier, after its import map, leads to (undefined: not a Deno form). */
export function denoTarget(spec: string, map: ImportMap | undefined): DenoTarget | undefined {
  const mapped = map ? mapSpecifier(spec, map) : undefined;
  const s = mapped ?? spec;
  const pkg = denoPackage(s);
  if (pkg) return { kind: 'package', module: pkg };
  if (mapped !== undefined && (mapped.startsWith('./') || mapped.startsWith('../') || mapped.startsWith('/')))
    return { kind: 'path', file: path.resolve(map!.base, mapped) };
  return undefined;
}
