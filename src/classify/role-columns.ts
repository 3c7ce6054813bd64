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
  const quoted = `["'\`](\\w+)["'\`]`;
  // `holder.key === 'admin'`, `holder?.key !== "admin"`, and the same written the other way round
  const forward = new RegExp(`\\b(\\w+)\\??\\.(\\w+)\\s*[!=]==?\\s*${quoted}`, 'g');
  const backward = new RegExp(`${quoted}\\s*[!=]==?\\s*(\\w+)\\??\\.(\\w+)\\b`, 'g');
  for (const file of [...values.store.known].sort()) {
    const text = values.store.text(file, false);
    if (!text) continue;
    for (const m of text.matchAll(forward)) if (holders.test(m[1]) && privileged.test(m[3])) keys.add(norm(m[2]));
    for (const m of text.matchAll(backward)) if (holders.test(m[2]) && privileged.test(m[1])) keys.add(norm(m[3]));
  }
  for (const k of rule.notKeys ?? []) keys.delete(norm(k));
  return (slot.keys = keys);
}
