// Options objects handed to library calls (`fetchRequestHandler({ router: appRouter })`): the
// expression a named option holds, through a variable holding the object.
import { ts } from 'ts-morph';
import { propertyNameText, skipOuter, type ValueResolver } from '../../analysis/values.js';

/** The expression of option `name` in an options object (written in place or held by a variable). */
export function optionExpr(
  arg: ts.Expression | undefined,
  name: string,
  values: ValueResolver,
): ts.Expression | undefined {
  if (!arg) return undefined;
  const objects: ts.ObjectLiteralExpression[] = [];
  const x = skipOuter(arg);
  if (ts.isObjectLiteralExpression(x)) objects.push(x);
  else for (const v of values.resolve(x)) if (v.kind === 'object') objects.push(v.node);
  for (const obj of objects) {
    for (let i = obj.properties.length - 1; i >= 0; i--) {
      const p = obj.properties[i];
      if (!p.name || propertyNameText(p.name) !== name) continue;
      if (ts.isPropertyAssignment(p)) return p.initializer;
      if (ts.isShorthandPropertyAssignment(p)) return p.name;
    }
  }
  return undefined;
}
