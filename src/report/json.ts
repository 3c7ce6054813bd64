// JSON report, contract version 1 (see README "JSON output").
import type { Endpoint, Finding } from '../model.js';
import { rel, type Report } from './common.js';

function endpointJson(report: Report, ep: Endpoint): Record<string, unknown> {
  const c = ep.classification;
  return {
    id: ep.id,
    framework: ep.framework,
    method: ep.method,
    path: ep.path,
    file: rel(report, ep.anchor.file),
    line: ep.anchor.line,
    column: ep.anchor.column,
    sensitive: c?.sensitive ?? false,
    categories: c?.categories ?? [],
    reasons: (c?.reasons ?? []).map((r) => ({
      kind: r.kind,
      value: r.value,
      ...(r.category ? { category: r.category } : {}),
      ...(r.detail ? { detail: r.detail } : {}),
      ...(r.span ? { file: rel(report, r.span.file), line: r.span.line } : {}),
    })),
    bodyFields: ep.bodyFields.map((b) => b.name),
    handler: {
      name: ep.handler.name,
      ...(ep.handler.span ? { file: rel(report, ep.handler.span.file), line: ep.handler.span.line } : {}),
      ...(ep.handler.unresolved ? { unresolved: ep.handler.unresolved } : {}),
    },
    middleware: ep.chain.map((l) => ({ name: l.name, via: l.via, file: rel(report, l.span.file), line: l.span.line })),
    stepUp: {
      status: ep.verdict?.status ?? 'not-required',
      guards: (ep.verdict?.guards ?? []).map((g) => ({
        name: g.name,
        via: g.via,
        file: rel(report, g.span.file),
        line: g.span.line,
      })),
    },
  };
}

export function findingJson(report: Report, f: Finding): Record<string, unknown> {
  return {
    ruleId: f.ruleId,
    level: f.level,
    message: f.message,
    endpointId: f.endpointId,
    file: rel(report, f.span.file),
    line: f.span.line,
    column: f.span.column,
    suppressed: !!f.suppressed,
    ...(f.suppressed
      ? { suppression: { kind: f.suppressed.kind, ...(f.suppressed.reason ? { reason: f.suppressed.reason } : {}) } }
      : {}),
    related: f.related.map((r) => ({
      role: r.role,
      message: r.message,
      file: rel(report, r.span.file),
      line: r.span.line,
      column: r.span.column,
    })),
  };
}

export function renderJson(report: Report): string {
  const out = {
    version: 1,
    tool: { name: 'stepup-audit', version: report.toolVersion },
    summary: report.summary,
    endpoints: report.endpoints.map((e) => endpointJson(report, e)),
    findings: report.findings.map((f) => findingJson(report, f)),
    errors: report.errors.map((e) => ({ file: rel(report, e.file), phase: e.phase, message: e.message })),
    ...(report.staleBaseline.length ? { staleBaseline: report.staleBaseline } : {}),
    ...(report.unusedSuppressions.length
      ? { unusedSuppressions: report.unusedSuppressions.map((u) => ({ ...u, file: rel(report, u.file) })) }
      : {}),
    ...(report.invalidSuppressions?.length
      ? { invalidSuppressions: report.invalidSuppressions.map((u) => ({ ...u, file: rel(report, u.file) })) }
      : {}),
    ...(report.empty?.length
      ? { noEndpoints: report.empty.map((e) => ({ path: rel(report, e.root), declaredFrameworks: e.declared })) }
      : {}),
    ...(report.baselineRef ? { baselineRef: report.baselineRef } : {}),
  };
  return `${JSON.stringify(out, null, 2)}\n`;
}
