// Baselines: accepted findings keyed by rule id + endpoint id (never by line), sorted, so a
// baseline survives edits that move code and changes only when findings do.
import fs from 'node:fs';
import type { Finding } from '../model.js';
import { compareStrings } from '../paths.js';
import { ConfigError } from '../errors.js';
import { parseJson } from './jsonc.js';

export interface BaselineEntry {
  ruleId: string;
  endpointId: string;
}

export interface Baseline {
  version: 1;
  tool: 'stepup-audit';
  findings: BaselineEntry[];
}

export function key(e: BaselineEntry): string {
  return `${e.ruleId}\0${e.endpointId}`;
}

export function readBaseline(file: string): BaselineEntry[] {
  let raw: unknown;
  try {
    raw = parseJson(fs.readFileSync(file, 'utf8'));
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    throw new ConfigError(
      `${file}: ${e.code === 'ENOENT' ? 'baseline file not found' : `cannot read baseline (${e.message})`}`,
    );
  }
  const b = raw as Partial<Baseline>;
  if (!b || typeof b !== 'object' || !Array.isArray(b.findings))
    throw new ConfigError(`${file}: not a stepup-audit baseline (expected an object with a "findings" array)`);
  return b.findings.map((f, i) => {
    if (!f || typeof f.ruleId !== 'string' || typeof f.endpointId !== 'string')
      throw new ConfigError(`${file}: "findings"[${i}] needs string "ruleId" and "endpointId"`);
    return { ruleId: f.ruleId, endpointId: f.endpointId };
  });
}

/** Marks baselined findings suppressed; returns the entries that matched nothing (stale). */
export function applyBaseline(findings: Finding[], entries: BaselineEntry[], reason?: string): string[] {
  const wanted = new Map(entries.map((e) => [key(e), e]));
  const used = new Set<string>();
  for (const f of findings) {
    if (f.suppressed) continue;
    const k = key(f);
    if (wanted.has(k)) {
      used.add(k);
      f.suppressed = reason ? { kind: 'baseline', reason } : { kind: 'baseline' };
    }
  }
  return entries
    .filter((e) => !used.has(key(e)))
    .map((e) => `${e.ruleId} ${e.endpointId}`)
    .sort(compareStrings);
}

export function renderBaseline(findings: Finding[]): string {
  const seen = new Set<string>();
  const entries: BaselineEntry[] = [];
  for (const f of findings) {
    if (f.suppressed?.kind === 'inline') continue;
    const e = { ruleId: f.ruleId, endpointId: f.endpointId };
    if (seen.has(key(e))) continue;
    seen.add(key(e));
    entries.push(e);
  }
  entries.sort((a, b) => compareStrings(a.endpointId, b.endpointId) || compareStrings(a.ruleId, b.ruleId));
  const b: Baseline = { version: 1, tool: 'stepup-audit', findings: entries };
  return `${JSON.stringify(b, null, 2)}\n`;
}
