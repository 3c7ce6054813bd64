// Route paths as written at a registration, shared by the router-style adapters.
import { ts } from 'ts-morph';
import { evalStrings, type Env } from '../../analysis/strings.js';
import { envRead } from '../../analysis/datapath.js';
import { skipOuter } from '../../analysis/values.js';
import type { AdapterContext } from '../types.js';

/**
 * A path part read from the environment (`process.env.BASE`, or a constant holding it) that a dotenv file
 * committed beside the code sets to a path part.
 */
export function envPath(expr: ts.Expression, ctx: AdapterContext): string | undefined {
  const x = skipOuter(expr);
  const reads = envRead(x)
    ? [x]
    : ts.isIdentifier(x) || ts.isPropertyAccessExpression(x)
      ? ctx.values.resolve(x).flatMap((v) => ('node' in v && ts.isExpression(v.node) ? [skipOuter(v.node)] : []))
      : [];
  if (reads.length !== 1) return undefined;
  const name = envRead(reads[0]);
  if (!name || !ENV_OBJECT.test(skipOuter((reads[0] as ts.PropertyAccessExpression).expression).getText()))
    return undefined;
  return ctx.values.session.envFiles.pathValue(name, reads[0].getSourceFile().fileName);
}

/**
 * `PREFIX + '/admin'` with a side read from the environment: each side's value, when each has one (as a template
 * with the same parts has), else undefined.
 */
function joined(x: ts.Expression, ctx: AdapterContext): string | undefined {
  if (!ts.isBinaryExpression(x) || x.operatorToken.kind !== ts.SyntaxKind.PlusToken) return undefined;
  const side = (e: ts.Expression): string | undefined =>
    evalStrings(e, ctx.values)?.[0] ?? envPath(e, ctx) ?? joined(skipOuter(e), ctx);
  const l = side(x.left);
  const r = l === undefined ? undefined : side(x.right);
  return l !== undefined && r !== undefined ? l + r : undefined;
}

/** The environment a dotenv file feeds (not a framework's bindings, `c.env`). */
const ENV_OBJECT = /^(process\.env|import\.meta\.env|Bun\.env)$/;

/** A path argument as written: a constant string, a regex literal, or `{expression}` when dynamic. */
export function pathsOf(arg: ts.Expression, ctx: AdapterContext): string[] {
  const strs = evalStrings(arg, ctx.values);
  if (strs) return strs;
  // a parameter whose callers' arguments cannot be read (`(app, prefix = '/api') => …` called with a
  // setting from the environment): its declared default is the path the code expects
  const byDefault = evalStrings(arg, ctx.values, new Map());
  if (byDefault) return byDefault;
  const x = skipOuter(arg);
  if (ts.isRegularExpressionLiteral(x)) return [x.text];
  // a template whose spans are only partly known (`/${entity}/create` for each entity of a list read at run
  // time): its literal text kept, each unknown span written `{span}` (`/{entity}/create`)
  if (ts.isTemplateExpression(x))
    return [
      x.head.text +
        x.templateSpans
          .map(
            (s) =>
              `${evalStrings(s.expression, ctx.values)?.[0] ?? envPath(s.expression, ctx) ?? `{${s.expression.getText()}}`}${s.literal.text}`,
          )
          .join(''),
    ];
  return [envPath(x, ctx) ?? joined(x, ctx) ?? `{${x.getText()}}`];
}

/** Evaluates a path expression with a registrar's parameters bound to one call's arguments. */
export function evalPathWithEnv(ctx: AdapterContext): (expr: ts.Expression, env: Env) => string[] | undefined {
  return (expr, env) => evalStrings(expr, ctx.values, env);
}
