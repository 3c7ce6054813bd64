// Inline suppressions: `// stepup-audit-ignore <ruleId> -- <reason>` on the line(s) directly above
// an endpoint's anchor. A suppression needs a reason and names one known rule; one that matches no
// finding is reported, and so is every comment that mentions `stepup-audit-ignore` but cannot be
// used (a colon instead of ` -- `, a comma list, no rule id, an unknown rule, `-next-line`).
import type { Endpoint, Finding } from '../model.js';

export interface Suppression {
  file: string;
  line: number;
  ruleId: string;
  reason?: string;
  used: boolean;
}

export interface InvalidSuppressionComment {
  file: string;
  line: number;
  message: string;
}

const MENTION = /stepup-audit-ignore/;
const COMMENT_LINE = /^\s*(?:\/\/+|\/\*+|\*)\s*(.*?)\s*(?:\*\/)?\s*$/;
const COMMENT = /^\s*(\/\/|\/\*|\*|\*\/)/;
const SHAPE = '// stepup-audit-ignore <rule-id> -- <reason>';

export type ParsedSuppression = { ok: true; ruleId: string; reason?: string } | { ok: false; message: string };

/** Parses one line that may hold a suppression comment. Undefined when it does not mention one. */
export function parseSuppressionLine(text: string, knownRules?: ReadonlySet<string>): ParsedSuppression | undefined {
  if (!MENTION.test(text)) return undefined;
  const c = COMMENT_LINE.exec(text);
  if (!c)
    return {
      ok: false,
      message: `a suppression must be a comment on its own line directly above the endpoint (${SHAPE})`,
    };
  const body = c[1];
  const m = /^stepup-audit-ignore(\S*)\s*(.*)$/.exec(body);
  if (!m) return { ok: false, message: `a suppression comment starts with stepup-audit-ignore (${SHAPE})` };
  if (m[1])
    return {
      ok: false,
      message: `unknown directive stepup-audit-ignore${m[1]}: use ${SHAPE} directly above the endpoint`,
    };
  const rest = m[2];
  const parts = /^(.*?)(?:\s*--\s*(.*))?$/.exec(rest)!;
  const idText = parts[1].trim();
  const reason = parts[2]?.trim() || undefined;
  if (!idText) return { ok: false, message: `no rule id (${SHAPE})` };
  if (/^[^\s,;]+:(\s|$)/.test(idText))
    return { ok: false, message: `separate the reason with " -- ", not a colon (${SHAPE})` };
  if (/[,;\s]/.test(idText))
    return { ok: false, message: `one rule id per comment, then " -- " and the reason (got "${idText}")` };
  if (knownRules && !knownRules.has(idText)) return { ok: false, message: `unknown rule id ${idText}` };
  return { ok: true, ruleId: idText, reason };
}

export interface SuppressionResult {
  unused: Suppression[];
  invalid: InvalidSuppressionComment[];
}

/** Marks findings suppressed by comments above their endpoint's anchor. */
export function applyInlineSuppressions(
  endpoints: Endpoint[],
  findings: Finding[],
  textOf: (file: string) => string | undefined,
  knownRules?: ReadonlySet<string>,
): SuppressionResult {
  const byFile = new Map<string, Suppression[]>();
  const invalid: InvalidSuppressionComment[] = [];
  const lineCache = new Map<string, string[]>();
  const linesOf = (file: string): string[] => {
    let l = lineCache.get(file);
    if (!l) lineCache.set(file, (l = (textOf(file) ?? '').split(/\r?\n/)));
    return l;
  };
  for (const file of new Set(endpoints.map((e) => e.anchor.file))) {
    const list: Suppression[] = [];
    linesOf(file).forEach((text, i) => {
      const s = parseSuppressionLine(text, knownRules);
      if (!s) return;
      if (!s.ok) invalid.push({ file, line: i + 1, message: s.message });
      else if (!s.reason)
        invalid.push({
          file,
          line: i + 1,
          message: `suppression of ${s.ruleId} ignored: a reason is required (// stepup-audit-ignore ${s.ruleId} -- <reason>)`,
        });
      else list.push({ file, line: i + 1, ruleId: s.ruleId, reason: s.reason, used: false });
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
      if (s && s.ruleId === f.ruleId) {
        s.used = true;
        f.suppressed = { kind: 'inline', reason: s.reason };
        break;
      }
    }
  }
  const all = [...byFile.values()].flat();
  invalid.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  return { unused: all.filter((s) => !s.used), invalid };
}
