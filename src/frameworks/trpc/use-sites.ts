// Where a server adapter is registered: the `use(path, …, adapter)` call that mounts its value,
// in the file that builds it or in any other (`const mw = createExpressMiddleware(…); export default mw`
// in one module, `app.use('/trpc', mw)` in the application's). The adapter value is followed, not the file.
import { ts } from 'ts-morph';
import { evalString } from '../../analysis/strings.js';
import { accessName, skipOuter, type ValueResolver } from '../../analysis/values.js';
import type { SourceStore } from '../../project/sources.js';
import { callIndex } from '../shared/iterations.js';

const USE_TEXT = /\.\s*use\s*\(/;

function isUseCall(c: ts.CallExpression): boolean {
  const callee = skipOuter(c.expression);
  return (
    (ts.isPropertyAccessExpression(callee) || ts.isElementAccessExpression(callee)) && accessName(callee) === 'use'
  );
}

/** The adapter call as the argument it is written as (through parentheses, `as`, `await`). */
function outermost(call: ts.CallExpression): ts.Node {
  let n: ts.Node = call;
  while (
    n.parent &&
    (ts.isParenthesizedExpression(n.parent) || ts.isAsExpression(n.parent) || ts.isAwaitExpression(n.parent))
  )
    n = n.parent;
  return n;
}

/** Does a `use` argument (a name, a member) evaluate to the adapter call? */
function mountsValue(arg: ts.Expression, call: ts.CallExpression, values: ValueResolver): boolean {
  const a = skipOuter(arg);
  if (!ts.isIdentifier(a) && !ts.isPropertyAccessExpression(a)) return false;
  return values.resolve(a).some((v) => 'node' in v && v.node === call);
}

/**
 * The paths (wildcard removed) of the `use` calls that register an adapter call: the call itself
 * as an argument, or its value (held by a variable, or a module's default export) by name in its
 * own file or in one of `files`. Empty when none is found.
 */
export function usePrefixes(
  call: ts.CallExpression,
  files: readonly string[],
  store: SourceStore,
  values: ValueResolver,
): string[] {
  const n = outermost(call);
  const parent = n.parent;
  let uses: ts.CallExpression[] = [];
  if (parent && ts.isCallExpression(parent) && parent.arguments.includes(n as ts.Expression) && isUseCall(parent))
    uses = [parent];
  else if (parent && (ts.isVariableDeclaration(parent) || ts.isExportAssignment(parent))) {
    const own = call.getSourceFile();
    for (const sf of [own, ...files.filter((f) => f !== own.fileName).map((f) => store.get(f))]) {
      if (!sf || !USE_TEXT.test(sf.text)) continue;
      for (const c of callIndex(sf).calls)
        if (isUseCall(c) && c.arguments.length >= 2 && c.arguments.slice(1).some((a) => mountsValue(a, call, values)))
          uses.push(c);
      // the file that builds the adapter and mounts it is the application: its own mount is the one
      if (uses.length && sf === own) break;
    }
  }
  const out: string[] = [];
  for (const use of uses) {
    if (use.arguments.length < 2) continue;
    const p = evalString(use.arguments[0], values);
    if (p !== undefined) out.push(p.replace(/\/?\*$/, '').replace(/\/$/, ''));
  }
  return [...new Set(out)];
}
