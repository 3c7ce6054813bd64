// Human-readable reports. `renderText`: findings grouped by endpoint, then the headline.
// `renderCompact`: one line per finding fitted to the terminal width, each rule's fix said once.
// Paths are shown as the caller asks (the CLI: relative to the working folder, so they can be
// clicked); every string from the scanned tree is shown with its control characters visible,
// and no line can start a CI workflow command.
import { Chalk, type ChalkInstance } from 'chalk';
import type { Endpoint, Finding, Level } from '../model.js';
import { allFindings, emptyMessage, headline, rel, tally, type Report } from './common.js';
import { inertLine, visible as v } from './escape.js';
import { ruleFix } from './rules-meta.js';

export interface TextOptions {
  color: boolean;
  endpoints: boolean;
  verbose: boolean;
  /** How a file is shown (default: POSIX, relative to the report's base). */
  display?: (abs: string) => string;
  /** Terminal width for the compact format (no clipping when undefined). */
  width?: number;
}

const ICON: Record<Level, string> = { error: '✖', warning: '⚠', note: 'ℹ' };

function levelColor(c: ChalkInstance, level: Level): ChalkInstance {
  return level === 'error' ? c.red : level === 'warning' ? c.yellow : c.blue;
}

function pad(s: string, n: number): string {
  return s.length >= n ? s : s + ' '.repeat(n - s.length);
}

function displayer(report: Report, opts: Pick<TextOptions, 'display'>): (file: string) => string {
  return (file) => v(opts.display ? opts.display(file) : rel(report, file));
}

function suppressionNote(f: Finding): string {
  if (!f.suppressed) return '';
  if (f.suppressed.kind === 'inline') return ` (suppressed: ${v(f.suppressed.reason ?? '')})`;
  return f.suppressed.reason ? ` (baselined: ${v(f.suppressed.reason)})` : ' (baselined)';
}

export function renderInventory(
  report: Report,
  c: ChalkInstance,
  show: (file: string) => string = displayer(report, {}),
): string {
  const rows = report.endpoints.map((e) => [
    e.method,
    v(e.path),
    e.framework,
    `${show(e.anchor.file)}:${e.anchor.line}`,
    e.classification?.sensitive ? v(e.classification.categories.join(',')) : '-',
    e.verdict?.status ?? 'not-required',
  ]);
  const head = ['METHOD', 'PATH', 'FRAMEWORK', 'LOCATION', 'SENSITIVE', 'STEP-UP'];
  const widths = head.map((h, i) => Math.min(60, Math.max(h.length, ...rows.map((r) => r[i].length))));
  const lines = [
    c.bold(
      head
        .map((h, i) => pad(h, widths[i]))
        .join('  ')
        .trimEnd(),
    ),
  ];
  for (const r of rows)
    lines.push(
      r
        .map((x, i) => pad(x, widths[i]))
        .join('  ')
        .trimEnd(),
    );
  return lines.join('\n');
}

/** Problems and notes shared by both text formats: unreadable files, suppression problems, stale entries, empty folders. */
function trailer(report: Report, c: ChalkInstance, show: (file: string) => string, verbose: boolean): string[] {
  const out: string[] = [];
  if (report.errors.length) {
    out.push(
      c.yellow(`${report.errors.length} file${report.errors.length === 1 ? '' : 's'} could not be fully analysed:`),
    );
    const shown = verbose ? report.errors : report.errors.slice(0, 5);
    for (const e of shown) out.push(c.dim(`  ${show(e.file)} (${e.phase}): ${v(e.message)}`));
    if (shown.length < report.errors.length)
      out.push(c.dim(`  … ${report.errors.length - shown.length} more (--verbose lists them all)`));
    out.push('');
  }
  for (const s of report.invalidSuppressions ?? [])
    out.push(c.yellow(`invalid suppression: ${show(s.file)}:${s.line}: ${v(s.message)}`));
  for (const u of report.unusedSuppressions)
    out.push(c.yellow(`unused suppression: ${show(u.file)}:${u.line} stepup-audit-ignore ${v(u.ruleId)}`));
  for (const s of report.staleBaseline) out.push(c.dim(`stale baseline entry (no longer found): ${v(s)}`));
  const empty = emptyMessage(report, (abs) => show(abs));
  if (empty) out.push(c.yellow(empty));
  return out;
}

