// Compares a scan of a fixture with its annotations. Closed world: every endpoint, sensitivity
// and finding reported must be annotated, and every annotation must be matched.
import fs from 'node:fs';
import path from 'node:path';
import { defaults } from '../../src/config/types.js';
import { ruleMeta } from '../../src/rules/findings.js';
import { scan } from '../../src/pipeline.js';
import { relPosix } from '../../src/util.js';
import type { Finding } from '../../src/model.js';
import { parseFixture, type Annotation } from './annotations.js';

export interface OracleResult {
  problems: string[];
  endpoints: number;
  findings: number;
}

export async function checkFixture(dir: string): Promise<OracleResult> {
  const { annotations, problems } = parseFixture(dir);
  // `.scan-root` names the folder to scan (an application inside a monorepo fixture); annotations stay relative to `dir`
  const rootFile = path.join(dir, '.scan-root');
  const scanDir = fs.existsSync(rootFile) ? path.join(dir, fs.readFileSync(rootFile, 'utf8').trim()) : dir;
  const result = await scan({ paths: [scanDir], config: defaults() });
  const at = (file: string, line: number): Annotation[] =>
    annotations.filter((a) => a.file === file && a.target === line);
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
    problems.push(...contradictions(group).map((p) => `${file}:${epAnn.line}: ${label}: ${p}`));
    const sens = group.find((a) => a.kind === 'expect-sensitive');
    const cats = ep.classification?.sensitive ? [...ep.classification.categories].sort().join(',') : '';
    if (sens) {
      matched.add(sens);
      const want = sens.value
        .split(/\s*,\s*/)
        .sort()
        .join(',');
      if (want !== cats)
        problems.push(
          `${file}:${ep.anchor.line}: ${label} sensitive as [${cats || 'not sensitive'}], expected [${want}]`,
        );
    } else if (cats)
      problems.push(
        `${file}:${ep.anchor.line}: ${label} unexpectedly sensitive [${cats}] (${ep.classification?.reasons.map((r) => `${r.kind}:${r.value}`).join(' ')})`,
      );
    const status = group.find((a) => a.kind === 'expect-status');
    if (status) {
      matched.add(status);
      if (ep.verdict?.status !== status.value)
        problems.push(`${file}:${ep.anchor.line}: ${label} step-up ${ep.verdict?.status}, expected ${status.value}`);
    }
    const todoStatus = group.find((a) => a.kind === 'todo-expect-status');
    if (todoStatus) {
      matched.add(todoStatus);
      if (ep.verdict?.status === todoStatus.value)
        problems.push(
          `${file}:${ep.anchor.line}: ${label}: step-up is now ${todoStatus.value} (a todo-expect-status now passes: promote it to expect-status)`,
        );
    }
    const rules = new Set((ep.verdict?.findings ?? []).map((f) => f.ruleId));
    for (const a of group) {
      if (a.kind === 'expect') {
        matched.add(a);
        if (!rules.has(a.value))
          problems.push(
            `${file}:${ep.anchor.line}: ${label}: expected ${a.value}, got [${[...rules].join(', ') || 'nothing'}]`,
          );
      } else if (a.kind === 'expect-not' || a.kind === 'todo-expect') {
        matched.add(a);
        if (rules.has(a.value))
          problems.push(
            `${file}:${ep.anchor.line}: ${label}: ${a.value} reported${a.kind === 'todo-expect' ? ' (a todo-expect now passes: promote it to expect)' : ' but marked expect-not'}`,
          );
      }
    }
    for (const f of ep.verdict?.findings ?? []) {
      if (!group.some((a) => a.kind === 'expect' && a.value === f.ruleId))
        problems.push(`${file}:${ep.anchor.line}: ${label}: unexpected ${f.ruleId}: ${f.message}`);
    }
  }
  for (const a of annotations.filter((x) => x.kind === 'todo-expect-endpoint')) {
    matched.add(a);
    const listed = result.endpoints.some(
      (ep) =>
        `${ep.method} ${ep.path}` === a.value &&
        relPosix(dir, ep.anchor.file) === a.file &&
        ep.anchor.line === a.target,
    );
    if (listed)
      problems.push(
        `${a.file}:${a.line}: ${a.value} is now listed (a todo-expect-endpoint now passes: promote it to expect-endpoint)`,
      );
  }
  problems.push(...relatedProblems(dir, result.findings, annotations, matched));
  for (const a of annotations) {
    if (a.kind === 'expect-endpoint' && !matched.has(a))
      problems.push(`${a.file}:${a.line}: expected endpoint ${a.value} was not found`);
    else if (
      a.kind !== 'expect-endpoint' &&
      !matched.has(a) &&
      !annotations.some(
        (b) => b.kind === 'expect-endpoint' && matched.has(b) && endpointGroup(annotations, b).includes(a),
      )
    ) {
      problems.push(`${a.file}:${a.line}: ${a.kind} annotation belongs to no endpoint`);
    }
  }
  return { problems, endpoints: result.endpoints.length, findings: result.findings.length };
}

