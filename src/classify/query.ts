// The keys a query call is given: `find({ where: { token } })`, `findMany({ take: 50, where: { createdAt } })`.
import { ts } from 'ts-morph';
import { propertyNameText, skipOuter } from '../analysis/values.js';

export interface QueryKeys {
  /** Top-level keys of the first object-literal argument (`take`, `where`, `select`, or a Mongo filter's fields). */
  keys: string[];
  /** Keys inside its `where`. */
  where: string[];
}

export function queryKeys(arg: ts.Expression | undefined): QueryKeys {
  const out: QueryKeys = { keys: [], where: [] };
  const x = arg && skipOuter(arg);
  if (!x || !ts.isObjectLiteralExpression(x)) return out;
  for (const p of x.properties) {
    const name = p.name ? propertyNameText(p.name) : undefined;
    if (!name) continue;
    out.keys.push(name);
    if (name === 'where' && ts.isPropertyAssignment(p)) {
      const w = skipOuter(p.initializer);
      // Drizzle's relational form: `where: (u, { eq, and }) => and(eq(u.email, email), eq(u.resetToken, token))`
      if (ts.isArrowFunction(w) || ts.isFunctionExpression(w)) out.where.push(...comparedColumns(w));
      else out.where.push(...queryKeys(p.initializer).keys);
    }
  }
  return out;
}

/**
 * Columns a condition callback compares for equality: `eq(u.resetToken, token)`, with the operator given by the
 * callback's second parameter under any name (`(u, { eq: same }) => same(u.email, email)`); a column is a member of
 * its first parameter, the table.
 */
function comparedColumns(fn: ts.ArrowFunction | ts.FunctionExpression): string[] {
  const table = fn.parameters[0]?.name;
  const ops = fn.parameters[1]?.name;
  const equal = new Set(['eq']);
  if (ops && ts.isObjectBindingPattern(ops))
    for (const el of ops.elements)
      if (ts.isIdentifier(el.name) && (el.propertyName ? propertyNameText(el.propertyName) : el.name.text) === 'eq')
        equal.add(el.name.text);
  const out: string[] = [];
  const visit = (n: ts.Node): void => {
    if (ts.isCallExpression(n) && n.arguments[0]) {
      const callee = skipOuter(n.expression);
      const name = ts.isIdentifier(callee)
        ? callee.text
        : ts.isPropertyAccessExpression(callee) &&
            ops &&
            ts.isIdentifier(ops) &&
            callee.expression.getText() === ops.text
          ? callee.name.text
          : undefined;
      const col = skipOuter(n.arguments[0]);
      if (
        name &&
        (equal.has(name) || name === 'eq') &&
        ts.isPropertyAccessExpression(col) &&
        (!table || !ts.isIdentifier(table) || col.expression.getText() === table.text)
      )
        out.push(col.name.text);
    }
    n.forEachChild(visit);
  };
  visit(fn.body);
  return out;
}

/**
 * The condition a query is given, as an object literal: its `where` (`findMany({ where: { id } })`), or the argument
 * itself where it has none (a Mongo filter, `findOne({ token })`).
 */
export function queryCondition(arg: ts.Expression | undefined): ts.ObjectLiteralExpression | undefined {
  const x = arg && skipOuter(arg);
  if (!x || !ts.isObjectLiteralExpression(x)) return undefined;
  const where = x.properties.find((p) => p.name && propertyNameText(p.name) === 'where');
  const cond = where && ts.isPropertyAssignment(where) ? skipOuter(where.initializer) : x;
  return ts.isObjectLiteralExpression(cond) ? cond : undefined;
}
