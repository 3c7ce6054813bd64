// Constant string evaluation: literals, templates and concatenations whose parts resolve to
// constants (local or imported `const`, object-literal members, enum members, class fields).
import { ts } from 'ts-morph';
import { bindRestCall, boundBinding, boundMember } from './numbers.js';
import { constTruth, runStringFunction } from './string-functions.js';
import { splitPart, stringOperation } from './string-ops.js';
import { externalName } from './unwrap.js';
import { findDeclaration } from './scope.js';
import { returnExpressions, skipOuter, type Value, type ValueResolver } from './values.js';

/**
 * Bindings known at a call site: parameter → the argument passed (a rest parameter's `...` → the call); while a function is evaluated
 * statement by statement, also a local → its current value.
 */
export type Env = Map<ts.ParameterDeclaration | ts.VariableDeclaration | ts.DotDotDotToken, ts.Expression>;

/** A function's parameters bound to the arguments of one call of it (a spread argument binds nothing). */
export function argumentEnv(fn: ts.SignatureDeclaration, call: ts.CallExpression): Env {
  const env: Env = new Map();
  fn.parameters.forEach((p, i) => {
    const a = call.arguments[i];
    if (a && !ts.isSpreadElement(a)) env.set(p, a);
    bindRestCall(env, p, call);
  });
  return env;
}

/** The argument a call site passed for the parameter `id` names, if `env` binds it. */
export function boundArgument(id: ts.Identifier, env: Env | undefined): ts.Expression | undefined {
  const d = env && findDeclaration(id);
  return d && ts.isParameter(d) ? env.get(d) : d && env ? boundBinding(d, env) : undefined;
}

/** The language's own string methods without arguments that a path helper uses: case changes and trims. */
const CASE_CHANGES: Readonly<Record<string, (s: string) => string>> = {
  trim: (s) => s.trim(),
  trimStart: (s) => s.trimStart(),
  trimEnd: (s) => s.trimEnd(),
  toLowerCase: (s) => s.toLowerCase(),
  toUpperCase: (s) => s.toUpperCase(),
  toLocaleLowerCase: (s) => s.toLowerCase(),
  toLocaleUpperCase: (s) => s.toUpperCase(),
};

