// A prefix a dispatcher strips before it hands the request to an app: a Workers `fetch` that serves
// `/api/*` through a Hono app whose routes are written without it —
//   if (url.pathname.startsWith('/api/')) { url.pathname = url.pathname.replace('/api', ''); return app.fetch(new Request(url, req), env) }
// — serves `app.get('/login')` at `/api/login`; so does a guard clause refusing other paths before the
// rewrite (`if (!url.pathname.startsWith(base)) return notFound(); url.pathname = url.pathname.slice(base.length)`).
// Both halves must be there: the test of the prefix and the rewrite of the path under it; a test alone means
// the routes already carry the prefix.
import { ts } from 'ts-morph';
import { evalString } from '../../analysis/strings.js';
import { skipOuter, type ValueResolver } from '../../analysis/values.js';
import { callIndex } from '../shared/iterations.js';

const TEXT = /\.fetch\s*\(/;
const REWRITES = /^(replace|replaceAll|slice|substring|substr)$/;

/** `x.pathname.startsWith('/api/')`: the prefix tested ('/api'). */
function testedPrefix(cond: ts.Expression, values: ValueResolver): { prefix: string; of: string } | undefined {
  const x = skipOuter(cond);
  if (ts.isBinaryExpression(x) && x.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken)
    return testedPrefix(x.left, values) ?? testedPrefix(x.right, values);
  if (!ts.isCallExpression(x) || !ts.isPropertyAccessExpression(x.expression)) return undefined;
  if (x.expression.name.text !== 'startsWith' || !x.arguments[0]) return undefined;
  const of = skipOuter(x.expression.expression);
  if (!ts.isPropertyAccessExpression(of) || of.name.text !== 'pathname') return undefined;
  const p = evalString(x.arguments[0], values);
  const prefix = p?.replace(/\/+$/, '');
  return prefix && prefix.startsWith('/') ? { prefix, of: of.getText() } : undefined;
}

/**
 * Does a rewrite call take the prefix off the front: `.replace('/api', '')`, `.replace(/^\/api/, '')`,
 * `.slice(4)`, `.substring('/api'.length)`? (Trimming a trailing slash, or replacing something else, does not.)
 */
function removesPrefix(call: ts.CallExpression, prefix: string, values: ValueResolver): boolean {
  const method = (call.expression as ts.PropertyAccessExpression).name.text;
  const [a, b] = call.arguments;
  if (!a) return false;
  if (method === 'replace' || method === 'replaceAll') {
    // (`.replace('/api/', '/')`: the prefix and its slash made the slash alone)
    if (b && evalString(b, values) === '/' && evalString(a, values) === `${prefix}/`) return true;
    if (!b || evalString(b, values) !== '') return false;
    const x = skipOuter(a);
    if (ts.isRegularExpressionLiteral(x)) {
      const body = x.text.slice(1, x.text.lastIndexOf('/')).replace(/\\\//g, '/');
      return body === `^${prefix}` || body === `^${prefix}/?` || body === `^${prefix}(?=/)`;
    }
    const lit = evalString(a, values);
    return lit === prefix || lit === `${prefix}/`;
  }
  // `.slice(4)`, `.substring(prefix.length)`: the number of characters of the prefix
  const x = skipOuter(a);
  if (ts.isNumericLiteral(x)) return Number(x.text) === prefix.length || Number(x.text) === prefix.length + 1;
  if (ts.isPropertyAccessExpression(x) && x.name.text === 'length') {
    const s = evalString(x.expression, values);
    return s === prefix || s === `${prefix}/`;
  }
  return false;
}

/** A statement that always leaves: a `return` or a `throw`, or a block ending in one. */
function exits(st: ts.Statement): boolean {
  if (ts.isReturnStatement(st) || ts.isThrowStatement(st)) return true;
  return ts.isBlock(st) && st.statements.length > 0 && exits(st.statements[st.statements.length - 1]);
}

/** `url.pathname = url.pathname.replace('/api', '')` among the statements before `stop`. */
function rewritesPath(
  statements: readonly ts.Statement[],
  of: string,
  stop: ts.Node,
  prefix: string,
  values: ValueResolver,
): boolean {
  for (const st of statements) {
    if (st.pos >= stop.pos) break;
    if (!ts.isExpressionStatement(st)) continue;
    const e = skipOuter(st.expression);
    if (!ts.isBinaryExpression(e) || e.operatorToken.kind !== ts.SyntaxKind.EqualsToken) continue;
    if (e.left.getText() !== of) continue;
    let r = skipOuter(e.right);
    // (through a local: `const newPath = url.pathname.slice(base.length) || '/'; url.pathname = newPath`)
    if (ts.isIdentifier(r)) {
      const name = r.text;
      const decl = statements
        .filter((x): x is ts.VariableStatement => ts.isVariableStatement(x) && x.pos < st.pos)
        .flatMap((x) => [...x.declarationList.declarations])
        .find((d) => ts.isIdentifier(d.name) && d.name.text === name && !!d.initializer);
      if (decl?.initializer) r = skipOuter(decl.initializer);
    }
    // (with a fallback for the bare prefix: `… || '/'`)
    if (
      ts.isBinaryExpression(r) &&
      (r.operatorToken.kind === ts.SyntaxKind.BarBarToken ||
        r.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)
    )
      r = skipOuter(r.left);
    if (
      ts.isCallExpression(r) &&
      ts.isPropertyAccessExpression(r.expression) &&
      REWRITES.test(r.expression.name.text) &&
      skipOuter(r.expression.expression).getText() === of &&
      removesPrefix(r, prefix, values)
    )
      return true;
  }
  return false;
}

/**
 * Does the `.fetch(…)` call hand on the rewritten address (`app.fetch(new Request(url, req), env)` after
 * `url.pathname = …`)? One handed the request as it came keeps its path, prefix and all.
 */
function handsOn(call: ts.CallExpression, of: string): boolean {
  const root = /^[A-Za-z_$][\w$]*/.exec(of)?.[0];
  if (!root) return false;
  const re = new RegExp(`(^|[^\\w$.])${root.replace(/\$/g, '\\$')}\\b`);
  if (call.arguments.some((a) => re.test(a.getText()))) return true;
  // (through a name given the new request first: `req = new Request(url.toString(), req); app.fetch(req, env)`)
  const names = new Set(call.arguments.flatMap((a) => (ts.isIdentifier(skipOuter(a)) ? [skipOuter(a).getText()] : [])));
  const fn = ts.findAncestor(call, ts.isFunctionLike);
  let found = false;
  const visit = (n: ts.Node): void => {
    if (found || n.pos >= call.pos) return;
    const given =
      ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(n.left)
        ? [n.left.text, n.right]
        : ts.isVariableDeclaration(n) && ts.isIdentifier(n.name) && n.initializer
          ? [n.name.text, n.initializer]
          : undefined;
    if (given && names.has(given[0] as string) && re.test((given[1] as ts.Node).getText())) found = true;
    ts.forEachChild(n, visit);
  };
  if (fn) visit(fn);
  return found;
}

/** The prefix a dispatcher strips around a `.fetch(…)` call, when it does. */
function strippedAround(call: ts.CallExpression, values: ValueResolver): string | undefined {
  for (let n: ts.Node = call; n.parent; n = n.parent) {
    const p = n.parent;
    if (ts.isFunctionLike(p)) return undefined;
    // a guard clause before it in the same block: `if (!url.pathname.startsWith(base)) return notFound()`
    if (ts.isBlock(p) && ts.isStatement(n)) {
      const before = p.statements.filter((st) => st.pos < n.pos);
      for (const st of before) {
        if (!ts.isIfStatement(st) || st.elseStatement || !exits(st.thenStatement)) continue;
        // (one of the reasons it refuses, `req.method === 'OPTIONS' || !url.pathname.startsWith(base)`)
        const reasons: ts.Expression[] = [];
        const split = (e: ts.Expression): void => {
          const x = skipOuter(e);
          if (ts.isBinaryExpression(x) && x.operatorToken.kind === ts.SyntaxKind.BarBarToken) {
            split(x.left);
            split(x.right);
          } else reasons.push(x);
        };
        split(st.expression);
        const c = reasons.find(
          (r): r is ts.PrefixUnaryExpression =>
            ts.isPrefixUnaryExpression(r) && r.operator === ts.SyntaxKind.ExclamationToken,
        );
        if (!c) continue;
        const t = testedPrefix(c.operand, values);
        if (t && handsOn(call, t.of) && rewritesPath(p.statements, t.of, call, t.prefix, values)) return t.prefix;
      }
    }
    if (!ts.isIfStatement(p) || p.thenStatement !== n) continue;
    const t = testedPrefix(p.expression, values);
    if (!t || !handsOn(call, t.of)) continue;
    const body = ts.isBlock(p.thenStatement) ? p.thenStatement.statements : [p.thenStatement];
    if (rewritesPath(body, t.of, call, t.prefix, values)) return t.prefix;
  }
  return undefined;
}

/** Every `<receiver>.fetch(…)` call made under a stripped prefix in these files: the receiver and the prefix. */
export function strippedDispatches(
  files: readonly string[],
  get: (file: string) => ts.SourceFile | undefined,
  values: ValueResolver,
): { app: ts.Expression; prefix: string }[] {
  const out: { app: ts.Expression; prefix: string }[] = [];
  for (const f of files) {
    const sf = get(f);
    if (!sf || !TEXT.test(sf.text) || !sf.text.includes('pathname')) continue;
    for (const call of callIndex(sf).calls) {
      const callee = skipOuter(call.expression);
      if (!ts.isPropertyAccessExpression(callee) || callee.name.text !== 'fetch') continue;
      const prefix = strippedAround(call, values);
      if (prefix) out.push({ app: callee.expression, prefix });
    }
  }
  return out;
}
