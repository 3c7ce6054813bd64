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
    if (name === 'where' && ts.isPropertyAssignment(p)) out.where.push(...queryKeys(p.initializer).keys);
  }
  return out;
}
