// Conditions evaluated under what is known about one endpoint: its HTTP method and its URL
// path. `if (req.method === 'GET') …` is false for the POST endpoint of a pages handler;
// `pathname.startsWith('/api/transfer')` is true in middleware matched for /api/transfer.
// Three-valued: true, false, or undefined (unknown).
import { ts } from 'ts-morph';
import { findDeclaration } from './scope.js';
import { and3, not3, or3 } from './tri.js';
import { evalString } from './strings.js';
import { propertyNameText, skipOuter, type ValueResolver } from './values.js';

export interface Assumptions {
  method?: string;
  /** A concrete URL path (params replaced by segments). */
  path?: string;
  /**
   * The string a non-literal operand stands for (`HTTP_METHODS.PUT`, `METHOD_POST` from another
   * module), when the caller can resolve values; without it only literals are compared.
   */
  constant?: (e: ts.Expression) => string | undefined;
  /** Parameters standing for the path while a predicate handed it is evaluated (`isPublic(pathname)`). */
  pathParams?: ReadonlySet<ts.Node>;
}

/** The assumptions of an endpoint served for `method` (none for ANY), resolving constants with `values`. */
export function assumeMethod(method: string | undefined, values?: ValueResolver, path?: string): Assumptions {
  const a: Assumptions = {};
  if (method && (method !== 'ANY' || path !== undefined)) a.method = method;
  if (path !== undefined) a.path = path;
  if (values && (a.method || a.path !== undefined)) a.constant = (e) => evalString(e, values);
  return a;
}

const METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);

function boundFrom(x: ts.Identifier, prop: string, depth: number): ts.Expression | 'bound' | undefined {
  const d = findDeclaration(x);
  if (!d) return undefined;
  if (ts.isBindingElement(d))
    return (propertyNameText((d.propertyName ?? d.name) as ts.PropertyName) ?? '') === prop ? 'bound' : undefined;
  if (ts.isVariableDeclaration(d) && d.initializer && depth < 4) return d.initializer;
  return undefined;
}

/** The list a `list.includes(x)` call tests, when `x` is what `isIt` looks for (`methods.includes(req.method)`). */
export function includesOf(n: ts.Node, isIt: (e: ts.Expression) => boolean): ts.Expression | undefined {
  return ts.isCallExpression(n) &&
    ts.isPropertyAccessExpression(n.expression) &&
    n.expression.name.text === 'includes' &&
    n.arguments[0] &&
    isIt(n.arguments[0])
    ? n.expression.expression
    : undefined;
}

/** `req.method`, `request.method`, or a local bound from it. */
export function isMethodExpr(e: ts.Expression, depth = 0): boolean {
  const x = skipOuter(e);
  if (ts.isPropertyAccessExpression(x) && x.name.text === 'method') {
    const recv = skipOuter(x.expression);
    return (
      ts.isIdentifier(recv) ||
      recv.kind === ts.SyntaxKind.ThisKeyword ||
      (ts.isPropertyAccessExpression(recv) && ['req', 'request', 'raw'].includes(recv.name.text))
    );
  }
  if (
    ts.isCallExpression(x) &&
    ts.isPropertyAccessExpression(x.expression) &&
    ['toUpperCase', 'toLowerCase', 'toLocaleUpperCase', 'toLocaleLowerCase'].includes(x.expression.name.text)
  )
    return isMethodExpr(x.expression.expression, depth + 1);
  // `req.method ?? ''`, `req.method || 'GET'`
  if (
    ts.isBinaryExpression(x) &&
    (x.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || x.operatorToken.kind === ts.SyntaxKind.BarBarToken)
  )
    return isMethodExpr(x.left, depth + 1);
  if (ts.isIdentifier(x)) {
    const b = boundFrom(x, 'method', depth);
    return b === 'bound' || (b !== undefined && isMethodExpr(b, depth + 1));
  }
  return false;
}