export function evalString(expr: ts.Expression, values: ValueResolver, depth = 0, env?: Env): string | undefined {
  if (depth > 10) return undefined;
  const e = skipOuter(expr);
  if (env && ts.isIdentifier(e)) {
    const d = findDeclaration(e);
    if (d && ts.isParameter(d)) {
      const bound = env.get(d) ?? d.initializer;
      if (bound) return evalString(bound, values, depth + 1, env);
    }
    const local = d && ts.isVariableDeclaration(d) ? env.get(d) : d && boundBinding(d, env);
    if (local) return evalString(local, values, depth + 1, env);
  }
  if (ts.isStringLiteralLike(e)) return e.text;
  // `const basePath = getBasePath()`: the call evaluated, not the union of every string it may return
  if (ts.isIdentifier(e)) {
    const d = findDeclaration(e);
    if (
      d &&
      ts.isVariableDeclaration(d) &&
      d.parent.flags & ts.NodeFlags.Const &&
      d.initializer &&
      // (or a part of one, `const method = parts[0]` of `const parts = key.split(' ')`; or, with a call's
      // bindings or its parameters' defaults, one built from them: `const base = `${prefix}${path}``)
      (ts.isCallExpression(skipOuter(d.initializer)) ||
        ts.isElementAccessExpression(skipOuter(d.initializer)) ||
        // (a choice, `x || '/'`, `test ? a : b`: folded when it can be, below)
        isChoice(skipOuter(d.initializer)) ||
        (env && (ts.isTemplateExpression(skipOuter(d.initializer)) || ts.isBinaryExpression(skipOuter(d.initializer)))))
    ) {
      const s = evalString(d.initializer, values, depth + 1, env);
      if (s !== undefined) return s;
    }
  }
  if (env && (ts.isPropertyAccessExpression(e) || ts.isElementAccessExpression(e))) {
    const bound = boundMember(e, env);
    if (bound) return evalString(bound, values, depth + 1, env);
  }
  if (ts.isNumericLiteral(e)) return e.text;
  // a condition on a call's bindings (`param ? '/:instanceName' : ''` with `param = true` or an argument `false`)
  if (env && ts.isConditionalExpression(e)) {
    const cond = constTruth(e.condition, env);
    if (cond !== undefined) return evalString(cond ? e.whenTrue : e.whenFalse, values, depth + 1, env);
  }
  if (ts.isTemplateExpression(e)) {
    let out = e.head.text;
    for (const span of e.templateSpans) {
      const part = evalString(span.expression, values, depth + 1, env);
      if (part === undefined) return undefined;
      out += part + span.literal.text;
    }
    return out;
  }
  if (ts.isBinaryExpression(e) && e.operatorToken.kind === ts.SyntaxKind.PlusToken) {
    const l = evalString(e.left, values, depth + 1, env);
    const r = l === undefined ? undefined : evalString(e.right, values, depth + 1, env);
    return l !== undefined && r !== undefined ? l + r : undefined;
  }
  // `name.replace('.js', '')`, `name.split('.')[0]`, `path.parse(name).name`
  const op = stringOperation(
    e,
    (x) => evalString(x, values, depth + 1, env),
    (callee, name) =>
      values.resolve(callee).some((v) => {
        const ext = externalName(v);
        return !!ext && (ext.module === 'path' || ext.module === 'node:path') && ext.name === name;
      }),
  );
  if (op !== undefined) return op;
  if (ts.isIdentifier(e)) {
    const part = splitPart(e, (x) => evalString(x, values, depth + 1, env));
    if (part !== undefined) return part;
  }
  // a default for an empty or missing value (`requested.replace(/\/+$/, '') || '/'`, `options.prefix ?? '/api'`)
  // and a choice decided by a comparison of constants (`requested === '' ? '/' : requested`): folded when the
  // left side or the test can be evaluated, else every branch is a possibility below
  const folded = foldChoice(e, (x) => evalString(x, values, depth + 1, env));
  if (folded !== undefined) return folded;
  if (
    ts.isIdentifier(e) ||
    ts.isPropertyAccessExpression(e) ||
    ts.isElementAccessExpression(e) ||
    ts.isConditionalExpression(e) ||
    ts.isBinaryExpression(e)
  ) {
    return stringFromValues(values.resolve(e), values, depth);
  }
  // `r.method.toLowerCase()`, `base.trim()`: a case change or trim of a constant string
  if (ts.isCallExpression(e) && !e.arguments.length && ts.isPropertyAccessExpression(e.expression)) {
    const change = CASE_CHANGES[e.expression.name.text];
    if (change) {
      const inner = evalString(e.expression.expression, values, depth + 1, env);
      return inner === undefined ? undefined : change(inner);
    }
  }
  // `loginPath(config)`, `` apiPath('users') ``, `normalizeBasePath(ENV.BASE)`: a project function,
  // evaluated with its parameters bound to the call's arguments, statement by statement where it
  // can be, else through its one returned expression
  if (ts.isCallExpression(e) && depth < 8) {
    for (const v of values.resolve(e.expression)) {
      if (v.kind !== 'function' || !v.node.body) continue;
      const inner: Env = new Map(env ?? []);
      v.node.parameters.forEach((p, i) => {
        const a = e.arguments[i];
        if (a) inner.set(p, a);
      });
      const run = runStringFunction(v.node, inner, (x, bound) => evalString(x, values, depth + 1, bound));
      if (run !== undefined) return run;
      const rets = returnExpressions(v.node);
      if (rets.length !== 1) continue;
      const s = evalString(rets[0], values, depth + 1, inner);
      if (s !== undefined) return s;
    }
  }
  return undefined;
}

export function stringFromValues(vals: Value[], values: ValueResolver, depth = 0): string | undefined {
  for (const v of vals) {
    if (v.kind === 'literal' && (typeof v.value === 'string' || typeof v.value === 'number')) {
      // a literal that is one branch of a choice (`x.replace(/\/+$/, '') || '/'`): the choice folded, when it can be
      const choice = enclosingChoice(v.node);
      const folded = choice && depth < 8 ? evalString(choice, values, depth + 1) : undefined;
      return folded ?? String(v.value);
    }
  }
  for (const v of vals) {
    if (v.kind === 'literal') continue;
    if (
      'node' in v &&
      v.node &&
      ts.isExpression(v.node) &&
      (ts.isTemplateExpression(v.node) ||
        ts.isBinaryExpression(v.node) ||
        // a local holding a string operation (`const name = file.replace(/\.js$/, '')`)
        (ts.isCallExpression(v.node) && depth < 8))
    ) {
      const s = evalString(v.node, values, depth + 1);
      if (s !== undefined) return s;
    }
  }
  return undefined;
}

