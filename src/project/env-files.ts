// Settings a project commits beside its code in dotenv files (`.env`, `.env.example`, `.env.development`):
// what `process.env.BASE` holds when the code reads it for a route prefix. Only read, never loaded into the
// scanner's own environment; only a value that looks like a path part is answered, so a secret in the same
// file is never taken for one.
import fs from 'node:fs';
import path from 'node:path';
import { ruleFile } from '../rules/load.js';
import type { SourceStore } from './sources.js';

/** A dotenv file of a folder: `.env` or `.env.<mode>`. */
const ENV_FILE = /^\.env(\.[\w.-]+)?$/;
/** Longest file read (a dotenv file is a few lines). */
const MAX_ENV_BYTES = 64 * 1024;

export class EnvFiles {
  private readonly folders = new Map<string, ReadonlyMap<string, string>>();

  constructor(private readonly store: SourceStore) {}

  /**
   * The value a dotenv file gives `name`, from the nearest folder at or above `fromFile` (inside the scanned
   * trees) whose files set it, when it is a path part (`/api/`, `v1`).
   */
  pathValue(name: string, fromFile: string): string | undefined {
    const pathPart = new RegExp(ruleFile('frameworks').envPathValue);
    for (let dir = path.dirname(path.resolve(fromFile)); ;) {
      if (!this.store.trees.some((t) => t.contains(dir))) return undefined;
      const v = this.at(dir).get(name);
      if (v !== undefined) return pathPart.test(v) ? v : undefined;
      const up = path.dirname(dir);
      if (up === dir) return undefined;
      dir = up;
    }
  }

  /** A folder's settings, the files taken in the order of rules/frameworks.json `envFiles` (the first to set a name wins). */
  private at(dir: string): ReadonlyMap<string, string> {
    const hit = this.folders.get(dir);
    if (hit) return hit;
    const vars = new Map<string, string>();
    let names: string[] = [];
    try {
      names = fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isFile() && ENV_FILE.test(d.name))
        .map((d) => d.name);
    } catch {
      /* unreadable folder: no settings */
    }
    const order: string[] = ruleFile('frameworks').envFiles;
    const rank = (n: string): number => (order.includes(n) ? order.indexOf(n) : order.length);
    names.sort((a, b) => rank(a) - rank(b) || (a < b ? -1 : a > b ? 1 : 0));
    for (const n of names) {
      const file = path.join(dir, n);
      let text: string;
      try {
        if (fs.statSync(file).size > MAX_ENV_BYTES) continue;
        text = fs.readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      for (const [k, v] of parseDotenv(text)) if (!vars.has(k)) vars.set(k, v);
    }
    this.folders.set(dir, vars);
    return vars;
  }
}

/** `KEY=value` lines (`export KEY=value`, quoted values, `#` comments). */
export function parseDotenv(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][\w.]*)\s*=\s*(.*?)\s*$/.exec(raw);
    if (!m) continue;
    let v = m[2];
    const q = /^(['"`])(.*)\1$/.exec(v);
    if (q) v = q[2];
    else v = v.replace(/\s+#.*$/, '');
    if (!out.has(m[1])) out.set(m[1], v);
  }
  return out;
}