/** `req.nextUrl.pathname`, `new URL(req.url).pathname`, `c.req.path`, or a local bound from one. */
export function isPathExpr(
  e: ts.Expression,
  depth = 0,
  /** Parameters that stand for the path (a predicate's, evaluated for a call handed the path). */
  params?: ReadonlySet<ts.Node>,
): boolean {
  const x = skipOuter(e);
  if (ts.isIdentifier(x) && params?.size) {
    const d = findDeclaration(x);
    if (d && params.has(d)) return true;
  }
  if (
    ts.isPropertyAccessExpression(x) &&
    (x.name.text === 'pathname' || (x.name.text === 'path' && /\breq$/.test(x.expression.getText())))
  )
    return true;
  if (ts.isIdentifier(x)) {
    const b = boundFrom(x, 'pathname', depth);
    return b === 'bound' || (b !== undefined && isPathExpr(b, depth + 1));
  }
  return false;
}

/** A literal string, or the constant the assumptions resolve `e` to. */
export function literal(e: ts.Expression, a?: Assumptions): string | undefined {
  const x = skipOuter(e);
  if (ts.isStringLiteralLike(x)) return x.text;
  return a?.constant && (ts.isIdentifier(x) || ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x))
    ? a.constant(x)
    : undefined;
}

/** Evaluates `cond` under the assumptions: true, false, or undefined when it depends on more. */
export function evalUnder(cond: ts.Expression, a: Assumptions, depth = 0): boolean | undefined {
  if (depth > 12) return undefined;
  const x = skipOuter(cond);
  if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.ExclamationToken)
    return not3(evalUnder(x.operand, a, depth + 1));
  if (ts.isBinaryExpression(x)) {
    const op = x.operatorToken.kind;
    if (op === ts.SyntaxKind.AmpersandAmpersandToken) {
      const l = evalUnder(x.left, a, depth + 1);
      return l === false ? false : and3(l, evalUnder(x.right, a, depth + 1));
    }
    if (op === ts.SyntaxKind.BarBarToken) {
      const l = evalUnder(x.left, a, depth + 1);
      return l === true ? true : or3(l, evalUnder(x.right, a, depth + 1));
    }
    const eq = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken;
    const ne = op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken;
    if (eq || ne) {
      for (const [side, other] of [
        [x.left, x.right],
        [x.right, x.left],
      ] as const) {
        // the side first: the other is resolved (a constant through `a.constant`) only when it matters
        const byMethod = !!a.method && isMethodExpr(side);
        const byPath = !byMethod && a.path !== undefined && isPathExpr(side, 0, a.pathParams);
        if (!byMethod && !byPath) continue;
        const lit = literal(other, a);
        if (lit === undefined) continue;
        if (byMethod && METHODS.has(lit.toUpperCase())) {
          if (a.method === 'ANY') return undefined;
          const same = lit.toUpperCase() === a.method;
          return eq ? same : !same;
        }
        if (byPath) {
          const same = lit === a.path || lit === `${a.path}/` || `${lit}/` === a.path;
          return eq ? same : !same;
        }
      }
    }
    return undefined;
  }
  // a predicate of the module handed the path (`isPublicPath(pathname)`): its returned condition, the
  // parameter standing for the path
  if (ts.isCallExpression(x) && ts.isIdentifier(x.expression) && a.path !== undefined) {
    const at = x.arguments.findIndex((arg) => isPathExpr(arg, 0, a.pathParams));
    const fn = at >= 0 ? predicateOf(x.expression) : undefined;
    const param = fn?.parameters[at];
    const ret = fn && returnedCondition(fn);
    if (param && ret && !a.pathParams?.has(param))
      return evalUnder(ret, { ...a, pathParams: new Set([...(a.pathParams ?? []), param]) }, depth + 1);
  }
  if (ts.isCallExpression(x) && ts.isPropertyAccessExpression(x.expression)) {
    const m = x.expression.name.text;
    const recv = x.expression.expression;
    const arg = x.arguments[0];
    if (a.path !== undefined && arg && isPathExpr(recv, 0, a.pathParams)) {
      const lit = literal(arg, a);
      if (lit !== undefined) {
        if (m === 'startsWith') return a.path.startsWith(lit);
        if (m === 'endsWith') return a.path.endsWith(lit);
        if (m === 'includes') return a.path.includes(lit);
        if (m === 'match') return undefined;
      }
    }
    if (m === 'includes' && arg) {
      const arr = skipOuter(recv);
      const byMethod = !!a.method && a.method !== 'ANY' && isMethodExpr(arg);
      const byPath = !byMethod && a.path !== undefined && isPathExpr(arg, 0, a.pathParams);
      if (ts.isArrayLiteralExpression(arr) && (byMethod || byPath)) {
        const lits = arr.elements.map((el) => literal(el, a));
        if (lits.every((l) => l !== undefined)) {
          if (byMethod) return lits.some((l) => l.toUpperCase() === a.method);
          return lits.includes(a.path!);
        }
      }
    }
    if (m === 'test' && a.path !== undefined && arg && isPathExpr(arg, 0, a.pathParams)) {
      const re = skipOuter(recv);
      if (ts.isRegularExpressionLiteral(re)) {
        try {
          const body = re.text.slice(1, re.text.lastIndexOf('/'));
          const flags = re.text.slice(re.text.lastIndexOf('/') + 1);
          return new RegExp(body, flags).test(a.path);
        } catch {
          return undefined;
        }
      }
    }
    // `.some((p) => pathname.startsWith(p))` over a literal array
    if ((m === 'some' || m === 'every') && a.path !== undefined && arg) {
      const arr = constArray(recv);
      const fn = skipOuter(arg);
      if (
        ts.isArrayLiteralExpression(arr) &&
        (ts.isArrowFunction(fn) || ts.isFunctionExpression(fn)) &&
        fn.parameters.length >= 1 &&
        ts.isIdentifier(fn.parameters[0].name)
      ) {
        const pname = fn.parameters[0].name.text;
        const body = ts.isBlock(fn.body) ? undefined : fn.body;
        if (body) {
          const results = arr.elements.map((el) => {
            const lit = literal(el, a);
            if (lit === undefined) return undefined;
            return evalWithBinding(body, pname, lit, a);
          });
          if (m === 'some')
            return results.some((r) => r === true) ? true : results.every((r) => r === false) ? false : undefined;
          return results.every((r) => r === true) ? true : results.some((r) => r === false) ? false : undefined;
        }
      }
    }
  }
  return undefined;
}

