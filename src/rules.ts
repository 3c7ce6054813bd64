// Loads the data files in `rules/` (categories, guards, effects, findings, frameworks) once.
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

const rulesDir = fileURLToPath(new URL('../rules/', import.meta.url));
const cache = new Map<string, unknown>();

export function loadRules<T>(name: string): T {
  let hit = cache.get(name);
  if (hit === undefined) {
    hit = JSON.parse(fs.readFileSync(`${rulesDir}${name}.json`, 'utf8')) as unknown;
    cache.set(name, hit);
  }
  return hit as T;
}

export function rulesPath(name: string): string {
  return `${rulesDir}${name}`;
}

export interface ModuleExport {
  module: string;
  path: string;
}

export function matchesExport(list: ModuleExport[], ext: { module: string; name: string } | undefined): boolean {
  if (!ext) return false;
  return list.some((m) => m.module === ext.module && m.path === ext.name);
}
