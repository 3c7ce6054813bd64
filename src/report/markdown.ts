// Markdown for pull-request reviewers and the GitHub job summary: a category × status matrix
// (new vs baselined), one line per finding (a link to the file and line when the GitHub
// variables say where the code is), and each rule's fix said once with a link to its page.
// Every string from the scanned tree is escaped for markdown.
import type { Endpoint, Finding, Level } from '../model.js';
import { allFindings, emptyMessage, headline, type Report } from './common.js';
import { mdCode, mdText, uriOfPath } from './escape.js';
import { repoRelative } from './location.js';
import { ruleFix, ruleUrl } from './rules-meta.js';

export interface MarkdownOptions {
  /** Environment with GITHUB_SERVER_URL, GITHUB_REPOSITORY and GITHUB_SHA for links (default: none). */
  env?: Record<string, string | undefined>;
  /** Findings listed per section before "… N more" (default 200). */
  maxItems?: number;
}

const STATUSES = ['enforced', 'missing', 'broken', 'unverifiable'] as const;
const ICON: Record<Level, string> = { error: '❌', warning: '⚠️', note: 'ℹ️' };

function linkBase(env: Record<string, string | undefined> | undefined): string | undefined {
  const server = env?.GITHUB_SERVER_URL;
  const repo = env?.GITHUB_REPOSITORY;
  const sha = env?.GITHUB_SHA;
  if (
    !server ||
    !repo ||
    !sha ||
    !/^[\w.-]+\/[\w.-]+$/.test(repo) ||
    !/^[0-9a-f]{7,64}$/i.test(sha) ||
    !/^https?:\/\/[^\s()<>]+$/.test(server)
  )
    return undefined;
  return `${server.replace(/\/+$/, '')}/${repo}/blob/${sha}/`;
}

type Accepted = 'new' | 'baselined' | 'suppressed';

export function renderMarkdown(report: Report, opts: MarkdownOptions = {}): string {
  const max = opts.maxItems ?? 200;
  const base = linkBase(opts.env);
  const all = allFindings(report);
  const byEndpoint = new Map<string, Finding[]>();
  for (const f of all) {
    const l = byEndpoint.get(f.endpointId);
    if (l) l.push(f);
    else byEndpoint.set(f.endpointId, [f]);
  }
  const acceptance = (e: Endpoint): Accepted => {
    const fs = byEndpoint.get(e.id) ?? [];
    if (!fs.length || fs.some((f) => !f.suppressed)) return 'new';
    return fs.some((f) => f.suppressed?.kind === 'baseline') ? 'baselined' : 'suppressed';
  };

  const out = ['### stepup-audit', ''];
  const s = report.summary;
  out.push(
    `**${mdText(headline(report))}** · ${s.endpoints} endpoint${s.endpoints === 1 ? '' : 's'} · ${report.frameworks.length} framework${report.frameworks.length === 1 ? '' : 's'}${report.baselineRef ? ` · compared with ${mdCode(report.baselineRef)}` : ''}`,
    '',
  );
  const empty = emptyMessage(report, (abs) => repoRelative(report.repoRoot, abs));
  if (empty) out.push(`> [!WARNING]`, `> ${mdText(empty)}`, '');

  // category × status matrix
  const sensitive = report.endpoints.filter((e) => e.classification?.sensitive);
  if (sensitive.length) {
    const cats = [...new Set(sensitive.flatMap((e) => e.classification?.categories ?? []))].sort();
    const cell = (eps: Endpoint[], status: string): string => {
      const hit = eps.filter((e) => (e.verdict?.status ?? 'not-required') === status);
      if (status === 'enforced') return String(hit.length);
      const n = { new: 0, baselined: 0, suppressed: 0 };
      for (const e of hit) n[acceptance(e)]++;
      const extra = [
        n.baselined ? `${n.baselined} baselined` : '',
        n.suppressed ? `${n.suppressed} suppressed` : '',
      ].filter(Boolean);
      return extra.length ? `${n.new} new · ${extra.join(' · ')}` : String(n.new);
    };
    out.push('| category | sensitive | enforced | missing | broken | unverifiable |', '|---|--:|--:|--:|--:|--:|');
    for (const c of cats) {
      const eps = sensitive.filter((e) => e.classification?.categories.includes(c));
      out.push(`| ${mdText(c)} | ${eps.length} | ${STATUSES.map((st) => cell(eps, st)).join(' | ')} |`);
    }
    if (cats.length > 1)
      out.push(`| **all** | ${sensitive.length} | ${STATUSES.map((st) => cell(sensitive, st)).join(' | ')} |`);
    out.push('');
  }

  const epById = new Map(report.endpoints.map((e) => [e.id, e]));
  const line = (f: Finding): string => {
    const ep = epById.get(f.endpointId);
    const file = repoRelative(report.repoRoot, f.span.file);
    const loc = `${file}:${f.span.line}`;
    const where = base ? `[${mdText(loc)}](${base}${uriOfPath(file)}#L${f.span.line})` : mdCode(loc);
    const what = ep ? mdCode(`${ep.method} ${ep.path}`) : f.endpointId ? mdCode(f.endpointId) : '(file)';
    const note = f.suppressed
      ? ` _(${f.suppressed.kind === 'inline' ? 'suppressed' : 'baselined'}${f.suppressed.reason ? `: ${mdText(f.suppressed.reason)}` : ''})_`
      : '';
    return `- ${ICON[f.level]} \`${f.ruleId}\` ${what} ${where} — ${mdText(f.message)}${note}`;
  };
  const list = (items: Finding[]): string[] => [
    ...items.slice(0, max).map(line),
    ...(items.length > max ? [`- … ${items.length - max} more (see the SARIF or JSON report)`] : []),
  ];

  const fresh = report.findings.filter((f) => !f.suppressed);
  out.push(
    `#### ${report.baselineRef || all.some((f) => f.suppressed?.kind === 'baseline') ? 'New findings' : 'Findings'} (${fresh.length})`,
    '',
  );
  if (fresh.length) out.push(...list(fresh), '');
  else out.push('No unsuppressed findings.', '');
  const accepted = all.filter((f) => f.suppressed);
  if (accepted.length) {
    out.push(`<details><summary>Baselined and suppressed findings (${accepted.length})</summary>`, '');
    out.push(...list(accepted), '', '</details>', '');
  }

  const rules = [...new Set(all.map((f) => f.ruleId))].sort();
  if (rules.length) {
    out.push('#### How to fix', '');
    for (const id of rules) out.push(`- [\`${id}\`](${ruleUrl(id)}): ${mdText(ruleFix(id))}`);
    out.push('');
  }

  const problems: string[] = [];
  for (const e of report.errors.slice(0, max))
    problems.push(`- ${mdCode(repoRelative(report.repoRoot, e.file))} (${e.phase}): ${mdText(e.message)}`);
  if (report.errors.length > max) problems.push(`- … ${report.errors.length - max} more`);
  for (const i of report.invalidSuppressions ?? [])
    problems.push(
      `- invalid suppression ${mdCode(`${repoRelative(report.repoRoot, i.file)}:${i.line}`)}: ${mdText(i.message)}`,
    );
  if (problems.length) out.push('#### Not analysed or not understood', '', ...problems, '');
  return `${out.join('\n')}\n`;
}
