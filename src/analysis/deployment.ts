// Conditions on the environment the code runs in. The scanner audits the deployed application, so a value chosen
// by such a condition takes its production branch: `import.meta.env.VITEST ? '' : '/api/trpc'`,
// `process.env.NODE_ENV === 'test' ? …`, `ENVIRONMENT.toLowerCase() === 'development' ? '/api/v1' : '/v1'`.
import { ts } from 'ts-morph';
import { ruleFile } from '../rules/load.js';

const ENV_OBJECTS = /^(process\.env|import\.meta\.env|Bun\.env)$/;
const CASE_CALLS = new Set(['toLowerCase', 'toUpperCase', 'trim', 'toLocaleLowerCase', 'toLocaleUpperCase']);

function bare(e: ts.Expression): ts.Expression {
  let x = e;
  while (ts.isParenthesizedExpression(x) || ts.isAsExpression(x) || ts.isNonNullExpression(x)) x = x.expression;
  return x;
}

function envName(e: ts.Expression): string | undefined {
  const x = bare(e);
  if (!ts.isPropertyAccessExpression(x) && !ts.isElementAccessExpression(x)) return undefined;
  if (!ENV_OBJECTS.test(bare(x.expression).getText())) return undefined;
  if (ts.isPropertyAccessExpression(x)) return x.name.text;
  return ts.isStringLiteralLike(x.argumentExpression) ? x.argumentExpression.text : undefined;
}

/** The expression whose case or spacing a chain of calls changes (`method?.toUpperCase()`, `env.trim()`). */
export function uncased(e: ts.Expression): ts.Expression {
  let x = bare(e);
  while (
    ts.isCallExpression(x) &&
    !x.arguments.length &&
    ts.isPropertyAccessExpression(x.expression) &&
    CASE_CALLS.has(x.expression.name.text)
  )
    x = bare(x.expression.expression);
  return x;
}

/** The name an expression reads the environment's name under (`process.env.NODE_ENV`, `config.env`,
 *  `ENVIRONMENT.toLowerCase()`), when that name is one the rules call an environment name. */
function environmentRead(e: ts.Expression, names: RegExp): boolean {
  const x = uncased(e);
  const name = envName(x) ?? (ts.isIdentifier(x) ? x.text : ts.isPropertyAccessExpression(x) ? x.name.text : undefined);
  return name !== undefined && names.test(name);
}

/** True when `cond` holds in the deployed application, false when it holds only under a test runner or in
 *  development, undefined when the code does not say. */
export function holdsWhenDeployed(cond: ts.Expression): boolean | undefined {
  const rules = ruleFile('frameworks').deployment;
  const x = bare(cond);
  if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.ExclamationToken) {
    const inner = holdsWhenDeployed(x.operand);
    return inner === undefined ? undefined : !inner;
  }
  const name = envName(x);
  if (name) return rules.testVariables.includes(name) ? false : undefined;
  if (!ts.isBinaryExpression(x)) return undefined;
  const op = x.operatorToken.kind;
  if (op === ts.SyntaxKind.AmpersandAmpersandToken || op === ts.SyntaxKind.BarBarToken) {
    const l = holdsWhenDeployed(x.left);
    const r = holdsWhenDeployed(x.right);
    const and = op === ts.SyntaxKind.AmpersandAmpersandToken;
    // one side decides alone when it is false under `&&` or true under `||`
    if (l === !and || r === !and) return !and;
    return l !== undefined && r !== undefined ? and : undefined;
  }
  const eq = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken;
  const ne = op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken;
  if (!eq && !ne) return undefined;
  const [v, lit] = ts.isStringLiteralLike(bare(x.right)) ? [x.left, bare(x.right)] : [x.right, bare(x.left)];
  if (!ts.isStringLiteralLike(lit) || !environmentRead(v, new RegExp(rules.environmentNames, 'i'))) return undefined;
  const value = lit.text.toLowerCase();
  const deployed = rules.production.includes(value) ? true : rules.nonProduction.includes(value) ? false : undefined;
  return deployed === undefined ? undefined : eq ? deployed : !deployed;
}

/** Is `e` a value of the environment alone: literals, reads of environment variables (`process.env.X`),
 *  module constants, and comparisons or case changes of those? */
function ofEnvironmentOnly(e: ts.Expression, depth = 0): boolean {
  const x = bare(e);
  if (depth > 6) return false;
  if (ts.isLiteralExpression(x) || x.kind === ts.SyntaxKind.TrueKeyword || x.kind === ts.SyntaxKind.FalseKeyword)
    return true;
  if (envName(x) !== undefined) return true;
  if (ts.isPrefixUnaryExpression(x)) return ofEnvironmentOnly(x.operand, depth + 1);
  if (ts.isBinaryExpression(x)) {
    const op = x.operatorToken.kind;
    if (op >= ts.SyntaxKind.FirstAssignment && op <= ts.SyntaxKind.LastAssignment) return false;
    return ofEnvironmentOnly(x.left, depth + 1) && ofEnvironmentOnly(x.right, depth + 1);
  }
  if (ts.isConditionalExpression(x))
    return [x.condition, x.whenTrue, x.whenFalse].every((c) => ofEnvironmentOnly(c, depth + 1));
  if (ts.isCallExpression(x)) return uncased(x) !== x && ofEnvironmentOnly(uncased(x), depth + 1);
  return false;
}

/** Is `fn` a predicate of the deployment (`() => process.env.DEMO_MODE === 'true'`): no parameters and one
 *  returned value of the environment alone? Two calls of it in one request give the same answer. */
export function isEnvironmentPredicate(fn: ts.Node): boolean {
  if (!(ts.isArrowFunction(fn) || ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn))) return false;
  if (fn.parameters.length || !fn.body) return false;
  // an async one answers a Promise: tested bare it is always true, awaited it is another value
  if (fn.modifiers?.some((m) => m.kind === ts.SyntaxKind.AsyncKeyword)) return false;
  if (!ts.isBlock(fn.body)) return ofEnvironmentOnly(fn.body);
  const [only] = fn.body.statements;
  return (
    fn.body.statements.length === 1 &&
    ts.isReturnStatement(only) &&
    !!only.expression &&
    ofEnvironmentOnly(only.expression)
  );
}
