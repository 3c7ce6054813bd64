// The values a SQL statement compares in its WHERE clause, by placeholder: `prepare('… WHERE id = ?').bind(x)`
// (D1), `prepare(text).get(x)` (better-sqlite3), `pool.query('… WHERE id = $1', [x])` (pg, mysql).
import { ts } from 'ts-morph';
import { sqlTexts } from './effects.js';
import { skipOuter, type ValueResolver } from './values.js';

/** Calls that hand a prepared statement its parameters or run it (`.bind(a, b)`, `.get(a)`, `.first()`). */
const PARAM_CALLS = /^(bind|run|get|all|first|raw|values|execute|query)$/;

/** The statement call of a chain (`db.prepare(text)` in `db.prepare(text).bind(x).first()`) and the parameters given anywhere along it. */
function statementChain(call: ts.CallExpression): { statement: ts.CallExpression; params: ts.Expression[] } {
  // down to the innermost call of the chain
  let statement = call;
  for (;;) {
    const callee = skipOuter(statement.expression);
    if (!ts.isPropertyAccessExpression(callee)) break;
    const inner = skipOuter(callee.expression);
    if (!ts.isCallExpression(inner) || !PARAM_CALLS.test(callee.name.text)) break;
    statement = inner;
  }
  const params: ts.Expression[] = [];
  const take = (args: readonly ts.Expression[]): void => {
    for (const a of args) {
      const x = skipOuter(a);
      if (ts.isArrayLiteralExpression(x)) params.push(...x.elements);
      else params.push(a);
    }
  };
  // beside the text (`pool.query(text, [a, b])`), then up the chain (`.bind(a, b)`, `.get(a)`)
  take(statement.arguments.slice(1));
  let at: ts.Node = statement;
  for (;;) {
    const access = at.parent;
    if (!access || !ts.isPropertyAccessExpression(access) || access.expression !== at) break;
    const outer = access.parent;
    if (!outer || !ts.isCallExpression(outer) || outer.expression !== access || !PARAM_CALLS.test(access.name.text))
      break;
    take(outer.arguments);
    at = outer;
  }
  return { statement, params };
}

/** A placeholder of a statement's text: the column it stands for, its text (`?`, `$2`) and where it is. */
interface Slot {
  column: string;
  mark: string;
  at: number;
}

/**
 * The parameters of a statement, each with the column the placeholder `read` finds it for: `?` counts from
 * the start of the statement, `$n` is the n-th parameter. Empty when the call holds no SQL text or no
 * parameters.
 */
function slotParams(
  call: ts.CallExpression,
  values: ValueResolver,
  read: (text: string) => Slot[],
): { column: string; value: ts.Expression }[] {
  const { statement, params } = statementChain(call);
  const first = statement.arguments[0];
  if (!first || !params.length) return [];
  const out: { column: string; value: ts.Expression }[] = [];
  for (const text of sqlTexts(first, values))
    for (const slot of read(text)) {
      const index =
        slot.mark === '?'
          ? (text.slice(0, slot.at).match(/\?/g) ?? []).length
          : /^\$\d+$/.test(slot.mark)
            ? Number(slot.mark.slice(1)) - 1
            : -1;
      const value = index >= 0 ? params[index] : undefined;
      if (value) out.push({ column: slot.column, value });
    }
  return out;
}

/** `col = ?` pairs of a stretch of text, from `from` to `to`. */
function pairs(text: string, re: RegExp, from: number, to = text.length): Slot[] {
  const out: Slot[] = [];
  const part = text.slice(from, to);
  for (let m = re.exec(part); m; m = re.exec(part))
    out.push({ column: m[1], mark: m[2], at: from + m.index + m[0].length - m[2].length });
  return out;
}

/**
 * The parameters a statement's WHERE clause compares columns with, each with its column
 * (`UPDATE users SET … WHERE id = ?` bound to `(amount, row.user_id)` → `id: row.user_id`). Empty when the call
 * holds no SQL text with a WHERE clause.
 */
export function whereParams(
  call: ts.CallExpression,
  values: ValueResolver,
): { column: string; value: ts.Expression }[] {
  return slotParams(call, values, (text) => {
    const where = /\bwhere\b/i.exec(text);
    return where ? pairs(text, /[`"']?(\w+)[`"']?\s*(?:=|\bin\b|\blike\b)\s*\(?\s*(\?|\$\d+)/gi, where.index) : [];
  });
}

/**
 * The parameters an UPDATE statement's SET clause writes, each with its column
 * (`UPDATE s SET codes = $1, updated_at = now() WHERE id = $2` run with `[json, id]` → `codes: json`).
 */
export function setParams(call: ts.CallExpression, values: ValueResolver): { column: string; value: ts.Expression }[] {
  return slotParams(call, values, (text) => {
    const set = /\bset\b([\s\S]*?)(\bwhere\b|\breturning\b|$)/i.exec(text);
    if (!set) return [];
    const from = set.index + set[0].length - set[1].length - set[2].length;
    return pairs(text, /[`"']?(\w+)[`"']?\s*=\s*(\?|\$\d+)/g, from, from + set[1].length);
  });
}

/**
 * The parameters an INSERT statement writes, each with its column
 * (`INSERT INTO a (user_id, address) VALUES ($1, $2)` run with `[id, addr]` → `address: addr`).
 */
export function insertParams(
  call: ts.CallExpression,
  values: ValueResolver,
): { column: string; value: ts.Expression }[] {
  return slotParams(call, values, (text) => {
    const m = /\binsert\s+(?:or\s+\w+\s+)?into\s+[`"']?\w+[`"']?\s*\(([^)]*)\)\s*values\s*\(([^)]*)\)/i.exec(text);
    if (!m) return [];
    const columns = m[1].split(',').map((c) => c.trim().replace(/[`"']/g, ''));
    // each slot's place in the text, for the `?` before it
    let at = m.index + m[0].length - m[2].length - 1; // where the slots begin
    return m[2].split(',').flatMap((raw, i) => {
      const here = at;
      at += raw.length + 1;
      // (a cast after the placeholder, `$3::auth_token_type`, is still that placeholder)
      const mark = raw.trim().replace(/::\w+$/, '');
      return columns[i] ? [{ column: columns[i], mark, at: here + raw.indexOf(mark) }] : [];
    });
  });
}
