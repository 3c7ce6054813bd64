// Shared by reporters: the report model (relative paths, suppression-aware finding lists, the headline).
import type { Endpoint, Finding, Level, ScanError, ScanSummary, Span } from '../model.js';
import { relPosix } from '../paths.js';
import { ruleFile } from '../rules/load.js';

export interface EmptyRoot {
  /** Scanned folder (absolute) where no endpoint was found. */
  root: string;
  /** Web frameworks declared in the package.json files under it (display names). */
  declared: string[];
}

export interface InvalidSuppression {
  file: string;
  line: number;
  message: string;
}

export interface Report {
  base: string;
  /** Folder SARIF and annotation paths are relative to: the git top level holding `base`, else `base`. */
  repoRoot: string;
  endpoints: Endpoint[];
  /** The findings to show: suppressed ones only when they were asked for (their `suppressed` field set). */
  findings: Finding[];
  /** Suppressed and baselined findings left out of `findings` (counted, not shown). */
  hidden?: Finding[];
  errors: ScanError[];
  summary: ScanSummary;
  frameworks: string[];
  /** Baseline entries that no longer match any finding. */
  staleBaseline: string[];
  /** Inline suppressions that matched no finding. */
  unusedSuppressions: { file: string; line: number; ruleId: string }[];
  /** Suppression comments that could not be used (malformed, unknown rule, no reason). */
  invalidSuppressions?: InvalidSuppression[];
  toolVersion: string;
  /** Folders scanned (absolute). */
  roots?: string[];
  /** Scanned folders where nothing was found to analyse. */
  empty?: EmptyRoot[];
  /** `--allow-empty`: an empty folder is accepted. */
  allowEmpty?: boolean;
  /** The configuration each application root used (`--verbose`). */
  configs?: { appRoot: string; file?: string }[];
  /** PR mode: the git ref whose findings count as baselined. */
  baselineRef?: string;
  /** SARIF `automationDetails.id` category. */
  sarifCategory?: string;
}

export function rel(report: Pick<Report, 'base'>, file: string): string {
  return relPosix(report.base, file);
}

export function where(report: Pick<Report, 'base'>, span: Span): string {
  return `${rel(report, span.file)}:${span.line}`;
}

export function allFindings(report: Pick<Report, 'findings' | 'hidden'>): Finding[] {
  return [...report.findings, ...(report.hidden ?? [])];
}

export interface Tally {
  sensitive: number;
  /** Sensitive endpoints with at least one unsuppressed finding, by status. */
  lacking: number;
  missing: number;
  broken: number;
  unverifiable: number;
  /** Sensitive endpoints that lack step-up but whose every finding is suppressed or baselined. */
  accepted: number;
  /** Findings suppressed inline / recorded in the baseline or present at the baseline ref. */
  suppressed: number;
  baselined: number;
}

const LACKING = new Set(['missing', 'broken', 'unverifiable']);

/** Counts that leave accepted (suppressed or baselined) findings out of the headline. */
export function tally(report: Report): Tally {
  const all = allFindings(report);
  const activeBy = new Set(all.filter((f) => !f.suppressed).map((f) => f.endpointId));
  const t: Tally = {
    sensitive: 0,
    lacking: 0,
    missing: 0,
    broken: 0,
    unverifiable: 0,
    accepted: 0,
    suppressed: 0,
    baselined: 0,
  };
  for (const e of report.endpoints) {
    if (!e.classification?.sensitive) continue;
    t.sensitive++;
    const status = e.verdict?.status ?? 'not-required';
    if (!LACKING.has(status)) continue;
    if (activeBy.has(e.id)) {
      t.lacking++;
      t[status as 'missing' | 'broken' | 'unverifiable']++;
    } else t.accepted++;
  }
  for (const f of all) {
    if (f.suppressed?.kind === 'inline') t.suppressed++;
    else if (f.suppressed?.kind === 'baseline') t.baselined++;
  }
  return t;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * The headline: `N of M sensitive endpoints lack step-up (x missing, y broken)`. Endpoints whose
 * every finding is suppressed or baselined are not counted in N (they are said after it).
 */
export function headline(report: Report): string {
  const t = tally(report);
  const parts = [`${t.missing} missing`, `${t.broken} broken`];
  if (t.unverifiable) parts.push(`${t.unverifiable} unverifiable`);
  let s = `${t.lacking} of ${plural(t.sensitive, 'sensitive endpoint')} ${t.lacking === 1 ? 'lacks' : 'lack'} step-up (${parts.join(', ')})`;
  if (t.accepted)
    s += `; ${t.accepted} more ${report.baselineRef || t.baselined ? 'baselined or suppressed' : 'suppressed'}`;
  return s;
}

export function webFrameworks(): { supported: Record<string, string>; known: Record<string, string> } {
  return ruleFile('frameworks').webFrameworks;
}

/** One line per scanned folder with nothing to analyse. */
export function emptyMessage(report: Report, display: (abs: string) => string): string | undefined {
  if (!report.empty?.length) return undefined;
  return report.empty
    .map(
      (e) =>
        `no endpoints found in ${display(e.root)} (supported: ${[...new Set(Object.values(webFrameworks().supported))].join(', ')}; package.json declares: ${e.declared.length ? e.declared.join(', ') : 'no web framework'})`,
    )
    .join('; ');
}

export const LEVEL_RANK: Record<Level, number> = { note: 1, warning: 2, error: 3 };