function evalWithBinding(body: ts.Expression, name: string, value: string, a: Assumptions): boolean | undefined {
  const x = skipOuter(body);
  // `pathname === p || pathname.startsWith(p + '/')`
  if (
    ts.isBinaryExpression(x) &&
    (x.operatorToken.kind === ts.SyntaxKind.BarBarToken ||
      x.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken)
  ) {
    const l = evalWithBinding(x.left, name, value, a);
    const r = evalWithBinding(x.right, name, value, a);
    return x.operatorToken.kind === ts.SyntaxKind.BarBarToken ? or3(l, r) : and3(l, r);
  }
  if (ts.isCallExpression(x) && ts.isPropertyAccessExpression(x.expression) && a.path !== undefined) {
    const m = x.expression.name.text;
    const arg = x.arguments[0] && boundText(x.arguments[0], name, value);
    if (arg !== undefined && isPathExpr(x.expression.expression, 0, a.pathParams)) {
      if (m === 'startsWith') return a.path.startsWith(arg);
      if (m === 'includes') return a.path.includes(arg);
      if (m === 'endsWith') return a.path.endsWith(arg);
    }
  }
  if (
    ts.isBinaryExpression(x) &&
    (x.operatorToken.kind === ts.SyntaxKind.EqualsEqualsEqualsToken ||
      x.operatorToken.kind === ts.SyntaxKind.EqualsEqualsToken) &&
    a.path !== undefined
  ) {
    const l = skipOuter(x.left);
    const r = skipOuter(x.right);
    if (
      (ts.isIdentifier(l) && l.text === name && isPathExpr(r, 0, a.pathParams)) ||
      (ts.isIdentifier(r) && r.text === name && isPathExpr(l, 0, a.pathParams))
    )
      return a.path === value;
  }
  return evalUnder(body, a);
}

