// Route paths as written at a registration, shared by the router-style adapters.
import { ts } from 'ts-morph';
import { evalStrings, type Env } from '../../analysis/strings.js';
import { skipOuter } from '../../analysis/values.js';
import type { AdapterContext } from '../types.js';

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
          .map((s) => `${evalStrings(s.expression, ctx.values)?.[0] ?? `{${s.expression.getText()}}`}${s.literal.text}`)
          .join(''),
    ];
  return [`{${x.getText()}}`];
}

/** Evaluates a path expression with a registrar's parameters bound to one call's arguments. */
export function evalPathWithEnv(ctx: AdapterContext): (expr: ts.Expression, env: Env) => string[] | undefined {
  return (expr, env) => evalStrings(expr, ctx.values, env);
}
