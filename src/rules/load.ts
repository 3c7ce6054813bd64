// The one loader of the rule files in `rules/`: each file is read once, checked against its JSON
// Schema (`rules/schema/<name>.schema.json`), deep-frozen and typed. A misspelt key or a regular
// expression that does not compile is an error naming the file and the key, never a silent `[]`.
// The files are constants of the package (never scan state), so one copy serves every scan.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { ModuleExport, RuleFiles } from './types.js';
import { schemaValidator } from './schema.js';

const rulesDir = fileURLToPath(new URL('../../rules/', import.meta.url));

/** Package constants, loaded on first use (frozen: nothing can change them after loading). */
const loaded: { [K in keyof RuleFiles]?: RuleFiles[K] } = {};

export function readJsonFile(file: string): unknown {
  let text = fs.readFileSync(file, 'utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return JSON.parse(text) as unknown;
}

function deepFreeze<T>(v: T): T {
  if (v && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v as object)) deepFreeze(x);
  }
  return v;
}

/** A rule file, validated against its schema. Throws with every schema error when it does not conform. */
export function ruleFile<K extends keyof RuleFiles>(name: K): RuleFiles[K] {
  const hit = loaded[name];
  if (hit) return hit;
  const data = readJsonFile(`${rulesDir}${name}.json`);
  const errors = schemaValidator(`${rulesDir}schema/`, `${name}.schema.json`)(data);
  if (errors.length) throw new Error(`rules/${name}.json does not match rules/schema/${name}.schema.json:\n  ${errors.join('\n  ')}`);
  const frozen = deepFreeze(data as RuleFiles[K]);
  (loaded as Record<string, unknown>)[name] = frozen;
  return frozen;
}

/** Every rule file name (for tests). */
export const RULE_FILES: readonly (keyof RuleFiles)[] = ['assets', 'categories', 'effects', 'findings', 'frameworks', 'guards'];

/** The markdown help of a finding rule (`rules/stepup/<name>.md`), or '' when it has none. */
export function ruleDocText(id: string): string {
  try {
    return fs.readFileSync(`${rulesDir}${id}.md`, 'utf8');
  } catch {
    return '';
  }
}

export function matchesExport(list: readonly ModuleExport[], ext: { module: string; name: string } | undefined): boolean {
  if (!ext) return false;
  return list.some((m) => m.module === ext.module && m.path === ext.name);
}

/**
 * A value compiled from rule files (regular expressions, sets), computed on first use. Rule files
 * are package constants, so what is compiled from them is one too, shared by every scan.
 */
export function compiled<T>(build: () => T): () => T {
  let value: T | undefined;
  let done = false;
  return () => {
    if (!done) {
      value = build();
      done = true;
    }
    return value as T;
  };
}