function footer(report: Report, c: ChalkInstance, width?: number): string {
  const t = allFindings(report);
  const suppressed = t.filter((f) => f.suppressed?.kind === 'inline').length;
  const baselined = t.filter((f) => f.suppressed?.kind === 'baseline').length;
  const s = report.summary;
  const tail = [
    `${s.endpoints} endpoint${s.endpoints === 1 ? '' : 's'}`,
    `${report.frameworks.length} framework${report.frameworks.length === 1 ? '' : 's'}`,
    ...(suppressed ? [`${suppressed} suppressed`] : []),
    ...(baselined ? [`${baselined} baselined`] : []),
    `${(s.durationMs / 1000).toFixed(1)} s`,
  ];
  const head = headline(report);
  const bad = tally(report).lacking > 0;
  const tailText = ` · ${tail.join(' · ')}`;
  if (width && head.length + tailText.length > width) {
    // the headline on its own line, the counts under it
    return `${bad ? c.red.bold(clip(head, width)) : c.green.bold(clip(head, width))}\n${clip(tail.join(' · '), width)}`;
  }
  return `${bad ? c.red.bold(head) : c.green.bold(head)}${tailText}`;
}

function finish(lines: string[]): string {
  return `${lines.map(inertLine).join('\n')}\n`;
}

export function renderText(report: Report, opts: TextOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const show = displayer(report, opts);
  const out: string[] = [];
  if (opts.endpoints) out.push(renderInventory(report, c, show), '');
  const byEndpoint = new Map<string, Finding[]>();
  for (const f of report.findings) {
    const list = byEndpoint.get(f.endpointId);
    if (list) list.push(f);
    else byEndpoint.set(f.endpointId, [f]);
  }
  const epById = new Map<string, Endpoint>(report.endpoints.map((e) => [e.id, e]));
  for (const [id, findings] of byEndpoint) {
    const ep = epById.get(id);
    if (ep) {
      const cats = ep.classification?.categories.length ? `  [${v(ep.classification.categories.join(', '))}]` : '';
      out.push(
        `${c.underline(`${show(ep.anchor.file)}:${ep.anchor.line}`)}  ${c.bold(`${ep.method} ${v(ep.path)}`)}${c.dim(cats)}`,
      );
    } else {
      // a finding about a file rather than one endpoint (a file that could not be analysed)
      const f = findings[0];
      out.push(`${c.underline(`${show(f.span.file)}:${f.span.line}`)}${id ? `  ${c.bold(v(id))}` : ''}`);
    }
    for (const f of findings) {
      const col = f.suppressed ? c.dim : levelColor(c, f.level);
      out.push(`  ${col(ICON[f.level])} ${col(f.ruleId)}  ${v(f.message)}${c.dim(suppressionNote(f))}`);
      for (const r of f.related)
        out.push(c.dim(`      ${r.role}: ${v(r.message)} (${show(r.span.file)}:${r.span.line})`));
    }
  }
  if (byEndpoint.size) out.push('');
  out.push(...trailer(report, c, show, opts.verbose));
  out.push(footer(report, c, opts.width));
  return finish(out);
}

function clip(s: string, width: number | undefined): string {
  if (!width || width < 20) return s;
  const chars = [...s];
  return chars.length > width ? `${chars.slice(0, width - 1).join('')}…` : s;
}

export function renderCompact(report: Report, opts: TextOptions): string {
  const c = new Chalk({ level: opts.color ? 1 : 0 });
  const show = displayer(report, opts);
  const out: string[] = [];
  if (opts.endpoints) out.push(renderInventory(report, c, show), '');
  const epById = new Map<string, Endpoint>(report.endpoints.map((e) => [e.id, e]));
  const rules: string[] = [];
  for (const f of report.findings) {
    const ep = epById.get(f.endpointId);
    if (!rules.includes(f.ruleId)) rules.push(f.ruleId);
    const plain = `${show(f.span.file)}:${f.span.line}:${f.span.column} ${ICON[f.level]} ${f.ruleId} ${ep ? `${ep.method} ${v(ep.path)}` : v(f.endpointId)}${suppressionNote(f)} — ${v(f.message)}`;
    const line = clip(plain, opts.width);
    const col = f.suppressed ? c.dim : levelColor(c, f.level);
    // colour the level icon and rule id only; the clipped text is otherwise plain
    const at = line.indexOf(` ${ICON[f.level]} ${f.ruleId}`);
    out.push(
      at >= 0
        ? `${line.slice(0, at)} ${col(`${ICON[f.level]} ${f.ruleId}`)}${line.slice(at + 3 + f.ruleId.length)}`
        : line,
    );
  }
  if (rules.length) {
    out.push('');
    for (const id of rules) out.push(clip(`${id}: ${ruleFix(id)}`, opts.width));
    out.push('');
  }
  out.push(...trailer(report, c, show, opts.verbose));
  out.push(footer(report, c, opts.width));
  return finish(out);
}
