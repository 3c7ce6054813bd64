// Settings a project keeps beside its code in dotenv files (`.env`, `.env.example`, `.env.development`): what
// `process.env.BASE` holds when the code reads it for a route prefix. Only read, never loaded into the scanner's
// own environment; only a value that looks like a path (`/api/`) is answered, never one with a random-looking
// segment (a secret kept as a path), and none when the application's files disagree.
import fs from 'node:fs';
import path from 'node:path';
import { compiled, ruleFile } from '../rules/load.js';
import type { SourceStore } from './sources.js';

/** A dotenv file of a folder: `.env` or `.env.<mode>`, but for a test runner's (`.env.test`, `.env.test.local`). */
const ENV_FILE = /^\.env(\.[\w.-]+)?$/;
const TEST_ENV_FILE = /^\.env\.(test|testing|e2e|ci)(\.|$)/;
/** Longest file read (a dotenv file is a few lines). */
const MAX_ENV_BYTES = 64 * 1024;

/** rules/frameworks.json's tests of a dotenv value, compiled once. */
const valueTests = compiled(() => {
  const r = ruleFile('frameworks');
  return {
    isPath: new RegExp(r.envPathValue),
    secretLike: new RegExp(r.envSecretSegment),
    placeholder: new RegExp(r.envPlaceholder, 'i'),
  };
});

export class EnvFiles {
  private readonly folders = new Map<string, ReadonlyMap<string, ReadonlySet<string>>>();

  constructor(private readonly store: SourceStore) {}

  /**
   * The value the dotenv files give `name`, from the nearest folder at or above `fromFile` whose files set it, up to
   * the application's folder (the first with a package.json) and inside the scanned trees, when the folder's files
   * agree on it and it is a path (rules/frameworks.json `envPathValue`, `envSecretSegment`).
   */
  pathValue(name: string, fromFile: string): string | undefined {
    const { isPath, secretLike, placeholder } = valueTests();
    for (let dir = path.dirname(path.resolve(fromFile)); ;) {
      if (!this.store.trees.some((t) => t.contains(dir))) return undefined;
      const set = this.at(dir).get(name);
      if (set !== undefined) {
        // (`.env` against `.env.production`: which one the deployed application reads is not known)
        if (set.size !== 1) return undefined;
        const [v] = set;
        return isPath.test(v) && !placeholder.test(v) && !v.split('/').some((seg) => secretLike.test(seg))
          ? v
          : undefined;
      }
      // (another application's settings are not this one's)
      if (fs.existsSync(path.join(dir, 'package.json'))) return undefined;
      const up = path.dirname(dir);
      if (up === dir) return undefined;
      dir = up;
    }
  }

  /** A folder's settings: each name with the values its dotenv files give it. */
  private at(dir: string): ReadonlyMap<string, ReadonlySet<string>> {
    const hit = this.folders.get(dir);
    if (hit) return hit;
    const vars = new Map<string, Set<string>>();
    let names: string[] = [];
    try {
      // (regular files only: a symbolic link may lead out of the tree)
      names = fs
        .readdirSync(dir, { withFileTypes: true })
        .filter((d) => d.isFile() && ENV_FILE.test(d.name) && !TEST_ENV_FILE.test(d.name))
        .map((d) => d.name)
        .sort();
    } catch {
      /* unreadable folder: no settings */
    }
    for (const n of names) {
      const file = path.join(dir, n);
      let text: string;
      try {
        if (fs.statSync(file).size > MAX_ENV_BYTES) continue;
        text = fs.readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      for (const [k, v] of parseDotenv(text)) {
        const set = vars.get(k) ?? new Set<string>();
        set.add(v);
        vars.set(k, set);
      }
    }
    this.folders.set(dir, vars);
    return vars;
  }
}

/** `KEY=value` lines (`export KEY=value`, quoted values, `#` comments); a name set twice keeps its last value, as dotenv does. */
export function parseDotenv(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const raw of text.split(/\r?\n/)) {
    const m = /^\s*(?:export\s+)?([A-Za-z_][\w.]*)\s*=\s*(.*?)\s*$/.exec(raw);
    if (!m) continue;
    let v = m[2];
    const q = /^(['"`])(.*)\1$/.exec(v);
    if (q) v = q[2];
    else v = v.replace(/\s+#.*$/, '');
    out.set(m[1], v);
  }
  return out;
}
