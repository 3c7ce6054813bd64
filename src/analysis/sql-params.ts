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

/**
 * The parameters a statement's WHERE clause compares columns with, each with its column
 * (`UPDATE users SET … WHERE id = ?` bound to `(amount, row.user_id)` → `id: row.user_id`). Empty when the call
 * holds no SQL text with a WHERE clause.
 */
export function whereParams(
  call: ts.CallExpression,
  values: ValueResolver,
): { column: string; value: ts.Expression }[] {
  const { statement, params } = statementChain(call);
  const first = statement.arguments[0];
  if (!first || !params.length) return [];
  const out: { column: string; value: ts.Expression }[] = [];
  for (const text of sqlTexts(first, values)) {
    const where = /\bwhere\b/i.exec(text);
    if (!where) continue;
    const re = /[`"']?(\w+)[`"']?\s*(?:=|\bin\b|\blike\b)\s*\(?\s*(\?|\$\d+)/gi;
    re.lastIndex = where.index;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      const at =
        m[2] === '?' ? (text.slice(0, m.index + m[0].length - 1).match(/\?/g) ?? []).length : Number(m[2].slice(1)) - 1;
      const value = params[at];
      if (value) out.push({ column: m[1], value });
    }
  }
  return out;
}

/**
 * The parameters an UPDATE statement's SET clause writes, each with its column
 * (`UPDATE s SET codes = $1, updated_at = now() WHERE id = $2` run with `[json, id]` → `codes: json`).
 */
export function setParams(call: ts.CallExpression, values: ValueResolver): { column: string; value: ts.Expression }[] {
  const { statement, params } = statementChain(call);
  const first = statement.arguments[0];
  if (!first || !params.length) return [];
  const out: { column: string; value: ts.Expression }[] = [];
  for (const text of sqlTexts(first, values)) {
    const set = /\bset\b([\s\S]*?)(\bwhere\b|\breturning\b|$)/i.exec(text);
    if (!set) continue;
    const re = /[`"']?(\w+)[`"']?\s*=\s*(\?|\$\d+)/g;
    for (let m = re.exec(set[1]); m; m = re.exec(set[1])) {
      const before = text.slice(0, set.index + 'set'.length + m.index + m[0].length - 1);
      const at = m[2] === '?' ? (before.match(/\?/g) ?? []).length : Number(m[2].slice(1)) - 1;
      const value = params[at];
      if (value) out.push({ column: m[1], value });
    }
  }
  return out;
}

/**
 * The parameters an INSERT statement writes, each with its column
 * (`INSERT INTO a (user_id, address) VALUES ($1, $2)` run with `[id, addr]` → `address: addr`).
 */
export function insertParams(
  call: ts.CallExpression,
  values: ValueResolver,
): { column: string; value: ts.Expression }[] {
  const { statement, params } = statementChain(call);
  const first = statement.arguments[0];
  if (!first || !params.length) return [];
  const out: { column: string; value: ts.Expression }[] = [];
  for (const text of sqlTexts(first, values)) {
    const m = /\binsert\s+(?:or\s+\w+\s+)?into\s+[`"']?\w+[`"']?\s*\(([^)]*)\)\s*values\s*\(([^)]*)\)/i.exec(text);
    if (!m) continue;
    const columns = m[1].split(',').map((c) => c.trim().replace(/[`"']/g, ''));
    const slots = m[2].split(',').map((v) => v.trim());
    // `?` placeholders count from the start of the statement
    let marks = (text.slice(0, m.index + m[0].length - m[2].length - 1).match(/\?/g) ?? []).length;
    slots.forEach((slot, i) => {
      const at = slot === '?' ? marks++ : /^\$\d+$/.test(slot) ? Number(slot.slice(1)) - 1 : -1;
      const value = at >= 0 ? params[at] : undefined;
      if (value && columns[i]) out.push({ column: columns[i], value });
    });
  }
  return out;
}