/** Every constant string an expression may evaluate to (union), for method lists such as `['GET','POST']`. */
export function evalStrings(expr: ts.Expression, values: ValueResolver, env?: Env): string[] | undefined {
  const e = skipOuter(expr);
  if (ts.isArrayLiteralExpression(e)) {
    const out: string[] = [];
    for (const el of e.elements) {
      const s = evalString(el, values, 0, env);
      if (s === undefined) return undefined;
      out.push(s);
    }
    return out;
  }
  const s = evalString(e, values, 0, env);
  if (s !== undefined) return [s];
  const vals = values.resolve(e);
  for (const v of vals) if (v.kind === 'array') return evalStrings(v.node, values, env);
  return undefined;
}

/** The outermost choice a value is a branch of (`'/'` in `a || '/'`), undefined when it is none. */
function enclosingChoice(node: ts.Node | undefined): ts.Expression | undefined {
  let top: ts.Node | undefined = node;
  let found: ts.Expression | undefined;
  while (top?.parent && (ts.isParenthesizedExpression(top.parent) || isChoice(top.parent as ts.Expression))) {
    top = top.parent;
    if (isChoice(top as ts.Expression)) found = top as ts.Expression;
  }
  return found;
}

/** The values a choice may take (`a || b`, `a ?? b`, `test ? a : b`), undefined for anything else. */
export function choiceBranches(e: ts.Node): ts.Expression[] | undefined {
  if (ts.isConditionalExpression(e)) return [e.whenTrue, e.whenFalse];
  if (
    ts.isBinaryExpression(e) &&
    (e.operatorToken.kind === ts.SyntaxKind.BarBarToken || e.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken)
  )
    return [e.left, e.right];
  return undefined;
}

function isChoice(e: ts.Expression): boolean {
  return choiceBranches(e) !== undefined;
}

/**
 * `a || b`, `a ?? b` and `test ? a : b` with the left side or the test known: the value they take. A value that
 * cannot be evaluated leaves them undecided (undefined).
 */
function foldChoice(e: ts.Expression, evaluate: (x: ts.Expression) => string | undefined): string | undefined {
  if (ts.isBinaryExpression(e)) {
    const op = e.operatorToken.kind;
    if (op !== ts.SyntaxKind.BarBarToken && op !== ts.SyntaxKind.QuestionQuestionToken) return undefined;
    const left = evaluate(e.left);
    if (left === undefined) return undefined;
    return op === ts.SyntaxKind.BarBarToken && left === '' ? evaluate(e.right) : left;
  }
  if (!ts.isConditionalExpression(e)) return undefined;
  const truth = stringTest(skipOuter(e.condition), evaluate);
  if (truth === undefined) return undefined;
  return evaluate(truth ? e.whenTrue : e.whenFalse);
}

/** A test of constant strings (`a === ''`, `a !== '/'`, `!a`, `a`): whether it holds, or undefined. */
function stringTest(c: ts.Expression, evaluate: (x: ts.Expression) => string | undefined): boolean | undefined {
  if (ts.isPrefixUnaryExpression(c) && c.operator === ts.SyntaxKind.ExclamationToken) {
    const inner = stringTest(skipOuter(c.operand), evaluate);
    return inner === undefined ? undefined : !inner;
  }
  if (ts.isBinaryExpression(c)) {
    const op = c.operatorToken.kind;
    const eq = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken;
    const ne = op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken;
    if (!eq && !ne) return undefined;
    const l = evaluate(c.left);
    const r = l === undefined ? undefined : evaluate(c.right);
    if (l === undefined || r === undefined) return undefined;
    return eq ? l === r : l !== r;
  }
  if (ts.isIdentifier(c) || ts.isPropertyAccessExpression(c) || ts.isCallExpression(c)) {
    const v = evaluate(c);
    return v === undefined ? undefined : v !== '';
  }
  return undefined;
}
