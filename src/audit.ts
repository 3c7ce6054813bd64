// One audit run: scan, then inline suppressions and baseline, producing the Report every
// reporter renders and the exit decision the CLI makes.
import fs from 'node:fs';
import { applyBaseline, readBaseline } from './config/baseline.js';
import { applyInlineSuppressions } from './config/suppressions.js';
import type { ResolvedConfig } from './config/types.js';
import type { Finding, Level } from './model.js';
import { activeFindings, type Report } from './report/common.js';
import { scan, type ScanResult } from './pipeline.js';
import { gitTopLevel } from './project/gitroot.js';
import { toolVersion } from './version.js';

export interface AuditOptions {
  paths: string[];
  config: ResolvedConfig;
  baseline?: string;
  onProgress?: (phase: string, done: number, total: number) => void;
}

export interface AuditResult {
  report: Report;
  scan: ScanResult;
}

export async function audit(options: AuditOptions): Promise<AuditResult> {
  const baselineEntries = options.baseline ? readBaseline(options.baseline) : undefined;
  const result = await scan({ paths: options.paths, config: options.config, onProgress: options.onProgress });
  const textOf = (file: string): string | undefined => {
    const known = result.textOf(file);
    if (known !== undefined) return known;
    try {
      return fs.readFileSync(file, 'utf8');
    } catch {
      return undefined;
    }
  };
  const sup = applyInlineSuppressions(result.endpoints, result.findings, textOf);
  for (const s of sup.invalid) {
    result.errors.push({ file: s.file, phase: 'config', message: `line ${s.line}: suppression of ${s.ruleId} ignored: a reason is required (// stepup-audit-ignore ${s.ruleId} -- <reason>)` });
  }
  const staleBaseline = baselineEntries ? applyBaseline(result.findings, baselineEntries) : [];
  const report: Report = {
    base: result.base,
    repoRoot: gitTopLevel(result.base) ?? result.base,
    endpoints: result.endpoints,
    findings: result.findings,
    errors: result.errors,
    summary: result.summary,
    frameworks: result.frameworks,
    staleBaseline,
    unusedSuppressions: sup.unused.map((s) => ({ file: s.file, line: s.line, ruleId: s.ruleId })),
    toolVersion: toolVersion(),
  };
  return { report, scan: result };
}

const RANK: Record<Level, number> = { note: 1, warning: 2, error: 3 };

/** Exit code for a finished audit: 1 when an unsuppressed finding is at or above `failOn`. */
export function exitCodeFor(findings: Finding[], failOn: Level | 'none'): 0 | 1 {
  if (failOn === 'none') return 0;
  return findings.some((f) => !f.suppressed && RANK[f.level] >= RANK[failOn]) ? 1 : 0;
}

export { activeFindings };
