// Finds, parses (JSON with comments) and validates configuration files against the JSON Schema
// shipped in the package (schema/stepup-audit.config.schema.json). Every problem in a file is
// reported at once, each naming the key; the whole message is one line.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ErrorObject } from 'ajv';
import { ConfigError } from '../errors.js';
import { compiled } from '../rules/load.js';
import { schemaErrors } from '../rules/schema.js';
import { parseJson, parseJsonc } from './jsonc.js';
import { defaults, type CategoryOverride, type FailureMode, type ResolvedConfig } from './types.js';

export { ConfigError };

export const CONFIG_FILES = ['stepup-audit.config.json', '.stepupauditrc.json', '.stepupauditrc'];
export const SCHEMA_FILE = new URL('../../schema/stepup-audit.config.schema.json', import.meta.url);

export interface FoundConfig {
  file: string;
  raw: unknown;
}

/** The configuration in one folder (not above it), if there is one. */
export function configIn(dir: string): FoundConfig | undefined {
  for (const name of CONFIG_FILES) {
    const f = path.join(dir, name);
    if (isFile(f)) return { file: f, raw: readConfigJson(f) };
  }
  const pkg = path.join(dir, 'package.json');
  if (isFile(pkg) && readText(pkg).includes('"stepupAudit"')) {
    const json = readJsonFile(pkg, parseJson);
    if (json && typeof json === 'object' && !Array.isArray(json) && Object.hasOwn(json, 'stepupAudit'))
      return { file: `${pkg}#stepupAudit`, raw: (json as Record<string, unknown>).stepupAudit };
  }
  return undefined;
}

/**
 * Looks for a configuration upward from `start` (a folder): the nearest one wins. The search
 * stops at the repository top (a folder holding `.git`) or at `stop` when given.
 */
export function findConfig(start: string, stop?: string): FoundConfig | undefined {
  let dir = path.resolve(start);
  for (;;) {
    const found = configIn(dir);
    if (found) return found;
    if (fs.existsSync(path.join(dir, '.git')) || (stop !== undefined && dir === stop)) return undefined;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

function isFile(f: string): boolean {
  try {
    return fs.statSync(f).isFile();
  } catch {
    return false;
  }
}

function readText(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read (${(err as Error).message})`);
  }
}

function readJsonFile(file: string, parse: (text: string) => unknown): unknown {
  const text = readText(file);
  try {
    return parse(text);
  } catch (err) {
    throw new ConfigError(`${file}: invalid JSON (${(err as Error).message})`);
  }
}

function readConfigJson(file: string): unknown {
  return readJsonFile(file, parseJsonc);
}

export function loadConfigFile(file: string): FoundConfig {
  if (!isFile(file)) throw new ConfigError(`${file}: configuration file not found`);
  if (path.basename(file) === 'package.json') {
    const raw = readJsonFile(file, parseJson) as Record<string, unknown> | null;
    return {
      file: `${file}#stepupAudit`,
      raw: raw && typeof raw === 'object' && Object.hasOwn(raw, 'stepupAudit') ? raw.stepupAudit : {},
    };
  }
  return { file, raw: readConfigJson(file) };
}

// ---- schema validation (the machinery of src/rules/schema.ts; the wording is ours) ------------

const SCHEMA_DIR = fileURLToPath(new URL('../../schema/', import.meta.url));
const SCHEMA_NAME = 'stepup-audit.config.schema.json';

export const configSchema = compiled(
  (): Record<string, unknown> => JSON.parse(fs.readFileSync(SCHEMA_FILE, 'utf8')) as Record<string, unknown>,
);

/** `"guards"[0]."fails"` for the instance path `/guards/0/fails` of `raw`. */
function keyPath(raw: unknown, instancePath: string): string {
  if (!instancePath) return '';
  let node: unknown = raw;
  const out: string[] = [];
  for (const part of instancePath.slice(1).split('/')) {
    const key = part.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) {
      out.push(`[${key}]`);
      node = node[Number(key)];
    } else {
      out.push(`${out.length ? '.' : ''}${JSON.stringify(key)}`);
      node =
        node && typeof node === 'object' && Object.hasOwn(node, key)
          ? (node as Record<string, unknown>)[key]
          : undefined;
    }
  }
  return out.join('');
}

