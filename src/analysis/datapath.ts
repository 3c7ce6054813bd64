// The data path of a value: every expression it is computed from, following locals,
// destructuring, parameters bound at a call site, member reads and call receivers and arguments.
// Visitors decide what they are looking for (a cookie, a signature header, an environment secret).
import { ts } from 'ts-morph';
import type { Budget } from './budget.js';
import { findDeclaration } from './scope.js';
import type { Env } from './strings.js';
import { skipOuter } from './values.js';

/**
 * Visits each node on the data path of `exprs` once (`visit` returns true to stop the whole walk),
 * `maxDepth` steps from the start, each node counted against `budget` when one is given.
 */
export function walkDataPath(
  exprs: readonly ts.Expression[],
  env: Env | undefined,
  visit: (n: ts.Node) => boolean | void,
  maxDepth = 20,
  budget?: Budget,
): void {
  const seen = new Set<ts.Node>();
  let stop = false;
  const go = (n: ts.Node, depth: number): void => {
    if (stop || depth > maxDepth || seen.has(n)) return;
    seen.add(n);
    budget?.step('data paths');
    const x = ts.isExpression(n) ? skipOuter(n) : n;
    if (visit(x)) {
      stop = true;
      return;
    }
    if (ts.isIdentifier(x)) {
      if (x.parent && ts.isPropertyAccessExpression(x.parent) && x.parent.name === x) return;
      const d = findDeclaration(x);
      if (!d) return;
      if (ts.isParameter(d)) {
        const bound = env?.get(d);
        if (bound) go(bound, depth + 1);
        return;
      }
      if (ts.isVariableDeclaration(d) && d.initializer) return go(d.initializer, depth + 1);
      if (ts.isBindingElement(d)) {
        if (visit(d)) {
          stop = true;
          return;
        }
        let root: ts.Node = d.parent.parent;
        while (ts.isBindingElement(root)) root = root.parent.parent;
        if (ts.isVariableDeclaration(root) && root.initializer) go(root.initializer, depth + 1);
        if (ts.isParameter(root)) {
          const bound = env?.get(root);
          if (bound) go(bound, depth + 1);
        }
      }
      return;
    }
    if (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) return go(x.expression, depth + 1);
    if (ts.isCallExpression(x)) {
      // the receiver and the arguments both carry data into the result (`createHmac(k).update(t).digest()`)
      const callee = skipOuter(x.expression);
      if (ts.isPropertyAccessExpression(callee)) go(callee.expression, depth + 1);
      for (const a of x.arguments) go(a, depth + 1);
      return;
    }
    ts.forEachChild(x, (c) => {
      if (!ts.isFunctionLike(c)) go(c, depth + 1);
    });
  };
  for (const e of exprs) go(e, 0);
}

/** The request header a node reads: `headers.get('x')`, `req.header('x')`, `req.get('x')`, `req.headers['x']`, `req.headers.x`. */
export function headerRead(n: ts.Node): string | undefined {
  if (ts.isCallExpression(n)) {
    const callee = skipOuter(n.expression);
    // a project helper: `getHeader({ context, name: 'X-Signature' })`, `getHeader(req, 'authorization')`
    const fname = ts.isIdentifier(callee) ? callee.text : ts.isPropertyAccessExpression(callee) ? callee.name.text : '';
    if (/^(get|read)?(request)?header$/i.test(fname) && !ts.isPropertyAccessExpression(callee)) {
      for (const a of n.arguments) {
        const x = skipOuter(a);
        if (ts.isStringLiteralLike(x)) return x.text.toLowerCase();
        if (ts.isObjectLiteralExpression(x)) {
          for (const p of x.properties) {
            if (
              ts.isPropertyAssignment(p) &&
              ts.isIdentifier(p.name) &&
              /^(name|key|header)$/.test(p.name.text) &&
              ts.isStringLiteralLike(p.initializer)
            )
              return p.initializer.text.toLowerCase();
          }
        }
      }
    }
    const key = n.arguments[0];
    if (!key || !ts.isStringLiteralLike(key) || !ts.isPropertyAccessExpression(callee)) return undefined;
    const m = callee.name.text;
    const recv = callee.expression.getText();
    if (m === 'get' && /headers(\(\))?$/i.test(recv)) return key.text.toLowerCase();
    if ((m === 'header' || m === 'getHeader') && /(req|request|ctx|context)$/i.test(recv))
      return key.text.toLowerCase();
    if (m === 'get' && /^(req|request)$/.test(recv)) return key.text.toLowerCase();
    return undefined;
  }
  if (
    ts.isElementAccessExpression(n) &&
    ts.isStringLiteralLike(n.argumentExpression) &&
    /headers$/i.test(skipOuter(n.expression).getText())
  )
    return n.argumentExpression.text.toLowerCase();
  if (ts.isPropertyAccessExpression(n) && /headers$/i.test(skipOuter(n.expression).getText()))
    return n.name.text.toLowerCase();
  return undefined;
}

/** A read of the server's environment: `process.env.X`, `process.env['X']`, `env.X` from a config module, `Deno.env.get`. */
export function envRead(n: ts.Node): string | undefined {
  if (
    (ts.isPropertyAccessExpression(n) || ts.isElementAccessExpression(n)) &&
    /^(process\.env|import\.meta\.env|env|c\.env|ctx\.env|Bun\.env)$/.test(skipOuter(n.expression).getText())
  ) {
    return ts.isPropertyAccessExpression(n)
      ? n.name.text
      : ts.isStringLiteralLike(n.argumentExpression)
        ? n.argumentExpression.text
        : 'env';
  }
  return undefined;
}
