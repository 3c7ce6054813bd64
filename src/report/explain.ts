// `--explain "POST /api/x"`: why an endpoint was or was not classified, and its verdict.
import type { Endpoint } from '../model.js';
import { where, type Report } from './common.js';
import { inertLine, visible } from './escape.js';

export function matchEndpoints(report: Report, query: string): Endpoint[] {
  const q = query.trim().replace(/\s+/g, ' ');
  const exact = report.endpoints.filter((e) => e.id === q);
  if (exact.length) return exact;
  const [first, ...rest] = q.split(' ');
  const hasMethod = rest.length > 0;
  const method = hasMethod ? first.toUpperCase() : undefined;
  const p = hasMethod ? rest.join(' ') : first;
  return report.endpoints.filter(
    (e) => e.path === p && (!method || e.method === method || (method !== 'ANY' && e.method === 'ANY')),
  );
}

export function explainEndpoint(report: Report, query: string): { found: boolean; output: string } {
  const eps = matchEndpoints(report, query);
  if (!eps.length) {
    const near = report.endpoints.filter((e) => e.path.includes(query.split(' ').pop() ?? '')).slice(0, 5);
    return {
      found: false,
      output: `${inertLine(visible(`no endpoint matches "${query}"${near.length ? `; similar: ${near.map((e) => `${e.method} ${e.path}`).join(', ')}` : ''}`))}\n`,
    };
  }
  const out: string[] = [];
  for (const ep of eps) {
    const c = ep.classification;
    out.push(`${ep.method} ${ep.path}  (${ep.framework}, ${where(report, ep.anchor)})`);
    out.push(`  id: ${ep.id}`);
    out.push(
      `  handler: ${ep.handler.name}${ep.handler.span ? ` at ${where(report, ep.handler.span)}` : ` (${ep.handler.unresolved ?? 'not resolved'})`}`,
    );
    if (ep.chain.length) out.push(`  chain: ${ep.chain.map((l) => `${l.name} [${l.via}]`).join(' → ')}`);
    if (ep.bodyFields.length) out.push(`  body fields: ${ep.bodyFields.map((b) => b.name).join(', ')}`);
    out.push(`  sensitive: ${c?.sensitive ? `yes — ${c.categories.join(', ')}` : 'no'}`);
    for (const r of c?.reasons ?? [])
      out.push(
        `    + ${r.kind} "${r.value}"${r.category ? ` → ${r.category}` : ''}${r.detail ? `: ${r.detail}` : ''}${r.span ? ` (${where(report, r.span)})` : ''}`,
      );
    for (const r of c?.considered ?? [])
      out.push(
        `    · ${r.kind} "${r.value}"${r.category ? ` (${r.category})` : ''}${r.detail ? `: ${r.detail}` : ''}${r.span ? ` (${where(report, r.span)})` : ''}`,
      );
    const v = ep.verdict;
    out.push(`  step-up: ${v?.status ?? 'not-required'}`);
    for (const g of v?.guards ?? []) out.push(`    guard ${g.name} via ${g.via} (${where(report, g.span)})`);
    for (const f of v?.findings ?? []) {
      out.push(
        `    ${f.ruleId} [${f.level}]${f.suppressed ? ` (suppressed: ${f.suppressed.kind})` : ''}: ${f.message}`,
      );
      for (const r of f.related) out.push(`      ${r.role}: ${r.message} (${where(report, r.span)})`);
    }
    out.push('');
  }
  return { found: true, output: out.map((l) => inertLine(visible(l))).join('\n') };
}
