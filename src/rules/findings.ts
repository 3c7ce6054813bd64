// Finding-rule metadata (rules/findings.json) and each rule's help (rules/stepup/<name>.md): what
// verification uses to make findings and what every reporter prints about them.
import { compiled, ruleDocText, ruleFile } from './load.js';
import type { FindingRules, RuleMeta } from './types.js';

export type { RuleMeta } from './types.js';

export function findingRules(): FindingRules {
  return ruleFile('findings');
}

const byId = compiled(() => new Map(findingRules().rules.map((r) => [r.id, r])));

export function ruleMeta(id: string): RuleMeta {
  const r = byId().get(id);
  if (!r) throw new Error(`unknown rule id ${id}`);
  return r;
}

/** The markdown documentation of a rule (rules/<id>.md). */
export function ruleDoc(id: string): string {
  return ruleDocText(id);
}

/** Plain-text help: the markdown without fences and emphasis. */
export function ruleHelpText(id: string): string {
  const meta = ruleMeta(id);
  const text = ruleDoc(id)
    .replace(/```[a-z]*\n/g, '')
    .replace(/```/g, '')
    .replace(/[*_`#]/g, '')
    .trim();
  return text || `${meta.shortDescription}. ${meta.fullDescription}`;
}

/**
 * The numeric security-severity for an endpoint's categories: the built-in table, else the
 * severity a configured category declares (high, medium, low).
 */
export function severityFor(categories: readonly string[], declared: (category: string) => 'high' | 'medium' | 'low' | undefined = () => undefined): string {
  const { severityByCategory: table, severityByLevel: levels } = findingRules();
  const own = (k: string): string | undefined => (Object.prototype.hasOwnProperty.call(table, k) ? table[k] : undefined);
  let best = 0;
  for (const c of categories) {
    const d = declared(c);
    best = Math.max(best, Number(own(c) ?? (d ? levels[d] : undefined) ?? table.default));
  }
  return (best || Number(table.default)).toFixed(1);
}