/**
 * Annotations of one endpoint that cannot all hold: a fixture that says two things passes whichever
 * the scanner does, so it is rejected before it is compared.
 */
export function contradictions(group: Annotation[]): string[] {
  const out: string[] = [];
  for (const kind of ['expect-status', 'expect-sensitive', 'todo-expect-status'] as const) {
    const values = group.filter((a) => a.kind === kind).map((a) => a.value);
    if (values.length > 1) out.push(`${kind} given ${values.length} times (${values.join(' / ')})`);
  }
  const values = (kind: string): Set<string> => new Set(group.filter((a) => a.kind === kind).map((a) => a.value));
  const expected = values('expect');
  for (const v of values('expect-not')) if (expected.has(v)) out.push(`${v} is both expected and expect-not`);
  for (const v of values('todo-expect')) if (expected.has(v)) out.push(`${v} is both expected and todo-expect`);
  for (const v of values('todo-expect-status'))
    if (values('expect-status').has(v)) out.push(`expect-status and todo-expect-status both say ${v}`);
  const status = group.find((a) => a.kind === 'expect-status')?.value;
  if (status === 'enforced' || status === 'not-required') {
    for (const v of expected)
      if (levelOf(v) === 'error') out.push(`expect-status ${status} with an error finding ${v}`);
  }
  if (status && status !== 'not-required' && !group.some((a) => a.kind === 'expect-sensitive'))
    out.push(`expect-status ${status} on an endpoint annotated not sensitive`);
  if (status === 'not-required' && group.some((a) => a.kind === 'expect-sensitive'))
    out.push('expect-status not-required on an endpoint annotated sensitive');
  return out;
}

function levelOf(id: string): string | undefined {
  try {
    return ruleMeta(id).level;
  } catch {
    return undefined;
  }
}

/**
 * Related locations of findings point at a line of a file in the fixture; an `expect-related: <role>`
 * annotation is matched by a related location of that role on the line it describes.
 */
function relatedProblems(
  dir: string,
  findings: Finding[],
  annotations: Annotation[],
  matched: Set<Annotation>,
): string[] {
  const out: string[] = [];
  const lineCount = new Map<string, number>();
  const seen = new Set<string>();
  for (const f of findings) {
    for (const r of f.related) {
      const file = relPosix(dir, r.span.file);
      if (file.startsWith('..') || path.isAbsolute(file)) {
        out.push(`${f.ruleId}: related ${r.role} location outside the fixture: ${r.span.file}`);
        continue;
      }
      if (!lineCount.has(file))
        lineCount.set(
          file,
          fs.existsSync(r.span.file) ? fs.readFileSync(r.span.file, 'utf8').split(/\r?\n/).length : 0,
        );
      if (r.span.line < 1 || r.span.line > (lineCount.get(file) ?? 0))
        out.push(
          `${file}: ${f.ruleId}: related ${r.role} location at line ${r.span.line}, which the file does not have`,
        );
      seen.add(`${file}:${r.span.line}:${r.role}`);
    }
  }
  for (const a of annotations.filter((x) => x.kind === 'expect-related')) {
    matched.add(a);
    if (!seen.has(`${a.file}:${a.target}:${a.value}`))
      out.push(`${a.file}:${a.line}: no finding has a related ${a.value} location on line ${a.target}`);
  }
  return out;
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
