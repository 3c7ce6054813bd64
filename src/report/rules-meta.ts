// Rule metadata from rules/findings.json plus the help markdown in rules/<id>.md.
import fs from 'node:fs';
import { loadRules, rulesPath } from '../rules.js';
import type { Level } from '../model.js';

export interface RuleMeta {
  id: string;
  name: string;
  level: Level;
  precision: 'very-high' | 'high' | 'medium' | 'low';
  securitySeverity: string;
  shortDescription: string;
  fullDescription: string;
}

export interface FindingsRules {
  informationUri: string;
  references: Record<string, string>;
  severityByCategory: Record<string, string>;
  rules: RuleMeta[];
}

export function findingRules(): FindingsRules {
  return loadRules<FindingsRules>('findings');
}

export function ruleMeta(id: string): RuleMeta {
  const r = findingRules().rules.find((x) => x.id === id);
  if (!r) throw new Error(`unknown rule id ${id}`);
  return r;
}

const docCache = new Map<string, string>();

/** The markdown documentation of a rule (rules/<id>.md). */
export function ruleDoc(id: string): string {
  let doc = docCache.get(id);
  if (doc === undefined) {
    try {
      doc = fs.readFileSync(rulesPath(`${id}.md`), 'utf8');
    } catch {
      doc = '';
    }
    docCache.set(id, doc);
  }
  return doc;
}

/** Plain-text help: the markdown without fences and emphasis. */
export function ruleHelpText(id: string): string {
  const meta = ruleMeta(id);
  const md = ruleDoc(id);
  const text = md
    .replace(/```[a-z]*\n/g, '')
    .replace(/```/g, '')
    .replace(/[*_`#]/g, '')
    .trim();
  return text || `${meta.shortDescription}. ${meta.fullDescription}`;
}

export function severityFor(categories: string[]): string {
  const table = findingRules().severityByCategory;
  let best = 0;
  for (const c of categories) best = Math.max(best, Number(table[c] ?? table.default));
  return (best || Number(table.default)).toFixed(1);
}