/** The schema object at a JSON pointer (`#/properties/x`) of the configuration schema, `$ref`s to definitions followed. */
function schemaNode(pointer: string): Record<string, unknown> | undefined {
  let node: unknown = configSchema();
  for (const part of pointer.replace(/^#\/?/, '').split('/').filter(Boolean)) {
    if (!node || typeof node !== 'object') return undefined;
    node = (node as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')];
  }
  const ref = node && typeof node === 'object' ? (node as Record<string, unknown>).$ref : undefined;
  if (typeof ref === 'string' && ref.startsWith('#/'))
    return { ...schemaNode(ref), ...(node as Record<string, unknown>) };
  return node && typeof node === 'object' ? (node as Record<string, unknown>) : undefined;
}

function describe(raw: unknown, e: ErrorObject): string | undefined {
  const where = keyPath(raw, e.instancePath);
  const at = (p: string) => (p ? `${p}: ` : '');
  const parent = e.parentSchema;
  const expected = parent?.['x-message'] as string | undefined;
  switch (e.keyword) {
    case 'additionalProperties': {
      const known = Object.keys((parent?.properties as object) ?? {}).filter((k) => k !== '$schema');
      return `${at(where)}unknown key ${JSON.stringify((e.params as { additionalProperty: string }).additionalProperty)}${known.length ? ` (known: ${known.join(', ')})` : ''}`;
    }
    case 'required': {
      const prop = String((e.params as { missingProperty: string }).missingProperty);
      const props = parent?.properties as Record<string, Record<string, unknown>> | undefined;
      let propSchema = props && Object.hasOwn(props, prop) ? props[prop] : undefined;
      if (typeof propSchema?.$ref === 'string') propSchema = { ...schemaNode(propSchema.$ref), ...propSchema };
      const msg = propSchema?.['x-message'] as string | undefined;
      return `${where}${where ? '.' : ''}${JSON.stringify(prop)}: ${msg ? `${msg} (missing)` : 'missing'}`;
    }
    case 'propertyNames':
      return undefined; // the nested error names the key
    default: {
      const name = (e as ErrorObject & { propertyName?: string }).propertyName;
      if (name !== undefined) return `${at(where)}key ${JSON.stringify(name)}: ${expected ?? e.message}`;
      return `${at(where)}${expected ?? e.message}`;
    }
  }
}

/** Validates a raw configuration object against the schema; throws one ConfigError naming every problem. */
export async function checkConfig(raw: unknown, file: string): Promise<void> {
  const errors = schemaErrors(SCHEMA_DIR, SCHEMA_NAME)(raw);
  if (!errors.length) return;
  const problems: string[] = [];
  for (const e of errors) {
    const d = describe(raw, e);
    if (d && !problems.includes(d)) problems.push(d);
  }
  throw new ConfigError(`${file}: ${problems.length > 1 ? `${problems.length} problems: ` : ''}${problems.join('; ')}`);
}

/** Turns a valid raw configuration into the resolved one (user keys kept in null-prototype maps). */
export function fromRaw(raw: Record<string, unknown>, file: string): ResolvedConfig {
  const cfg = defaults();
  cfg.file = file;
  if (raw.ignore !== undefined) cfg.ignore = [...(raw.ignore as string[])];
  if (raw.maxFreshnessMinutes !== undefined) cfg.maxFreshnessMinutes = raw.maxFreshnessMinutes as number;
  if (raw.failOn !== undefined) cfg.failOn = raw.failOn as ResolvedConfig['failOn'];
  for (const [pattern, value] of Object.entries((raw.sensitive ?? {}) as Record<string, boolean | string[]>)) {
    cfg.sensitive.push({ pattern: pattern.trim(), value: typeof value === 'boolean' ? value : [...value] });
  }
  for (const [name, value] of Object.entries((raw.categories ?? {}) as Record<string, CategoryOverride>))
    cfg.categories[name] = { ...value };
  for (const g of (raw.guards ?? []) as { name: string; module?: string; export?: string; fails: FailureMode }[]) {
    cfg.guards.push({ name: g.name, module: g.module, export: g.export, fails: g.fails });
  }
  return cfg;
}

/** Validates and resolves one configuration. */
export async function validateConfig(raw: unknown, file: string): Promise<ResolvedConfig> {
  await checkConfig(raw, file);
  return fromRaw(raw as Record<string, unknown>, file);
}

/** Resolves the configuration: an explicit file, else the nearest one upward from `start`. */
export async function resolveConfig(explicit: string | undefined, start: string): Promise<ResolvedConfig> {
  const found = explicit ? loadConfigFile(explicit) : findConfig(start);
  if (!found) return defaults();
  return validateConfig(found.raw, found.file);
}
