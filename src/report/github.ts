// GitHub Actions workflow commands: at most 10 annotations per level (GitHub shows no more per
// step); the markdown report goes to $GITHUB_STEP_SUMMARY when that is set.
import fs from 'node:fs';
import type { Finding, Level } from '../model.js';
import { headline, type Report } from './common.js';
import { inertLine, visible } from './escape.js';
import { repoRelative } from './location.js';
import { renderMarkdown } from './markdown.js';

export const ANNOTATIONS_PER_LEVEL = 10;
const COMMAND: Record<Level, string> = { error: 'error', warning: 'warning', note: 'notice' };

/** Workflow-command data: `%`, CR and LF escaped as GitHub requires; other control characters shown visibly. */
export function escapeData(s: string): string {
  return visible(s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A'));
}

export function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

export function annotation(report: Report, f: Finding): string {
  const file = repoRelative(report.repoRoot, f.span.file);
  const props = [
    `file=${escapeProperty(file)}`,
    `line=${f.span.line}`,
    `col=${f.span.column}`,
    `title=${escapeProperty(f.ruleId)}`,
  ];
  if (f.span.endLine && f.span.endLine === f.span.line && f.span.endColumn) props.push(`endColumn=${f.span.endColumn}`);
  return `::${COMMAND[f.level]} ${props.join(',')}::${escapeData(f.message)}`;
}

export function renderGithub(report: Report): string {
  const lines: string[] = [];
  const counts: Record<Level, number> = { error: 0, warning: 0, note: 0 };
  let omitted = 0;
  for (const f of report.findings) {
    if (f.suppressed) continue;
    if (counts[f.level] >= ANNOTATIONS_PER_LEVEL) {
      omitted++;
      continue;
    }
    counts[f.level]++;
    lines.push(annotation(report, f));
  }
  lines.push(inertLine(headline(report)));
  if (omitted)
    lines.push(
      `${omitted} more finding(s) not annotated (GitHub shows ${ANNOTATIONS_PER_LEVEL} per level); see the job summary or the SARIF report.`,
    );
  return `${lines.join('\n')}\n`;
}

/** Appends the markdown report to $GITHUB_STEP_SUMMARY when GitHub provides one (best effort). */
export function writeStepSummary(report: Report, env: Record<string, string | undefined> = process.env): void {
  const file = env.GITHUB_STEP_SUMMARY;
  if (!file) return;
  try {
    fs.appendFileSync(file, renderMarkdown(report, { env }));
  } catch {
    /* the summary is best effort: annotations were printed */
  }
}
