// Inline suppressions: `// stepup-audit-ignore <ruleId> -- <reason>` on the line(s) directly above
// an endpoint's anchor. A suppression needs a reason; one that matches no finding is reported.
import type { Endpoint, Finding } from '../model.js';

export interface Suppression {
  file: string;
  line: number;
  ruleId: string;
  reason?: string;
  used: boolean;
}

const PATTERN = /^\s*(?:\/\/|\/\*|\*)\s*stepup-audit-ignore\s+(\S+)(?:\s+--\s*(.*?))?\s*(?:\*\/)?\s*$/;
const COMMENT = /^\s*(\/\/|\/\*|\*|\*\/)/;

export function parseSuppressionLine(text: string): { ruleId: string; reason?: string } | undefined {
  const m = PATTERN.exec(text);
  if (!m) return undefined;
  const reason = m[2]?.trim();
  return { ruleId: m[1], reason: reason ? reason : undefined };
}

export interface SuppressionResult {
  unused: Suppression[];
  invalid: Suppression[];
}

/** Marks findings suppressed by comments above their endpoint's anchor. */
export function applyInlineSuppressions(endpoints: Endpoint[], findings: Finding[], textOf: (file: string) => string | undefined): SuppressionResult {
  const byFile = new Map<string, Suppression[]>();
  const lineCache = new Map<string, string[]>();
  const linesOf = (file: string): string[] => {
    let l = lineCache.get(file);
    if (!l) lineCache.set(file, (l = (textOf(file) ?? '').split(/\r?\n/)));
    return l;
  };
  for (const file of new Set(endpoints.map((e) => e.anchor.file))) {
    const list: Suppression[] = [];
    linesOf(file).forEach((text, i) => {
      const s = parseSuppressionLine(text);
      if (s) list.push({ file, line: i + 1, ruleId: s.ruleId, reason: s.reason, used: false });
    });
    if (list.length) byFile.set(file, list);
  }
  const epById = new Map(endpoints.map((e) => [e.id, e]));
  for (const f of findings) {
    const ep = epById.get(f.endpointId);
    if (!ep) continue;
    const sups = byFile.get(ep.anchor.file);
    if (!sups) continue;
    const lines = linesOf(ep.anchor.file);
    // The comment block directly above the anchor line.
    for (let ln = ep.anchor.line - 1; ln >= 1; ln--) {
      const text = lines[ln - 1] ?? '';
      if (!COMMENT.test(text)) break;
      const s = sups.find((x) => x.line === ln);
      if (s && s.reason && s.ruleId === f.ruleId) {
        s.used = true;
        f.suppressed = { kind: 'inline', reason: s.reason };
        break;
      }
    }
  }
  const all = [...byFile.values()].flat();
  return { unused: all.filter((s) => !s.used && s.reason), invalid: all.filter((s) => !s.reason) };
}