/** The text of `name`, `name + '/'` or `${name}/` with `name` bound to `value`; undefined for anything else. */
function boundText(e: ts.Expression, name: string, value: string): string | undefined {
  const x = skipOuter(e);
  if (ts.isIdentifier(x)) return x.text === name ? value : undefined;
  if (ts.isStringLiteralLike(x)) return x.text;
  if (ts.isBinaryExpression(x) && x.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const l = boundText(x.left, name, value);
    const r = boundText(x.right, name, value);
    return l !== undefined && r !== undefined ? l + r : undefined;
  }
  if (ts.isTemplateExpression(x)) {
    let out = x.head.text;
    for (const s of x.templateSpans) {
      const v = boundText(s.expression, name, value);
      if (v === undefined) return undefined;
      out += v + s.literal.text;
    }
    return out;
  }
  return undefined;
}

/** An array literal, written in place or held in a module constant (`const publicPaths = ['/', '/login']`). */
function constArray(e: ts.Expression): ts.Expression {
  const x = skipOuter(e);
  if (!ts.isIdentifier(x)) return x;
  const d = findDeclaration(x);
  if (
    d &&
    ts.isVariableDeclaration(d) &&
    d.initializer &&
    ts.isVariableDeclarationList(d.parent) &&
    (d.parent.flags & ts.NodeFlags.Const) !== 0
  ) {
    const init = skipOuter(d.initializer);
    if (ts.isArrayLiteralExpression(init)) return init;
  }
  return x;
}

/** A function of the module a name calls (a declaration, or a const arrow or function expression). */
function predicateOf(callee: ts.Identifier): ts.FunctionLikeDeclaration | undefined {
  const d = findDeclaration(callee);
  if (d && ts.isFunctionDeclaration(d) && d.body) return d;
  if (d && ts.isVariableDeclaration(d) && d.initializer) {
    const init = skipOuter(d.initializer);
    if (ts.isArrowFunction(init) || ts.isFunctionExpression(init)) return init;
  }
  return undefined;
}

/** The condition a predicate returns: its expression body, or its only statement `return …`. */
function returnedCondition(fn: ts.FunctionLikeDeclaration): ts.Expression | undefined {
  const body = fn.body;
  if (!body) return undefined;
  if (!ts.isBlock(body)) return body;
  const only = body.statements.length === 1 ? body.statements[0] : undefined;
  return only && ts.isReturnStatement(only) && only.expression ? only.expression : undefined;
}

function alwaysExits(st: ts.Statement): boolean {
  if (ts.isReturnStatement(st) || ts.isThrowStatement(st)) return true;
  if (ts.isBlock(st)) return st.statements.some(alwaysExits);
  if (ts.isIfStatement(st)) return !!st.elseStatement && alwaysExits(st.thenStatement) && alwaysExits(st.elseStatement);
  return false;
}

/**
 * Can execution reach `node` (inside `root`) under the assumptions? False when it sits in a branch
 * whose condition is false, or after a statement that always exits when its condition holds.
 */
