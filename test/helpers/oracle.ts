// Compares a scan of a fixture with its annotations. Closed world: every endpoint, sensitivity
// and finding reported must be annotated, and every annotation must be matched.
import { defaults } from '../../src/config/types.js';
import { scan } from '../../src/pipeline.js';
import { relPosix } from '../../src/util.js';
import { parseFixture, type Annotation } from './annotations.js';

export interface OracleResult {
  problems: string[];
  endpoints: number;
  findings: number;
}

export async function checkFixture(dir: string): Promise<OracleResult> {
  const { annotations, problems } = parseFixture(dir);
  const result = await scan({ paths: [dir], config: defaults() });
  const at = (file: string, line: number): Annotation[] => annotations.filter((a) => a.file === file && a.target === line);
  const matched = new Set<Annotation>();

  for (const ep of result.endpoints) {
    const file = relPosix(dir, ep.anchor.file);
    const here = at(file, ep.anchor.line);
    const label = `${ep.method} ${ep.path}`;
    const epAnn = here.find((a) => a.kind === 'expect-endpoint' && a.value === label && !matched.has(a));
    if (!epAnn) {
      problems.push(`${file}:${ep.anchor.line}: unexpected endpoint ${label} (${ep.framework})`);
      continue;
    }
    matched.add(epAnn);
    // Annotations between this expect-endpoint and the next one describe this endpoint.
    const group = endpointGroup(annotations, epAnn);
    const sens = group.find((a) => a.kind === 'expect-sensitive');
    const cats = ep.classification?.sensitive ? [...ep.classification.categories].sort().join(',') : '';
    if (sens) {
      matched.add(sens);
      const want = sens.value.split(/\s*,\s*/).sort().join(',');
      if (want !== cats) problems.push(`${file}:${ep.anchor.line}: ${label} sensitive as [${cats || 'not sensitive'}], expected [${want}]`);
    } else if (cats) problems.push(`${file}:${ep.anchor.line}: ${label} unexpectedly sensitive [${cats}] (${ep.classification?.reasons.map((r) => `${r.kind}:${r.value}`).join(' ')})`);
    const status = group.find((a) => a.kind === 'expect-status');
    if (status) {
      matched.add(status);
      if (ep.verdict?.status !== status.value) problems.push(`${file}:${ep.anchor.line}: ${label} step-up ${ep.verdict?.status}, expected ${status.value}`);
    }
    const rules = new Set((ep.verdict?.findings ?? []).map((f) => f.ruleId));
    for (const a of group) {
      if (a.kind === 'expect') {
        matched.add(a);
        if (!rules.has(a.value)) problems.push(`${file}:${ep.anchor.line}: ${label}: expected ${a.value}, got [${[...rules].join(', ') || 'nothing'}]`);
      } else if (a.kind === 'expect-not' || a.kind === 'todo-expect') {
        matched.add(a);
        if (rules.has(a.value)) problems.push(`${file}:${ep.anchor.line}: ${label}: ${a.value} reported${a.kind === 'todo-expect' ? ' (a todo-expect now passes: promote it to expect)' : ' but marked expect-not'}`);
      }
    }
    for (const f of ep.verdict?.findings ?? []) {
      if (!group.some((a) => a.kind === 'expect' && a.value === f.ruleId)) problems.push(`${file}:${ep.anchor.line}: ${label}: unexpected ${f.ruleId}: ${f.message}`);
    }
  }
  for (const a of annotations) {
    if (a.kind === 'expect-endpoint' && !matched.has(a)) problems.push(`${a.file}:${a.line}: expected endpoint ${a.value} was not found`);
    else if (a.kind !== 'expect-endpoint' && !matched.has(a) && !annotations.some((b) => b.kind === 'expect-endpoint' && matched.has(b) && endpointGroup(annotations, b).includes(a))) {
      problems.push(`${a.file}:${a.line}: ${a.kind} annotation belongs to no endpoint`);
    }
  }
  return { problems, endpoints: result.endpoints.length, findings: result.findings.length };
}

/** The annotations that describe the same endpoint as `ep`: from it up to the next expect-endpoint on that target. */
function endpointGroup(all: Annotation[], ep: Annotation): Annotation[] {
  const same = all.filter((a) => a.file === ep.file && a.target === ep.target).sort((a, b) => a.line - b.line);
  const start = same.indexOf(ep);
  const out: Annotation[] = [];
  for (let i = start + 1; i < same.length; i++) {
    if (same[i].kind === 'expect-endpoint') break;
    out.push(same[i]);
  }
  return out;
}
