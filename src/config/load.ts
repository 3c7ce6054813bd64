// Finds and validates the configuration file. Every error names the file and the key.
import fs from 'node:fs';
import path from 'node:path';
import { defaults, type CategoryOverride, type FailureMode, type ResolvedConfig, type UserGuard } from './types.js';

export const CONFIG_FILES = ['stepup-audit.config.json', '.stepupauditrc.json', '.stepupauditrc'];

export class ConfigError extends Error {}

const FAILURE_MODES: FailureMode[] = ['throws', 'returns-response', 'returns-falsy', 'returns-error', 'middleware'];
const LEVELS = ['error', 'warning', 'note', 'none'];
const CATEGORY_KEYS = ['severity', 'description', 'strongSegments', 'weakSegments', 'getSegments', 'strongFields', 'fields', 'calls', 'models'];
const TOP_KEYS = ['$schema', 'ignore', 'maxFreshnessMinutes', 'failOn', 'sensitive', 'categories', 'guards'];

/** Looks for a configuration upward from `start` (a folder). Returns the file and its raw object. */
export function findConfig(start: string): { file: string; raw: unknown } | undefined {
  let dir = path.resolve(start);
  for (;;) {
    for (const name of CONFIG_FILES) {
      const f = path.join(dir, name);
      if (isFile(f)) return { file: f, raw: readJson(f) };
    }
    const pkg = path.join(dir, 'package.json');
    if (isFile(pkg)) {
      const json = readJson(pkg) as Record<string, unknown>;
      if (json && typeof json === 'object' && 'stepupAudit' in json) return { file: `${pkg}#stepupAudit`, raw: json.stepupAudit };
    }
    if (fs.existsSync(path.join(dir, '.git'))) return undefined;
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

function readJson(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ConfigError(`${file}: cannot read (${(err as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`${file}: invalid JSON (${(err as Error).message})`);
  }
}

export function loadConfigFile(file: string): { file: string; raw: unknown } {
  if (!isFile(file)) throw new ConfigError(`${file}: configuration file not found`);
  const raw = readJson(file);
  if (path.basename(file) === 'package.json') return { file: `${file}#stepupAudit`, raw: (raw as Record<string, unknown>)?.stepupAudit ?? {} };
  return { file, raw };
}

function stringList(v: unknown, where: string): string[] {
  if (!Array.isArray(v) || v.some((x) => typeof x !== 'string' || x.trim() === '')) throw new ConfigError(`${where}: expected an array of non-empty strings`);
  return v as string[];
}

export function validateConfig(raw: unknown, file: string): ResolvedConfig {
  const cfg = defaults();
  cfg.file = file;
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) throw new ConfigError(`${file}: the configuration must be a JSON object`);
  const o = raw as Record<string, unknown>;
  for (const key of Object.keys(o)) {
    if (!TOP_KEYS.includes(key)) throw new ConfigError(`${file}: unknown key "${key}" (known: ${TOP_KEYS.filter((k) => k !== '$schema').join(', ')})`);
  }
  if (o.ignore !== undefined) cfg.ignore = stringList(o.ignore, `${file}: "ignore"`);
  if (o.maxFreshnessMinutes !== undefined) {
    const n = o.maxFreshnessMinutes;
    if (typeof n !== 'number' || !Number.isFinite(n) || n <= 0) throw new ConfigError(`${file}: "maxFreshnessMinutes" must be a positive number of minutes`);
    cfg.maxFreshnessMinutes = n;
  }
  if (o.failOn !== undefined) {
    if (typeof o.failOn !== 'string' || !LEVELS.includes(o.failOn)) throw new ConfigError(`${file}: "failOn" must be one of ${LEVELS.join(', ')}`);
    cfg.failOn = o.failOn as ResolvedConfig['failOn'];
  }
  if (o.sensitive !== undefined) {
    if (!o.sensitive || typeof o.sensitive !== 'object' || Array.isArray(o.sensitive)) throw new ConfigError(`${file}: "sensitive" must be an object of "METHOD /path" patterns`);
    for (const [pattern, value] of Object.entries(o.sensitive as Record<string, unknown>)) {
      if (!/^(\*|[A-Za-z]+)\s+\S+$/.test(pattern.trim())) throw new ConfigError(`${file}: "sensitive" key "${pattern}" must look like "POST /api/path/**" (method or *, then a path glob)`);
      if (typeof value === 'boolean') cfg.sensitive.push({ pattern: pattern.trim(), value });
      else cfg.sensitive.push({ pattern: pattern.trim(), value: stringList(value, `${file}: "sensitive"."${pattern}"`) });
    }
  }
  if (o.categories !== undefined) {
    if (!o.categories || typeof o.categories !== 'object' || Array.isArray(o.categories)) throw new ConfigError(`${file}: "categories" must be an object keyed by category name`);
    for (const [name, value] of Object.entries(o.categories as Record<string, unknown>)) {
      const where = `${file}: "categories"."${name}"`;
      if (!/^[a-z][a-z0-9-]*$/.test(name)) throw new ConfigError(`${where}: category names are lower-case words joined by "-"`);
      if (!value || typeof value !== 'object' || Array.isArray(value)) throw new ConfigError(`${where}: expected an object`);
      const c: CategoryOverride = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (!CATEGORY_KEYS.includes(k)) throw new ConfigError(`${where}: unknown key "${k}" (known: ${CATEGORY_KEYS.join(', ')})`);
        if (k === 'severity') {
          if (v !== 'high' && v !== 'medium' && v !== 'low') throw new ConfigError(`${where}."severity": expected "high", "medium" or "low"`);
          c.severity = v;
        } else if (k === 'description') {
          if (typeof v !== 'string') throw new ConfigError(`${where}."description": expected a string`);
          c.description = v;
        } else (c as Record<string, string[]>)[k] = stringList(v, `${where}."${k}"`);
      }
      cfg.categories[name] = c;
    }
  }
  if (o.guards !== undefined) {
    if (!Array.isArray(o.guards)) throw new ConfigError(`${file}: "guards" must be an array`);
    o.guards.forEach((g, i) => {
      const where = `${file}: "guards"[${i}]`;
      if (!g || typeof g !== 'object' || Array.isArray(g)) throw new ConfigError(`${where}: expected an object with "name" and "fails"`);
      const r = g as Record<string, unknown>;
      for (const k of Object.keys(r)) if (!['name', 'module', 'export', 'fails'].includes(k)) throw new ConfigError(`${where}: unknown key "${k}" (known: name, module, export, fails)`);
      if (typeof r.name !== 'string' || !r.name.trim()) throw new ConfigError(`${where}."name": expected a non-empty string`);
      if (r.module !== undefined && typeof r.module !== 'string') throw new ConfigError(`${where}."module": expected a string`);
      if (r.export !== undefined && typeof r.export !== 'string') throw new ConfigError(`${where}."export": expected a string`);
      if (typeof r.fails !== 'string' || !FAILURE_MODES.includes(r.fails as FailureMode)) throw new ConfigError(`${where}."fails": expected one of ${FAILURE_MODES.join(', ')}`);
      cfg.guards.push({ name: r.name, module: r.module as string | undefined, export: r.export as string | undefined, fails: r.fails as FailureMode } satisfies UserGuard);
    });
  }
  return cfg;
}

/** Resolves the configuration: an explicit file, else the first one found upward from `start`. */
export function resolveConfig(explicit: string | undefined, start: string): ResolvedConfig {
  const found = explicit ? loadConfigFile(explicit) : findConfig(start);
  if (!found) return defaults();
  return validateConfig(found.raw, found.file);
}
