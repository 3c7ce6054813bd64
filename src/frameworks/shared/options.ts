// Options objects handed to library calls (`fetchRequestHandler({ router: appRouter })`): the
// expression a named option holds, through a variable holding the object.
import { ts } from 'ts-morph';
import { propertyNameText, skipOuter, type ValueResolver } from '../../analysis/values.js';

/** The expression of option `name` in an options object (written in place or held by a variable). */
export function optionExpr(
  arg: ts.Expression | undefined,
  name: string,
  values: ValueResolver,
  depth = 0,
): ts.Expression | undefined {
  if (!arg || depth > 3) return undefined;
  const objects: ts.ObjectLiteralExpression[] = [];
  const x = skipOuter(arg);
  if (ts.isObjectLiteralExpression(x)) objects.push(x);
  else for (const v of values.resolve(x)) if (v.kind === 'object') objects.push(v.node);
  for (const obj of objects) {
    for (let i = obj.properties.length - 1; i >= 0; i--) {
      const p = obj.properties[i];
      // `{ tags, ...meta, path }`: an option spread in from another object, where no later one names it
      if (ts.isSpreadAssignment(p)) {
        const spread = optionExpr(p.expression, name, values, depth + 1);
        if (spread) return spread;
        continue;
      }
      if (!p.name || propertyNameText(p.name) !== name) continue;
      if (ts.isPropertyAssignment(p)) return p.initializer;
      if (ts.isShorthandPropertyAssignment(p)) return p.name;
    }
  }
  return undefined;
}
