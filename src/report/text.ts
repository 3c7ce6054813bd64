// Human-readable report: findings grouped by endpoint, then the headline.
import { Chalk, type ChalkInstance } from 'chalk';
import type { Endpoint, Finding, Level } from '../model.js';
import { activeFindings, headline, rel, where, type Report } from './common.js';

export interface TextOptions {
  color: boolean;
  endpoints: boolean;
  verbose: boolean;
}

const ICON: Record<Level, string> = { error: '✖', warning: '⚠', note: 'ℹ' };

function levelColor(c: ChalkInstance, level: Level): ChalkInstance {
  return level === 'error' ? c.red : level === 'warning' ? c.yellow : c.blue;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

export function renderInventory(report: Report, c: ChalkInstance): string {
  const rows = report.endpoints.map((e) => [
    e.method,
    e.path,
    e.framework,
    where(report, e.anchor),
    e.classification?.sensitive ? e.classification.categories.join(',') : '-',
    e.verdict?.status ?? 'not-required',
  ]);
  const head = ['METHOD', 'PATH', 'FRAMEWORK', 'LOCATION', 'SENSITIVE', 'STEP-UP'];
  const widths = head.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => r[i].length))));
  const lines = [c.bold(head.map((h, i) => pad(h, widths[i])).join('  ').trimEnd())];
  for (const r of rows) lines.push(r.map((x, i) => pad(x, widths[i])).join('  ').trimEnd());
  return lines.join('\n');
}

export function renderText(report: Report, opts: TextOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const out: string[] = [];
  if (opts.endpoints) {
    out.push(renderInventory(report, c), '');
  }
  const byEndpoint = new Map<string, Finding[]>();
  for (const f of activeFindings(report)) {
    const list = byEndpoint.get(f.endpointId);
    if (list) list.push(f);
    else byEndpoint.set(f.endpointId, [f]);
  }
  const epById = new Map<string, Endpoint>(report.endpoints.map((e) => [e.id, e]));
  for (const [id, findings] of byEndpoint) {
    const ep = epById.get(id);
    if (!ep) continue;
    const cats = ep.classification?.categories.length ? `  [${ep.classification.categories.join(', ')}]` : '';
    out.push(`${c.underline(where(report, ep.anchor))}  ${c.bold(`${ep.method} ${ep.path}`)}${c.dim(cats)}`);
    for (const f of findings) {
      const col = levelColor(c, f.level);
      out.push(`  ${col(ICON[f.level])} ${col(f.ruleId)}  ${f.message}`);
      for (const r of f.related) out.push(c.dim(`      ${r.role}: ${r.message} (${rel(report, r.span.file)}:${r.span.line})`));
    }
  }
  if (byEndpoint.size) out.push('');
  if (report.errors.length) {
    out.push(c.yellow(`${report.errors.length} file${report.errors.length === 1 ? '' : 's'} could not be fully analysed:`));
    const shown = opts.verbose ? report.errors : report.errors.slice(0, 5);
    for (const e of shown) out.push(c.dim(`  ${rel(report, e.file)} (${e.phase}): ${e.message}`));
    if (shown.length < report.errors.length) out.push(c.dim(`  … ${report.errors.length - shown.length} more (--verbose lists them all)`));
    out.push('');
  }
  for (const s of report.staleBaseline) out.push(c.dim(`stale baseline entry (no longer found): ${s}`));
  for (const u of report.unusedSuppressions) out.push(c.yellow(`unused suppression: ${rel(report, u.file)}:${u.line} stepup-audit-ignore ${u.ruleId}`));
  const suppressed = report.findings.length - activeFindings(report).length + (report.hiddenSuppressed ?? 0);
  const s = report.summary;
  const tail = [
    `${s.endpoints} endpoint${s.endpoints === 1 ? '' : 's'}`,
    `${report.frameworks.length} framework${report.frameworks.length === 1 ? '' : 's'}`,
    ...(suppressed ? [`${suppressed} suppressed`] : []),
    `${(s.durationMs / 1000).toFixed(1)} s`,
  ];
  const lacking = s.missing + s.broken + s.unverifiable;
  const head = headline(s);
  out.push(`${lacking ? c.red.bold(head) : c.green.bold(head)} · ${tail.join(' · ')}`);
  return `${out.join('\n')}\n`;
}
