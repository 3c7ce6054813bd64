// Rule metadata for the reporters: re-exported from the rules module, where verification reads it too.
import { findingRules, ruleMeta } from '../rules/findings.js';

export { findingRules, ruleDoc, ruleHelpText, severityFor } from '../rules/findings.js';

/** How to fix a rule's findings, said once per rule in reports. */
export function ruleFix(id: string): string {
  return ruleMeta(id).fix;
}

/** Where a rule's documentation page is published. */
export function ruleUrl(id: string): string {
  return `${findingRules().informationUri}/blob/main/rules/${id}.md`;
}
