// Conditions that hold only while a test runner runs the code (`import.meta.env.VITEST`,
// `process.env.NODE_ENV === 'test'`): the deployed application takes the other branch.
import { ts } from 'ts-morph';
import { ruleFile } from '../rules/load.js';

const ENV_OBJECTS = /^(process\.env|import\.meta\.env|Bun\.env)$/;

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

/** True when `cond` holds only under a test runner, false when only outside one, undefined otherwise. */
export function underTestRunner(cond: ts.Expression): boolean | undefined {
  const rules = ruleFile('frameworks').testRuns;
  const x = bare(cond);
  if (ts.isPrefixUnaryExpression(x) && x.operator === ts.SyntaxKind.ExclamationToken) {
    const inner = underTestRunner(x.operand);
    return inner === undefined ? undefined : !inner;
  }
  const name = envName(x);
  if (name) return rules.variables.includes(name) ? true : undefined;
  if (ts.isBinaryExpression(x)) {
    const op = x.operatorToken.kind;
    const eq = op === ts.SyntaxKind.EqualsEqualsEqualsToken || op === ts.SyntaxKind.EqualsEqualsToken;
    const ne = op === ts.SyntaxKind.ExclamationEqualsEqualsToken || op === ts.SyntaxKind.ExclamationEqualsToken;
    if (!eq && !ne) return undefined;
    const [v, lit] = ts.isStringLiteralLike(bare(x.right)) ? [x.left, bare(x.right)] : [x.right, bare(x.left)];
    if (!ts.isStringLiteralLike(lit) || envName(v) !== 'NODE_ENV' || !rules.nodeEnv.includes(lit.text))
      return undefined;
    return eq;
  }
  return undefined;
}
