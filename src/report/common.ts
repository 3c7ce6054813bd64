// Shared by reporters: the report model (relative paths, suppression-aware finding lists).
import type { Endpoint, Finding, ScanError, ScanSummary, Span } from '../model.js';
import { relPosix } from '../util.js';

export interface Report {
  base: string;
  /** Folder SARIF and annotation paths are relative to: the git top level holding `base`, else `base`. */
  repoRoot: string;
  endpoints: Endpoint[];
  /** Every finding, suppressed ones included (their `suppressed` field set). */
  findings: Finding[];
  errors: ScanError[];
  summary: ScanSummary;
  frameworks: string[];
  /** Baseline entries that no longer match any finding. */
  staleBaseline: string[];
  /** Inline suppressions that matched no finding. */
  unusedSuppressions: { file: string; line: number; ruleId: string }[];
  toolVersion: string;
  /** Suppressed findings left out of `findings` (shown as a count). */
  hiddenSuppressed?: number;
}

export function rel(report: Pick<Report, 'base'>, file: string): string {
  return relPosix(report.base, file);
}

export function where(report: Pick<Report, 'base'>, span: Span): string {
  return `${rel(report, span.file)}:${span.line}`;
}

export function activeFindings(report: Report): Finding[] {
  return report.findings.filter((f) => !f.suppressed);
}

/** The headline: `N of M sensitive endpoints lack step-up (x missing, y broken)`. */
export function headline(s: ScanSummary): string {
  const lacking = s.missing + s.broken + s.unverifiable;
  const parts = [`${s.missing} missing`, `${s.broken} broken`];
  if (s.unverifiable) parts.push(`${s.unverifiable} unverifiable`);
  return `${lacking} of ${s.sensitive} sensitive endpoint${s.sensitive === 1 ? '' : 's'} lack step-up (${parts.join(', ')})`;
}
