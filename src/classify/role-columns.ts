// Role columns by how the application uses them: a column that its own authorisation checks compare with
// an administrator's role (`if (user.type !== 'admin') return 403`, `account.kind === 'superadmin'`) holds
// the role, whatever it is called. Read as text over the project's sources, once per scan, never run.
import type { ValueResolver } from '../analysis/values.js';
import { memo } from '../memo.js';
import { ruleFile } from '../rules/load.js';
import { norm } from './words.js';

const ROLE_COLUMNS = memo('classify.roleColumns', () => ({ keys: undefined as Set<string> | undefined }));

/** Normalised names of the columns the project compares with an administrator's role value. */
export function comparedRoleColumns(values: ValueResolver): ReadonlySet<string> {
  const slot = values.session.get(ROLE_COLUMNS);
  if (slot.keys) return slot.keys;
  const keys = new Set<string>();
  const rule = ruleFile('assets').roleByComparison;
  if (!rule) return (slot.keys = keys);
  const holders = new RegExp(rule.holders, 'i');
  const privileged = new RegExp(rule.values, 'i');
  // `holder.key === 'admin'`, `holder?.key !== "admin"`, and the same written the other way round: looked for
  // only around a quoted privileged value, so that files without one cost a single search
  const literal = new RegExp(`["'\`](${rule.values.replace(/^\^\(?|\)?\$$/g, '')})["'\`]`, 'gi');
  const forward = /\b(\w+)\??\.(\w+)\s*[!=]==?\s*["'`](\w+)["'`]$/;
  const backward = /^["'`](\w+)["'`]\s*[!=]==?\s*(\w+)\??\.(\w+)\b/;
  // `if (user.user_group !== 1 && user.user_group !== 2) return res.status(403).json({ error: 'Admin access required' })`:
  // the holder's columns compared in the condition that leads to a refusal saying an administrator is
  // required, with a number (a group id) or an administrator's role; a token's claim is no column
  const refusal = rule.adminRefusal ? new RegExp(rule.adminRefusal, 'gi') : undefined;
  const claims = rule.tokenHolders ? new RegExp(rule.tokenHolders, 'i') : undefined;
  const compared = /\b(\w+)\??\.(\w+)\s*[!=]==?\s*(-?\d+|["'`]\w*["'`])/g;
  for (const file of [...values.store.known].sort()) {
    const text = values.store.text(file, false);
    if (!text) continue;
    for (const hit of text.matchAll(literal)) {
      const at = hit.index ?? 0;
      const end = at + hit[0].length;
      const f = forward.exec(text.slice(Math.max(0, at - 120), end));
      if (f && holders.test(f[1]) && privileged.test(f[3])) keys.add(norm(f[2]));
      const b = backward.exec(text.slice(at, end + 120));
      if (b && holders.test(b[2]) && privileged.test(b[1])) keys.add(norm(b[3]));
    }
    if (!refusal || !text.includes('403')) continue;
    for (const hit of text.matchAll(refusal)) {
      const at = hit.index ?? 0;
      // the condition: from the `if (` closest before the refusal
      const before = text.slice(Math.max(0, at - 240), at);
      const ifs = [...before.matchAll(/\bif\s*\(/g)];
      if (!ifs.length) continue;
      const cond = before.slice(ifs[ifs.length - 1].index ?? 0);
      for (const c of cond.matchAll(compared)) {
        const value = c[3].replace(/^["'`]|["'`]$/g, '');
        if (!holders.test(c[1]) || claims?.test(c[1])) continue;
        if (/^-?\d+$/.test(value) || privileged.test(value)) keys.add(norm(c[2]));
      }
    }
  }
  for (const k of rule.notKeys ?? []) keys.delete(norm(k));
  return (slot.keys = keys);
}

const KIND_COLUMNS = memo('classify.kindColumns', () => ({ keys: undefined as Set<string> | undefined }));

/**
 * Normalised names of the keys that may name a role or a kind (`user_type`) which the project compares only with
 * quoted values, none of them privileged (`user.user_type === 'individual'`): kinds of account, not roles.
 */
export function comparedKindColumns(values: ValueResolver): ReadonlySet<string> {
  const slot = values.session.get(KIND_COLUMNS);
  if (slot.keys) return slot.keys;
  const rule = ruleFile('assets').roleByComparison;
  const kinds = new Set((rule?.kindKeys ?? []).map(norm));
  if (!rule?.privilegedValues || !kinds.size) return (slot.keys = new Set());
  const privileged = new RegExp(rule.privilegedValues, 'i');
  // (every value compared must name a kind of account: `individual`, `business`, `savings`)
  const kindValue = rule.kindValues ? new RegExp(rule.kindValues, 'i') : undefined;
  const seen = new Map<string, boolean>();
  const note = (key: string, value: string): void => {
    const k = norm(key);
    if (!kinds.has(k)) return;
    seen.set(k, (seen.get(k) ?? false) || privileged.test(value) || !kindValue?.test(value));
  };
  const forward = /\.(\w+)\s*[!=]==?\s*["'`](\w*)["'`]/g;
  const backward = /["'`](\w*)["'`]\s*[!=]==?\s*[\w?.]*\.(\w+)\b/g;
  for (const file of [...values.store.known].sort()) {
    const text = values.store.text(file, false);
    if (!text || !/type\b/i.test(text)) continue;
    for (const m of text.matchAll(forward)) note(m[1], m[2]);
    for (const m of text.matchAll(backward)) note(m[2], m[1]);
  }
  const out = new Set<string>();
  for (const [k, anyPrivileged] of seen) if (!anyPrivileged) out.add(k);
  for (const k of comparedRoleColumns(values)) out.delete(k);
  // (named anywhere near a privileged word, in whatever form — `case 'admin':`, `['admin', 'staff'].includes(…)`,
  // `UserType.Admin`, `.toLowerCase() === 'admin'` — it may hold a role: not a kind)
  if (out.size) {
    // a quoted privileged value (`'admin'`, `"SUPER_ADMIN"`) or an enum member naming one (`UserType.Admin`)
    const alts = rule.privilegedValues
      .replace(/^\(|\)$/g, '')
      .split('|')
      .filter((a) => /^\w+$/.test(a))
      .join('|');
    const word = new RegExp(
      `["'\`](super|sub|site|org|system|global|account)?[_ -]?(${alts})s?["'\`]|\\.\\w*(${alts})\\b`,
      'gi',
    );
    for (const file of [...values.store.known].sort()) {
      const text = values.store.text(file, false);
      if (!text) continue;
      for (const m of text.matchAll(word)) {
        const at = m.index ?? 0;
        const near = text.slice(Math.max(0, at - 200), at + 200);
        for (const id of near.match(/[A-Za-z_]\w*/g) ?? []) out.delete(norm(id));
        if (!out.size) break;
      }
      if (!out.size) break;
    }
  }
  return (slot.keys = out);
}
