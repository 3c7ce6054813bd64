// SARIF 2.1.0 for GitHub code scanning: one run, every rule declared, exactly one location per
// result (repository-relative POSIX uri under %SRCROOT%), related locations for guard and side effect.
import crypto from 'node:crypto';
import type { Log, ReportingDescriptor, Result, Notification } from 'sarif';
import type { Endpoint, Finding, Span } from '../model.js';
import { emptyMessage, type Report } from './common.js';
import { uriOfPath } from './escape.js';
import { repoRelative } from './location.js';
import { findingRules, ruleDoc, ruleHelpText, ruleUrl, severityFor } from './rules-meta.js';

export const MAX_RESULTS = 25_000;
const SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';

function region(span: Span): { startLine: number; startColumn: number; endLine?: number; endColumn?: number } {
  const r: { startLine: number; startColumn: number; endLine?: number; endColumn?: number } = {
    startLine: Math.max(1, span.line),
    startColumn: Math.max(1, span.column),
  };
  if (span.endLine && span.endLine >= r.startLine) {
    r.endLine = span.endLine;
    if (span.endColumn && (span.endLine > r.startLine || span.endColumn > r.startColumn)) r.endColumn = span.endColumn;
  }
  // Keep single-line regions on one line: GitHub shows the start line.
  if (r.endLine !== undefined && r.endLine > r.startLine + 30) {
    delete r.endLine;
    delete r.endColumn;
  }
  return r;
}

function rules(): ReportingDescriptor[] {
  const meta = findingRules();
  return meta.rules.map((r) => ({
    id: r.id,
    name: r.name,
    shortDescription: { text: r.shortDescription },
    fullDescription: { text: r.fullDescription },
    helpUri: ruleUrl(r.id),
    help: { text: ruleHelpText(r.id), markdown: ruleDoc(r.id) || `${r.shortDescription}\n\n${r.fullDescription}` },
    defaultConfiguration: { level: r.level },
    properties: {
      tags: ['security', 'external/cwe/cwe-306', 'external/owasp/a07', 'authentication', 'step-up'],
      precision: r.precision,
      'security-severity': r.securitySeverity,
    },
  }));
}

function fingerprint(f: Finding): string {
  return crypto.createHash('sha256').update(`${f.ruleId}\0${f.endpointId}`).digest('hex');
}

export function buildSarif(report: Report): Log {
  const declared = rules();
  const index = new Map(declared.map((r, i) => [r.id, i]));
  const eps = new Map<string, Endpoint>(report.endpoints.map((e) => [e.id, e]));
  const loc = (span: Span) => ({
    physicalLocation: {
      artifactLocation: { uri: uriOfPath(repoRelative(report.repoRoot, span.file)), uriBaseId: '%SRCROOT%' },
      region: region(span),
    },
  });
  const results: Result[] = report.findings.slice(0, MAX_RESULTS).map((f) => {
    const ep = eps.get(f.endpointId);
    const categories = ep?.classification?.categories ?? [];
    const res: Result = {
      ruleId: f.ruleId,
      ruleIndex: index.get(f.ruleId) ?? -1,
      level: f.level,
      message: { text: `${ep ? `${ep.method} ${ep.path}: ` : ''}${f.message}` },
      locations: [loc(f.span)],
      partialFingerprints: { 'stepupAuditEndpoint/v1': fingerprint(f) },
      properties: { endpointId: f.endpointId, categories, 'security-severity': severityFor(categories) },
    };
    if (f.related.length)
      res.relatedLocations = f.related.map((r, i) => ({
        id: i + 1,
        ...loc(r.span),
        message: { text: `${r.role}: ${r.message}` },
      }));
    if (f.suppressed)
      res.suppressions = [
        {
          kind: f.suppressed.kind === 'inline' ? 'inSource' : 'external',
          ...(f.suppressed.reason ? { justification: f.suppressed.reason } : {}),
        },
      ];
    return res;
  });
  const notifications: Notification[] = report.errors.map((e) => ({
    level: e.phase === 'config' ? 'warning' : 'error',
    message: { text: `${e.phase}: ${e.message}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri: uriOfPath(repoRelative(report.repoRoot, e.file)), uriBaseId: '%SRCROOT%' },
        },
      },
    ],
  }));
  for (const i of report.invalidSuppressions ?? []) {
    notifications.push({
      level: 'warning',
      message: { text: `suppression: ${i.message}` },
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: uriOfPath(repoRelative(report.repoRoot, i.file)), uriBaseId: '%SRCROOT%' },
            region: { startLine: Math.max(1, i.line) },
          },
        },
      ],
    });
  }
  const empty = emptyMessage(report, (abs) => repoRelative(report.repoRoot, abs));
  if (empty)
    notifications.push({
      level: report.allowEmpty ? 'note' : 'error',
      message: { text: `${empty}: nothing was analysed` },
    });
  if (report.findings.length > MAX_RESULTS)
    notifications.push({
      level: 'warning',
      message: {
        text: `${report.findings.length - MAX_RESULTS} results left out (SARIF limit ${MAX_RESULTS} per run)`,
      },
    });
  return {
    $schema: SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'stepup-audit',
            semanticVersion: report.toolVersion,
            version: report.toolVersion,
            informationUri: findingRules().informationUri,
            rules: declared,
          },
        },
        ...(report.sarifCategory ? { automationDetails: { id: `${report.sarifCategory.replace(/\/+$/, '')}/` } } : {}),
        columnKind: 'utf16CodeUnits',
        invocations: [
          {
            executionSuccessful:
              report.errors.filter((e) => e.phase !== 'config').length === 0 && !(empty && !report.allowEmpty),
            ...(notifications.length ? { toolExecutionNotifications: notifications } : {}),
          },
        ],
        results,
      },
    ],
  };
}

export function renderSarif(report: Report): string {
  return `${JSON.stringify(buildSarif(report), null, 2)}\n`;
}