export function reachableUnder(node: ts.Node, root: ts.Node, a: Assumptions): boolean {
  if (!a.method && a.path === undefined) return true;
  let child: ts.Node = node;
  let cur: ts.Node | undefined = node.parent;
  while (cur && child !== root) {
    if (ts.isIfStatement(cur)) {
      const v = evalUnder(cur.expression, a);
      if (child === cur.thenStatement && v === false) return false;
      if (child === cur.elseStatement && v === true) return false;
    } else if (ts.isConditionalExpression(cur)) {
      const v = evalUnder(cur.condition, a);
      if (child === cur.whenTrue && v === false) return false;
      if (child === cur.whenFalse && v === true) return false;
    } else if (ts.isBinaryExpression(cur) && child === cur.right) {
      const v = evalUnder(cur.left, a);
      if (cur.operatorToken.kind === ts.SyntaxKind.AmpersandAmpersandToken && v === false) return false;
      if (cur.operatorToken.kind === ts.SyntaxKind.BarBarToken && v === true) return false;
    } else if (ts.isCaseClause(cur) && cur.parent && ts.isCaseBlock(cur.parent)) {
      const sw = cur.parent.parent;
      if (a.method && a.method !== 'ANY' && isMethodExpr(sw.expression)) {
        const lit = literal(cur.expression, a);
        if (lit && METHODS.has(lit.toUpperCase()) && lit.toUpperCase() !== a.method) {
          // fall-through from a matching case above still reaches here
          const clauses = cur.parent.clauses;
          const i = clauses.indexOf(cur);
          const prevFalls =
            i > 0 &&
            clauses[i - 1].statements.length === 0 &&
            ts.isCaseClause(clauses[i - 1]) &&
            literal((clauses[i - 1] as ts.CaseClause).expression, a)?.toUpperCase() === a.method;
          if (!prevFalls) return false;
        }
      }
    } else if (ts.isDefaultClause(cur) && cur.parent && ts.isCaseBlock(cur.parent)) {
      const sw = cur.parent.parent;
      if (a.method && a.method !== 'ANY' && isMethodExpr(sw.expression)) {
        if (cur.parent.clauses.some((c) => ts.isCaseClause(c) && literal(c.expression, a)?.toUpperCase() === a.method))
          return false;
      }
    }
    // Earlier sibling statements that exit when their condition holds under the assumptions.
    if (
      (ts.isBlock(cur) || ts.isSourceFile(cur) || ts.isCaseClause(cur) || ts.isDefaultClause(cur)) &&
      'statements' in cur
    ) {
      const stmts = (cur as ts.Block).statements;
      const idx = stmts.indexOf(child as ts.Statement);
      for (let i = 0; i < idx; i++) {
        const st = stmts[i];
        if (ts.isIfStatement(st) && evalUnder(st.expression, a) === true && alwaysExits(st.thenStatement)) return false;
        if (
          ts.isIfStatement(st) &&
          st.elseStatement &&
          evalUnder(st.expression, a) === false &&
          alwaysExits(st.elseStatement)
        )
          return false;
      }
    }
    child = cur;
    cur = cur.parent;
  }
  return true;
}

/** Does the statement end the function on every path through its last statement (`return …`, `throw …`, a block ending so)? */
export function alwaysReturns(st: ts.Statement): boolean {
  if (ts.isReturnStatement(st) || ts.isThrowStatement(st)) return true;
  if (ts.isBlock(st)) return st.statements.length > 0 && alwaysReturns(st.statements[st.statements.length - 1]);
  return false;
}

/**
 * Does the node run only on a branch that refuses the request: inside an `if` whose block ends by refusing it
 * (`return null`, `return false`, a bare `return`, a `throw`, a 4xx answer)? What is written there (an expired key
 * marked revoked, a failed attempt counted) is the refusal's bookkeeping, not what the endpoint does for its caller.
 */
export function onRefusalBranch(node: ts.Node): boolean {
  for (let n: ts.Node = node; n.parent && !ts.isFunctionLike(n); n = n.parent) {
    const p = n.parent;
    if (!ts.isIfStatement(p) || p.expression === n) continue;
    const branch = n as ts.Statement;
    const last = ts.isBlock(branch) ? branch.statements[branch.statements.length - 1] : branch;
    if (last && last !== node && refuses(last)) return true;
  }
  return false;
}

/** A statement that ends the request refused. */
function refuses(st: ts.Statement): boolean {
  if (ts.isThrowStatement(st)) return true;
  if (!ts.isReturnStatement(st)) return false;
  const x = st.expression;
  if (!x) return true;
  if (x.kind === ts.SyntaxKind.NullKeyword || x.kind === ts.SyntaxKind.FalseKeyword) return true;
  if (ts.isIdentifier(x) && x.text === 'undefined') return true;
  return /\bstatus\(\s*4\d\d\s*\)|,\s*4\d\d\s*\)\s*$|\bstatus:\s*4\d\d\b/.test(x.getText());
}
