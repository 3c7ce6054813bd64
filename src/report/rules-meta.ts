// Rule metadata for the reporters: re-exported from the rules module, where verification reads it too.
export { findingRules, ruleDoc, ruleHelpText, ruleMeta, severityFor, type RuleMeta } from '../rules/findings.js';
